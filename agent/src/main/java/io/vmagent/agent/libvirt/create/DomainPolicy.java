package io.vmagent.agent.libvirt.create;

import io.vmagent.protocol.text.Printable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The allowlist an operator's domain XML passes before libvirt sees it. Everything that reaches
 * into the host is refused unless it names storage the host's pools hold or an allowed directory:
 * disk sources outside the pools, block devices outside pools, host devices, shared file systems,
 * hypervisor passthrough ({@code <qemu:commandline>} and any other foreign namespace), boot files
 * outside the firmware and allowed directories, character devices backed by host files, sockets or
 * devices, security labels. Elements it does not know are refused too. Each refusal names its
 * element.
 */
public final class DomainPolicy {
  private static final Set<String> TOP_LEVEL =
      Set.of(
          "name",
          "uuid",
          "genid",
          "title",
          "description",
          "metadata",
          "memory",
          "maxMemory",
          "currentMemory",
          "vcpu",
          "vcpus",
          "iothreads",
          "iothreadids",
          "cputune",
          "memtune",
          "os",
          "features",
          "cpu",
          "clock",
          "on_poweroff",
          "on_reboot",
          "on_crash",
          "on_lockfailure",
          "pm",
          "sysinfo",
          "keywrap",
          "devices");
  private static final Set<String> OS =
      Set.of(
          "type",
          "boot",
          "bootmenu",
          "smbios",
          "bios",
          "loader",
          "nvram",
          "kernel",
          "initrd",
          "cmdline",
          "dtb",
          "acpi",
          "firmware");
  private static final Set<String> OS_FILES = Set.of("loader", "nvram", "kernel", "initrd", "dtb");
  private static final Set<String> DEVICES =
      Set.of(
          "emulator",
          "disk",
          "controller",
          "interface",
          "input",
          "graphics",
          "video",
          "sound",
          "audio",
          "watchdog",
          "memballoon",
          "rng",
          "serial",
          "console",
          "parallel",
          "channel",
          "hub",
          "panic",
          "iommu",
          "vsock",
          "tpm");
  private static final List<String> HOST_PATH_ATTRIBUTES =
      List.of("file", "dir", "path", "socket", "logFile", "rendernode", "evdev");
  private static final Set<String> DISK_TYPES = Set.of("file", "block", "volume");
  private static final Set<String> INTERFACE_TYPES = Set.of("network", "bridge", "user");
  private static final Set<String> CHARDEV_TYPES =
      Set.of("pty", "null", "vc", "spicevmc", "spiceport", "qemu-vdagent");
  private static final Set<String> INPUT_TYPES = Set.of("mouse", "tablet", "keyboard");
  private static final Set<String> AUDIO_TYPES = Set.of("none", "spice");
  private static final Set<String> RNG_DEVICES =
      Set.of("/dev/random", "/dev/urandom", "/dev/hwrng");
  private static final Pattern EMULATOR =
      Pattern.compile("/usr/bin/qemu-system-[a-z0-9_]+|/usr/bin/kvm|/usr/libexec/qemu-kvm");

  private final HostPaths host;
  private final List<String> refusals = new ArrayList<>();

  private DomainPolicy(HostPaths host) {
    this.host = host;
  }

  /** The refusals for {@code document}, one sentence each; empty when it may be defined. */
  public static List<String> check(Document document, HostPaths host) {
    DomainPolicy policy = new DomainPolicy(host);
    policy.domain(document.getDocumentElement());
    return List.copyOf(policy.refusals);
  }

  private void domain(Element domain) {
    if (!isLibvirt(domain) || !"domain".equals(domain.getLocalName())) {
      refuse(domain, "the document's root element must be <domain>");
      return;
    }
    for (Element child : children(domain)) {
      if (!isLibvirt(child)) {
        refuse(child, "hypervisor passthrough and foreign namespaces are not allowed");
      } else if (!TOP_LEVEL.contains(child.getLocalName())) {
        refuse(child, "not on the allowlist (it can reach into the host)");
      } else if ("os".equals(child.getLocalName())) {
        os(child);
      } else if ("devices".equals(child.getLocalName())) {
        devices(child);
      } else if (!"metadata".equals(child.getLocalName())) {
        // The contents of <metadata> are opaque to libvirt; everything else is libvirt's own.
        foreignOrSecurity(child);
        hostPaths(child, false);
      }
    }
  }

