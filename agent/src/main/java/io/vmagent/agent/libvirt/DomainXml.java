package io.vmagent.agent.libvirt;

import io.vmagent.protocol.ErrorCode;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/** Reads the parts of a domain's XML description the operations need. */
final class DomainXml {
  /** A disk as declared, before capacity and allocation are looked up. */
  record Disk(
      String target,
      String device,
      String type,
      String file,
      String pool,
      String volume,
      String bus,
      String format,
      boolean readOnly,
      boolean shareable) {

    /** The source as one string: a path, a device, or {@code pool/volume}. */
    String source() {
      if (pool != null && volume != null) {
        return pool + "/" + volume;
      }
      return file;
    }
  }

  private final Element root;

  private DomainXml(Element root) {
    this.root = root;
  }

  static DomainXml parse(String xml) {
    try {
      DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
      factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
      factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      factory.setExpandEntityReferences(false);
      factory.setNamespaceAware(false);
      DocumentBuilder builder = factory.newDocumentBuilder();
      Document document = builder.parse(new InputSource(new StringReader(xml)));
      return new DomainXml(document.getDocumentElement());
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new VmOperationException(
          ErrorCode.OPERATION_FAILED,
          "libvirt returned unreadable domain XML: " + e.getMessage(),
          e);
    }
  }

  String osType() {
    Element os = child(root, "os");
    Element type = os == null ? null : child(os, "type");
    return type == null ? null : type.getTextContent().strip();
  }

  /** Whether the domain has a UEFI variable store that undefine must remove. */
  boolean hasNvram() {
    Element os = child(root, "os");
    return os != null && child(os, "nvram") != null;
  }

  List<Disk> disks() {
    List<Disk> disks = new ArrayList<>();
    for (Element disk : devices("disk")) {
      Element source = child(disk, "source");
      Element target = child(disk, "target");
      Element driver = child(disk, "driver");
      String file = null;
      if (source != null) {
        file = firstAttribute(source, "file", "dev", "dir", "name");
      }
      disks.add(
          new Disk(
              target == null ? null : attr(target, "dev"),
              orDefault(attr(disk, "device"), "disk"),
              attr(disk, "type"),
              file,
              source == null ? null : attr(source, "pool"),
              source == null ? null : attr(source, "volume"),
              target == null ? null : attr(target, "bus"),
              driver == null ? null : attr(driver, "type"),
              child(disk, "readonly") != null,
              child(disk, "shareable") != null));
    }
    return disks;
  }

  List<InterfaceInfo> interfaces() {
    List<InterfaceInfo> interfaces = new ArrayList<>();
    for (Element nic : devices("interface")) {
      Element mac = child(nic, "mac");
      Element source = child(nic, "source");
      Element target = child(nic, "target");
      Element model = child(nic, "model");
      interfaces.add(
          new InterfaceInfo(
              mac == null ? null : attr(mac, "address"),
              attr(nic, "type"),
              source == null ? null : firstAttribute(source, "network", "bridge", "dev", "path"),
              target == null ? null : attr(target, "dev"),
              model == null ? null : attr(model, "type")));
    }
    return interfaces;
  }

  /** The {@code <disk>} element whose target is {@code target}, as XML text; null when none is. */
  String diskXml(String target) {
    for (Element disk : devices("disk")) {
      Element dev = child(disk, "target");
      if (dev != null && target.equals(attr(dev, "dev"))) {
        try {
          Transformer transformer = TransformerFactory.newInstance().newTransformer();
          transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
          StringWriter text = new StringWriter();
          transformer.transform(new DOMSource(disk), new StreamResult(text));
          return text.toString();
        } catch (TransformerException e) {
          throw new VmOperationException(
              ErrorCode.OPERATION_FAILED, "cannot write the XML of disk " + target, e);
        }
      }
    }
    return null;
  }

  /** Whether the domain declares a channel to the QEMU guest agent. */
  boolean hasGuestAgentChannel() {
    for (Element channel : devices("channel")) {
      Element target = child(channel, "target");
      if (target != null && "org.qemu.guest_agent.0".equals(attr(target, "name"))) {
        return true;
      }
    }
    return false;
  }

  /** The persistent configuration's vCPU count (current and maximum) and memory in KiB. */
  record Resources(int vcpus, int maxVcpus, long memoryKib, long maxMemoryKib) {}

  Resources resources() {
    Element vcpu = child(root, "vcpu");
    int max = vcpu == null ? 1 : Integer.parseInt(vcpu.getTextContent().strip());
    int current =
        vcpu == null || attr(vcpu, "current") == null
            ? max
            : Integer.parseInt(attr(vcpu, "current"));
    long maxMemory = kib(child(root, "memory"));
    Element currentMemory = child(root, "currentMemory");
    return new Resources(
        current, max, currentMemory == null ? maxMemory : kib(currentMemory), maxMemory);
  }

  private static long kib(Element memory) {
    if (memory == null) {
      return 0;
    }
    long value = Long.parseLong(memory.getTextContent().strip());
    String unit = orDefault(attr(memory, "unit"), "KiB");
    return switch (unit) {
      case "b", "bytes" -> value / 1024;
      case "KB" -> value * 1000 / 1024;
      case "k", "KiB" -> value;
      case "MB" -> value * 1_000_000 / 1024;
      case "M", "MiB" -> value * 1024;
      case "GB" -> value * 1_000_000_000 / 1024;
      case "G", "GiB" -> value * 1024 * 1024;
      case "T", "TiB" -> value * 1024 * 1024 * 1024;
      default ->
          throw new VmOperationException(
              ErrorCode.OPERATION_FAILED, "unknown memory unit '" + unit + "' in the domain XML");
    };
  }

  private List<Element> devices(String tag) {
    Element devices = child(root, "devices");
    List<Element> found = new ArrayList<>();
    if (devices == null) {
      return found;
    }
    NodeList children = devices.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      Node node = children.item(i);
      if (node instanceof Element element && tag.equals(node.getNodeName())) {
        found.add(element);
      }
    }
    return found;
  }

  /** {@code text} escaped for an XML attribute or element written into a libvirt description. */
  static String escape(String text) {
    return text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&apos;");
  }

  static Element child(Element parent, String tag) {
    NodeList children = parent.getChildNodes();
    for (int i = 0; i < children.getLength(); i++) {
      Node node = children.item(i);
      if (node instanceof Element element && tag.equals(node.getNodeName())) {
        return element;
      }
    }
    return null;
  }

  static String childText(Element parent, String tag) {
    Element child = child(parent, tag);
    return child == null ? null : child.getTextContent().strip();
  }

  static Element root(String xml) {
    return parse(xml).root;
  }

  private static String firstAttribute(Element element, String... names) {
    for (String name : names) {
      String value = attr(element, name);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  private static String attr(Element element, String name) {
    return element.hasAttribute(name) ? element.getAttribute(name) : null;
  }

  private static String orDefault(String value, String fallback) {
    return value == null ? fallback : value;
  }
}
