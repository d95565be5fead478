package io.vmagent.agent.libvirt.create;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * Builds the domain XML of a new VM from typed parts (a DOM document, so no value can break out of
 * its element): name, UUID, memory, vCPUs, firmware, disks, one network interface, a serial
 * console, and the agent's {@link Origin} in the metadata.
 */
public final class DomainBuilder {
  /** How the guest boots. */
  public enum Firmware {
    BIOS,
    UEFI
  }

  /**
   * A disk of the new VM.
   *
   * @param path the volume's path on the host
   * @param format {@code qcow2} or {@code raw}
   * @param cdrom a read-only CD-ROM (the cloud-init seed) instead of a virtio disk
   */
  public record Disk(String path, String format, boolean cdrom) {
    public Disk {
      Objects.requireNonNull(path, "path == null");
      Objects.requireNonNull(format, "format == null");
    }
  }

  private final String type;
  private final String name;
  private final String uuid;
  private long memoryMib = 1024;
  private int vcpus = 1;
  private Firmware firmware = Firmware.BIOS;
  private final List<Disk> disks = new ArrayList<>();
  private String network;
  private String bridge;
  private Origin origin;

  /**
   * @param type the domain type libvirt runs it with: {@code kvm}, {@code qemu}, {@code test}
   */
  public DomainBuilder(String type, String name, String uuid) {
    this.type = Objects.requireNonNull(type, "type == null");
    this.name = Objects.requireNonNull(name, "name == null");
    this.uuid = Objects.requireNonNull(uuid, "uuid == null");
  }

  /** Memory in MiB. Default is 1024. */
  public DomainBuilder memoryMib(long mib) {
    this.memoryMib = mib;
    return this;
  }

  /** Virtual CPUs. Default is 1. */
  public DomainBuilder vcpus(int count) {
    this.vcpus = count;
    return this;
  }

  /** BIOS, or UEFI (libvirt picks the firmware files). Default is BIOS. */
  public DomainBuilder firmware(Firmware value) {
    this.firmware = Objects.requireNonNull(value, "firmware == null");
    return this;
  }

  /** Adds a disk; virtio disks are {@code vda, vdb, ...}, CD-ROMs {@code sda, sdb, ...}. */
  public DomainBuilder disk(Disk disk) {
    disks.add(Objects.requireNonNull(disk, "disk == null"));
    return this;
  }

  /** Connects the interface to a libvirt network. Default is no interface. */
  public DomainBuilder network(String value) {
    this.network = value;
    return this;
  }

  /** Connects the interface to a host bridge. Default is no interface. */
  public DomainBuilder bridge(String value) {
    this.bridge = value;
    return this;
  }

  /** The origin recorded in the metadata. Default is none. */
  public DomainBuilder origin(Origin value) {
    this.origin = value;
    return this;
  }

  /** The domain XML. */
  public String build() {
    Document doc = SafeXml.newDocument();
    Element domain = doc.createElementNS(null, "domain");
    domain.setAttribute("type", type);
    doc.appendChild(domain);
    SafeXml.text(domain, "name", name);
    SafeXml.text(domain, "uuid", uuid);
    SafeXml.text(domain, "memory", String.valueOf(memoryMib)).setAttribute("unit", "MiB");
    SafeXml.text(domain, "vcpu", String.valueOf(vcpus));
    Element os = SafeXml.add(domain, "os");
    if (firmware == Firmware.UEFI) {
      os.setAttribute("firmware", "efi");
    }
    SafeXml.text(os, "type", "hvm");
    SafeXml.add(os, "boot").setAttribute("dev", "hd");
    Element features = SafeXml.add(domain, "features");
    SafeXml.add(features, "acpi");
    SafeXml.add(features, "apic");
    SafeXml.text(domain, "on_poweroff", "destroy");
    SafeXml.text(domain, "on_reboot", "restart");
    SafeXml.text(domain, "on_crash", "destroy");
    Element devices = SafeXml.add(domain, "devices");
    char nextDisk = 'a';
    char nextCdrom = 'a';
    for (Disk disk : disks) {
      Element element = SafeXml.add(devices, "disk");
      element.setAttribute("type", "file");
      element.setAttribute("device", disk.cdrom() ? "cdrom" : "disk");
      Element driver = SafeXml.add(element, "driver");
      driver.setAttribute("name", "qemu");
      driver.setAttribute("type", disk.format());
      SafeXml.add(element, "source").setAttribute("file", disk.path());
      Element target = SafeXml.add(element, "target");
      if (disk.cdrom()) {
        target.setAttribute("dev", "sd" + nextCdrom++);
        target.setAttribute("bus", "sata");
        SafeXml.add(element, "readonly");
      } else {
        target.setAttribute("dev", "vd" + nextDisk++);
        target.setAttribute("bus", "virtio");
      }
    }
    if (network != null || bridge != null) {
      Element nic = SafeXml.add(devices, "interface");
      nic.setAttribute("type", network != null ? "network" : "bridge");
      SafeXml.add(nic, "source")
          .setAttribute(network != null ? "network" : "bridge", network != null ? network : bridge);
      SafeXml.add(nic, "model").setAttribute("type", "virtio");
    }
    Element serial = SafeXml.add(devices, "serial");
    serial.setAttribute("type", "pty");
    Element console = SafeXml.add(devices, "console");
    console.setAttribute("type", "pty");
    SafeXml.add(devices, "memballoon").setAttribute("model", "virtio");
    if (origin != null) {
      origin.writeTo(doc);
    }
    return SafeXml.write(doc);
  }
}