  private void os(Element os) {
    for (Element child : children(os)) {
      String name = child.getLocalName();
      if (!isLibvirt(child) || !OS.contains(name)) {
        refuse(child, "not on the allowlist (it can reach into the host)");
        continue;
      }
      if (OS_FILES.contains(name)) {
        bootFile(child, child.getTextContent().strip());
        if (child.hasAttribute("template")) {
          bootFile(child, child.getAttribute("template"));
        }
      } else if ("acpi".equals(name)) {
        for (Element table : children(child)) {
          bootFile(table, table.getTextContent().strip());
        }
      }
    }
  }

  private void bootFile(Element element, String path) {
    if (!path.isEmpty() && !host.allowsBootFile(path)) {
      refuse(
          element,
          "'"
              + Printable.escape(path)
              + "' is outside the firmware directories and AGENT_DEFINE_ALLOWED_PATHS");
    }
  }

  private void devices(Element devices) {
    for (Element device : children(devices)) {
      String name = device.getLocalName();
      if (!isLibvirt(device)) {
        refuse(device, "hypervisor passthrough and foreign namespaces are not allowed");
        continue;
      }
      if (!DEVICES.contains(name)) {
        refuse(device, "not on the allowlist (it gives the VM a part of the host)");
        continue;
      }
      foreignOrSecurity(device);
      String type = device.getAttribute("type");
      if (!"disk".equals(name)) {
        // A pty's source path is libvirt's own report of the terminal it allocated.
        hostPaths(device, "pty".equals(type));
      }
      switch (name) {
        case "emulator" -> emulator(device);
        case "disk" -> disk(device, type);
        case "interface" -> oneOf(device, type, INTERFACE_TYPES, "interface type");
        case "serial", "console", "parallel" -> oneOf(device, type, CHARDEV_TYPES, "type");
        case "channel" -> channel(device, type);
        case "input" -> oneOf(device, type, INPUT_TYPES, "input type");
        case "audio" -> oneOf(device, type, AUDIO_TYPES, "audio type");
        case "graphics" -> graphics(device);
        case "rng" -> rng(device);
        case "tpm" -> tpm(device);
        default -> {
          // controllers, video, sound, watchdog, balloon, hub, panic, iommu, vsock: no host paths
        }
      }
    }
  }

  private void emulator(Element emulator) {
    String path = emulator.getTextContent().strip();
    if (!EMULATOR.matcher(path).matches() && !host.allowsBootFile(path)) {
      refuse(emulator, "'" + Printable.escape(path) + "' is not a QEMU emulator");
    }
  }

  private void disk(Element disk, String type) {
    if (!DISK_TYPES.contains(type)) {
      refuse(disk, "type '" + Printable.escape(type) + "' is not allowed; use file, block, volume");
      return;
    }
    for (Element element : descendants(disk)) {
      String name = element.getLocalName();
      if ("mirror".equals(name)) {
        refuse(element, "not allowed");
      } else if ("source".equals(name)) {
        diskSource(element, type);
      } else if ("backingStore".equals(name) && element.hasAttribute("type")) {
        type = element.getAttribute("type");
        if (!DISK_TYPES.contains(type)) {
          refuse(element, "type '" + Printable.escape(type) + "' is not allowed");
        }
      }
    }
  }

  private void diskSource(Element source, String type) {
    if (source.hasAttribute("file") && !host.allowsDiskFile(source.getAttribute("file"))) {
      refuse(
          source,
          "'"
              + Printable.escape(source.getAttribute("file"))
              + "' is neither a volume of a storage pool nor a file in a pool's directory");
    }
    if (source.hasAttribute("dev") && !host.allowsBlockDevice(source.getAttribute("dev"))) {
      refuse(
          source,
          "block device '"
              + Printable.escape(source.getAttribute("dev"))
              + "' is not a volume of a storage pool");
    }
    if ("volume".equals(type) || source.hasAttribute("pool")) {
      String pool = source.getAttribute("pool");
      String volume = source.getAttribute("volume");
      if (!host.hasVolume(pool, volume)) {
        refuse(
            source,
            "pool '"
                + Printable.escape(pool)
                + "' has no volume '"
                + Printable.escape(volume)
                + "'");
      }
    }
    for (String attribute : List.of("dir", "path", "socket", "protocol")) {
      if (source.hasAttribute(attribute)) {
        refuse(source, "attribute '" + attribute + "' is not allowed on a disk source");
      }
    }
  }

