package io.vmagent.agent.libvirt;

import io.vmagent.agent.libvirt.create.SafeXml;
import io.vmagent.agent.operation.Params;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.text.Printable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.libvirt.CPUCompareResult;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The destination's checks before a migration ({@code migrate_prepare}): no other VM with the
 * incoming VM's name or UUID is here and none of them runs, enough free memory, the domain type
 * available (KVM for a {@code kvm} domain), the CPU model compatible with this host's where the VM
 * names one, and the disks present (shared storage) or their folders present (copied storage).
 * libvirt itself prepares the incoming domain during the migration; this only tells early and
 * clearly why it would fail.
 */
public final class MigrationCheck {
  private final LibvirtConnectionManager libvirt;

  public MigrationCheck(LibvirtConnectionManager libvirt) {
    this.libvirt = libvirt;
  }

  /** The VM the XML describes, as far as the checks need it. */
  private record Incoming(
      String name,
      String uuid,
      String type,
      long memoryKib,
      Element cpu,
      List<String> diskPaths,
      String cpuXml) {}

  /**
   * Runs every check.
   *
   * @throws VmOperationException {@code INVALID_STATE} naming every check that failed; {@code
   *     INVALID_ARGUMENT} for XML that does not describe a domain
   */
  public PrepareResult check(PrepareParams params) {
    Incoming vm = read(params.xml());
    return libvirt.withConnection(
        "check the migration of VM '" + vm.name() + "'",
        c -> {
          List<PrepareResult.Check> checks = new ArrayList<>();
          checks.add(identity(c, vm));
          checks.add(memory(c, vm));
          checks.add(domainType(c, vm));
          checks.add(cpu(c, vm));
          checks.add(disks(c, vm, params.copyStorage()));
          List<String> failures =
              checks.stream()
                  .filter(check -> check.outcome().equals("failed"))
                  .map(PrepareResult.Check::detail)
                  .toList();
          if (!failures.isEmpty()) {
            throw new VmOperationException(
                ErrorCode.INVALID_STATE,
                "this host cannot take VM '" + vm.name() + "': " + String.join("; ", failures));
          }
          return new PrepareResult("migrate_prepare", vm.name(), vm.uuid(), List.copyOf(checks));
        });
  }

  private static PrepareResult.Check identity(Connect c, Incoming vm) throws LibvirtException {
    Domain same = find(c, vm.uuid(), true);
    if (same != null) {
      if (DomainProbe.state(same).isActive()) {
        return failed("name_uuid", "a VM with UUID " + vm.uuid() + " is running here");
      }
      if (!same.getName().equals(vm.name())) {
        return failed(
            "name_uuid",
            "a VM with UUID "
                + vm.uuid()
                + " is defined here under another name ("
                + Printable.escape(same.getName())
                + ")");
      }
      return new PrepareResult.Check(
          "name_uuid", "ok", "an inactive definition of the VM is here; the migration replaces it");
    }
    Domain named = find(c, vm.name(), false);
    if (named != null) {
      return failed(
          "name_uuid",
          "another VM named '"
              + vm.name()
              + "' (UUID "
              + named.getUUIDString()
              + ") is defined here");
    }
    return ok("name_uuid");
  }

  private static PrepareResult.Check memory(Connect c, Incoming vm) throws LibvirtException {
    long freeKib = c.getFreeMemory() / 1024;
    if (freeKib < vm.memoryKib()) {
      return failed(
          "memory",
          "the VM needs "
              + vm.memoryKib() / 1024
              + " MiB and this host has "
              + freeKib / 1024
              + " MiB free");
    }
    return new PrepareResult.Check(
        "memory", "ok", vm.memoryKib() / 1024 + " MiB needed, " + freeKib / 1024 + " MiB free");
  }

  private static PrepareResult.Check domainType(Connect c, Incoming vm) throws LibvirtException {
    String capabilities = c.getCapabilities();
    boolean offered =
        capabilities.contains("<domain type='" + vm.type() + "'")
            || capabilities.contains("<domain type=\"" + vm.type() + "\"");
    if (!offered) {
      return failed(
          "domain_type",
          "this host's hypervisor offers no '" + Printable.escape(vm.type()) + "' domains");
    }
    return ok("domain_type");
  }

  private static PrepareResult.Check cpu(Connect c, Incoming vm) throws LibvirtException {
    if (vm.cpu() == null || vm.cpuXml() == null) {
      return skipped("cpu", "the VM names no CPU model");
    }
    String mode = vm.cpu().getAttribute("mode");
    if ("host-passthrough".equals(mode) || "maximum".equals(mode)) {
      return skipped("cpu", "mode " + mode + " needs identical hosts; libvirt cannot compare it");
    }
    if (!"kvm".equals(vm.type())) {
      return skipped("cpu", "an emulated CPU (domain type " + vm.type() + ") needs no host CPU");
    }
    CPUCompareResult result = c.compareCPU(vm.cpuXml());
    return switch (result) {
      case VIR_CPU_COMPARE_INCOMPATIBLE ->
          failed("cpu", "the VM's CPU model is not compatible with this host's");
      case VIR_CPU_COMPARE_ERROR -> skipped("cpu", "libvirt could not compare the CPU models");
      case VIR_CPU_COMPARE_IDENTICAL -> new PrepareResult.Check("cpu", "ok", "identical");
      case VIR_CPU_COMPARE_SUPERSET ->
          new PrepareResult.Check("cpu", "ok", "this host's is a superset");
    };
  }

