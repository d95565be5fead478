package io.vmagent.agent.libvirt.create;

import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** The XML of a new storage volume: its name, capacity, format and optional backing file. */
public final class VolumeXml {
  private VolumeXml() {}

  /**
   * The volume's XML.
   *
   * @param backingPath the path of the image it is an overlay on, or null
   * @param backingFormat that image's format, or null
   */
  public static String of(
      String name, long capacityBytes, String format, String backingPath, String backingFormat) {
    Document doc = SafeXml.newDocument();
    Element volume = doc.createElementNS(null, "volume");
    doc.appendChild(volume);
    SafeXml.text(volume, "name", name);
    SafeXml.text(volume, "capacity", String.valueOf(capacityBytes)).setAttribute("unit", "bytes");
    Element target = SafeXml.add(volume, "target");
    SafeXml.add(target, "format").setAttribute("type", format);
    if (backingPath != null) {
      Element backing = SafeXml.add(volume, "backingStore");
      SafeXml.text(backing, "path", backingPath);
      if (backingFormat != null) {
        SafeXml.add(backing, "format").setAttribute("type", backingFormat);
      }
    }
    return SafeXml.write(doc);
  }
}
