package io.vmagent.agent.metrics.domain;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Disk and interface target names of each domain, read from its XML, for drivers whose bulk
 * statistics leave out block and interface figures. Reading and parsing a domain's XML costs far
 * more than its statistics, so names are kept until the domain restarts (its id changes), it
 * vanishes, or {@code maxAgeNanos} passes (to see hot-plugged devices).
 */
final class DeviceInventory {
  /** Target names of a domain's disks and interfaces. */
  record Devices(int domainId, long readAtNanos, List<String> disks, List<String> interfaces) {}

  private static final XMLInputFactory XML = newFactory();

  private final long maxAgeNanos;
  private Map<String, Devices> byUuid = new HashMap<>();
  private Map<String, Devices> seen = new HashMap<>();

  DeviceInventory(long maxAgeNanos) {
    this.maxAgeNanos = maxAgeNanos;
  }

  /** Cached devices of the domain, or null when they must be (re)read. */
  Devices cached(String uuid, int domainId, long nowNanos) {
    Devices devices = byUuid.get(uuid);
    if (devices == null
        || devices.domainId() != domainId
        || nowNanos - devices.readAtNanos() > maxAgeNanos) {
      return null;
    }
    seen.put(uuid, devices);
    return devices;
  }

  Devices store(String uuid, int domainId, long nowNanos, String xml) throws XMLStreamException {
    Devices devices = parse(domainId, nowNanos, xml);
    byUuid.put(uuid, devices);
    seen.put(uuid, devices);
    return devices;
  }

  /** Forgets domains not looked at since the previous call: they were undefined. */
  void endCollection() {
    byUuid = seen;
    seen = new HashMap<>();
  }

  static Devices parse(int domainId, long nowNanos, String xml) throws XMLStreamException {
    List<String> disks = new ArrayList<>();
    List<String> interfaces = new ArrayList<>();
    XMLStreamReader reader = XML.createXMLStreamReader(new StringReader(xml));
    try {
      int depth = 0;
      int devicesDepth = -1;
      String container = null;
      int containerDepth = -1;
      while (reader.hasNext()) {
        int event = reader.next();
        if (event == XMLStreamConstants.START_ELEMENT) {
          depth++;
          String local = reader.getLocalName();
          if (devicesDepth < 0 && depth == 2 && local.equals("devices")) {
            devicesDepth = depth;
          } else if (devicesDepth > 0 && depth == devicesDepth + 1) {
            boolean plainDisk =
                local.equals("disk") && "disk".equals(reader.getAttributeValue(null, "device"));
            container = plainDisk || local.equals("interface") ? local : null;
            containerDepth = depth;
          } else if (container != null
              && depth == containerDepth + 1
              && local.equals("target")
              && reader.getAttributeValue(null, "dev") != null) {
            (container.equals("disk") ? disks : interfaces)
                .add(reader.getAttributeValue(null, "dev"));
          }
        } else if (event == XMLStreamConstants.END_ELEMENT) {
          if (depth == containerDepth) {
            container = null;
            containerDepth = -1;
          } else if (depth == devicesDepth) {
            devicesDepth = -1;
          }
          depth--;
        }
      }
    } finally {
      reader.close();
    }
    return new Devices(domainId, nowNanos, List.copyOf(disks), List.copyOf(interfaces));
  }

  private static XMLInputFactory newFactory() {
    XMLInputFactory factory = XMLInputFactory.newFactory();
    // Domain XML comes from libvirt, but no parser of ours resolves external entities.
    factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    return factory;
  }
}