  private void channel(Element channel, String type) {
    if ("unix".equals(type)) {
      // Without a path libvirt makes the socket in its own directory (the guest agent's channel).
      for (Element source : descendants(channel)) {
        if ("source".equals(source.getLocalName()) && source.hasAttribute("path")) {
          refuse(source, "a channel on a host socket path is not allowed");
        }
      }
      return;
    }
    oneOf(channel, type, CHARDEV_TYPES, "type");
  }

  private void graphics(Element graphics) {
    for (Element element : descendants(graphics)) {
      if ("listen".equals(element.getLocalName())
          && "socket".equals(element.getAttribute("type"))) {
        refuse(element, "a listener on a host socket is not allowed");
      }
    }
  }

  /**
   * Refuses attributes that name a host file, socket or device anywhere in {@code element} (a
   * device other than a disk, or a top-level element such as {@code <sysinfo>}, whose fw_cfg
   * entries can hand the guest a host file).
   */
  private void hostPaths(Element element, boolean ptySource) {
    List<Element> all = new ArrayList<>(descendants(element));
    all.add(0, element);
    for (Element each : all) {
      for (String attribute : HOST_PATH_ATTRIBUTES) {
        boolean ptyPath =
            ptySource && "source".equals(each.getLocalName()) && "path".equals(attribute);
        if (each.hasAttribute(attribute) && !ptyPath) {
          refuse(
              each,
              "attribute "
                  + attribute
                  + "='"
                  + Printable.escape(each.getAttribute(attribute))
                  + "' names a host file, socket or device");
        }
      }
    }
  }

  private void rng(Element rng) {
    for (Element backend : children(rng)) {
      if (!"backend".equals(backend.getLocalName())) {
        continue;
      }
      String model = backend.getAttribute("model");
      String device = backend.getTextContent().strip();
      if ("egd".equals(model)) {
        refuse(backend, "an entropy source on a host character device is not allowed");
      } else if ("random".equals(model) && !device.isEmpty() && !RNG_DEVICES.contains(device)) {
        refuse(backend, "'" + Printable.escape(device) + "' is not a random device");
      }
    }
  }

  private void tpm(Element tpm) {
    for (Element backend : children(tpm)) {
      if ("backend".equals(backend.getLocalName())
          && !"emulator".equals(backend.getAttribute("type"))) {
        refuse(backend, "only an emulated TPM is allowed");
      }
    }
  }

  private void oneOf(Element element, String type, Set<String> allowed, String what) {
    if (!allowed.contains(type)) {
      refuse(
          element,
          what
              + " '"
              + Printable.escape(type)
              + "' is not allowed (it reaches into the host); allowed: "
              + String.join(", ", allowed.stream().sorted().toList()));
    }
    for (Element log : descendants(element)) {
      if ("log".equals(log.getLocalName()) || "script".equals(log.getLocalName())) {
        refuse(log, "host files and scripts are not allowed");
      }
    }
  }

  /** Refuses foreign-namespace elements and security labels anywhere below {@code element}. */
  private void foreignOrSecurity(Element element) {
    for (Element child : descendants(element)) {
      if (!isLibvirt(child)) {
        refuse(child, "hypervisor passthrough and foreign namespaces are not allowed");
      } else if ("seclabel".equals(child.getLocalName())) {
        refuse(child, "security labels are not allowed");
      }
    }
  }

  private void refuse(Element element, String why) {
    refusals.add("<" + Printable.escape(pathOf(element)) + ">: " + why);
  }

  private static String pathOf(Element element) {
    StringBuilder path = new StringBuilder(element.getTagName());
    Node parent = element.getParentNode();
    while (parent instanceof Element up) {
      path.insert(0, up.getTagName() + "/");
      parent = up.getParentNode();
    }
    return path.toString();
  }

  private static boolean isLibvirt(Element element) {
    return element.getNamespaceURI() == null;
  }

  private static List<Element> children(Element parent) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getChildNodes();
    for (int i = 0; i < nodes.getLength(); i++) {
      if (nodes.item(i) instanceof Element element) {
        found.add(element);
      }
    }
    return found;
  }

  private static List<Element> descendants(Element parent) {
    List<Element> found = new ArrayList<>();
    NodeList nodes = parent.getElementsByTagName("*");
    for (int i = 0; i < nodes.getLength(); i++) {
      found.add((Element) nodes.item(i));
    }
    return found;
  }
}