  private static PrepareResult.Check disks(Connect c, Incoming vm, boolean copied) {
    List<String> missing = new ArrayList<>();
    for (String path : vm.diskPaths()) {
      Path file = Path.of(path);
      boolean present =
          copied
              ? file.getParent() != null && Files.isDirectory(file.getParent())
              : Files.exists(file) || isVolume(c, path);
      if (!present) {
        missing.add(Printable.escape(copied ? String.valueOf(file.getParent()) : path));
      }
    }
    if (!missing.isEmpty()) {
      return failed(
          "disks",
          (copied ? "the folders for the copied disks are missing here: " : "disks missing here: ")
              + String.join(", ", missing));
    }
    return new PrepareResult.Check(
        "disks", "ok", vm.diskPaths().size() + (copied ? " to copy" : " on shared storage"));
  }

  private static boolean isVolume(Connect c, String path) {
    try {
      return c.storageVolLookupByPath(path) != null;
    } catch (LibvirtException e) {
      return false;
    }
  }

  private static Domain find(Connect c, String key, boolean byUuid) throws LibvirtException {
    try {
      return byUuid ? c.domainLookupByUUIDString(key) : c.domainLookupByName(key);
    } catch (LibvirtException e) {
      if (e.getError() != null
          && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_DOMAIN) {
        return null;
      }
      throw e;
    }
  }

  private static Incoming read(String xml) {
    Element root = SafeXml.parse(xml, "the VM's domain XML").getDocumentElement();
    if (!"domain".equals(root.getLocalName())) {
      throw Params.invalid("parameter 'xml' must be a <domain> element");
    }
    String name = childText(root, "name");
    String uuid = childText(root, "uuid");
    String memory = childText(root, "memory");
    if (name == null || uuid == null || memory == null) {
      throw Params.invalid("the VM's domain XML needs <name>, <uuid> and <memory>");
    }
    Element memoryElement = child(root, "memory");
    long memoryKib = kib(memory, memoryElement == null ? null : memoryElement.getAttribute("unit"));
    Element cpu = child(root, "cpu");
    String cpuXml = cpu == null || child(cpu, "model") == null ? null : serialize(cpu);
    List<String> disks = new ArrayList<>();
    Element devices = child(root, "devices");
    if (devices != null) {
      for (Node n = devices.getFirstChild(); n != null; n = n.getNextSibling()) {
        if (n instanceof Element disk && "disk".equals(disk.getLocalName())) {
          Element source = child(disk, "source");
          String path =
              source == null
                  ? ""
                  : source.hasAttribute("file")
                      ? source.getAttribute("file")
                      : source.getAttribute("dev");
          if (!path.isEmpty() && !"cdrom".equals(disk.getAttribute("device"))) {
            disks.add(path);
          }
        }
      }
    }
    return new Incoming(
        VmRef.validName("the VM's name", name),
        validUuid(uuid),
        root.getAttribute("type"),
        memoryKib,
        cpu,
        List.copyOf(disks),
        cpuXml);
  }

  private static String validUuid(String uuid) {
    if (!VmRef.parse(uuid).isUuid()) {
      throw Params.invalid("the VM's <uuid> '" + Printable.escape(uuid) + "' is not a UUID");
    }
    return uuid;
  }

  private static long kib(String value, String unit) {
    long amount;
    try {
      amount = Long.parseLong(value.strip());
    } catch (NumberFormatException e) {
      throw Params.invalid("the VM's <memory> is not a whole number");
    }
    String u = unit == null || unit.isEmpty() ? "KiB" : unit;
    return switch (u) {
      case "b", "bytes" -> amount / 1024;
      case "KiB", "k" -> amount;
      case "MiB", "M" -> amount << 10;
      case "GiB", "G" -> amount << 20;
      case "TiB", "T" -> amount << 30;
      case "KB" -> amount * 1000 / 1024;
      case "MB" -> amount * 1_000_000 / 1024;
      case "GB" -> amount * 1_000_000_000 / 1024;
      default -> throw Params.invalid("the VM's <memory> has an unknown unit");
    };
  }

  private static Element child(Element parent, String name) {
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && name.equals(e.getLocalName())) {
        return e;
      }
    }
    return null;
  }

  private static String childText(Element parent, String name) {
    Element e = child(parent, name);
    return e == null ? null : e.getTextContent().strip();
  }

  private static String serialize(Element element) {
    var document = SafeXml.newDocument();
    document.appendChild(document.importNode(element, true));
    return SafeXml.write(document);
  }

  private static PrepareResult.Check ok(String name) {
    return new PrepareResult.Check(name, "ok", null);
  }

  private static PrepareResult.Check skipped(String name, String why) {
    return new PrepareResult.Check(name, "skipped", why);
  }

  private static PrepareResult.Check failed(String name, String why) {
    return new PrepareResult.Check(name, "failed", why);
  }
}
