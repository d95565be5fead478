package io.vmagent.agent.libvirt;

import io.vmagent.agent.libvirt.create.DomainBuilder.Firmware;
import io.vmagent.agent.libvirt.create.Origin;
import io.vmagent.agent.operation.Operation;
import io.vmagent.agent.operation.Params;
import io.vmagent.protocol.text.Printable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** The parameters of the operations that make a VM: {@code define} and {@code create}. */
public sealed interface CreateParams {
  /** The parameter names a record is read from, and how. */
  record Spec<P extends CreateParams>(Set<String> names, Operation.Parser<P> parser) {}

  /** Longest domain XML {@code define} reads, in characters; checked before it is parsed. */
  int MAX_XML_CHARS = 256 * 1024;

  /** {@code define}: a complete domain XML; the VM's name is read from it. */
  record Define(String xml) implements CreateParams {
    static final Spec<Define> SPEC =
        new Spec<>(Set.of("xml"), p -> new Define(p.requiredString("xml")));

    public Define {
      if (xml == null || xml.isBlank()) {
        throw Params.invalid("define needs the domain XML");
      }
      if (xml.length() > MAX_XML_CHARS) {
        throw Params.invalid(
            "the domain XML is " + xml.length() + " characters long; at most " + MAX_XML_CHARS);
      }
    }
  }

  /**
   * {@code create}: a VM from parameters.
   *
   * @param disks virtio disks {@code vda, vdb, ...}, in order
   * @param network the libvirt network of its one interface, or null
   * @param bridge the host bridge of its one interface, or null (not both)
   * @param cloudInit a NoCloud seed attached as a CD-ROM, or null
   * @param start whether to start it once made
   */
  record Create(
      String name,
      int vcpus,
      long memoryMib,
      List<Disk> disks,
      String network,
      String bridge,
      CloudInit cloudInit,
      Firmware firmware,
      boolean start)
      implements CreateParams {
    /** Most disks one VM gets from {@code create}. */
    public static final int MAX_DISKS = 16;

    static final Spec<Create> SPEC =
        new Spec<>(
            Set.of(
                "vm",
                "vcpus",
                "memory_mib",
                "disks",
                "network",
                "bridge",
                "user_data",
                "meta_data",
                "seed_pool",
                "firmware",
                "start"),
            Create::parse);

    private static final Pattern BRIDGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]{0,14}");

    public Create {
      name = VmRef.validName("VM name", name);
      if (vcpus < 1 || vcpus > 256) {
        throw Params.invalid("vcpus must be between 1 and 256");
      }
      if (memoryMib < 16 || memoryMib > 4L * 1024 * 1024) {
        throw Params.invalid("memory_mib must be between 16 and 4194304");
      }
      disks = List.copyOf(disks);
      if (disks.size() > MAX_DISKS) {
        throw Params.invalid("at most " + MAX_DISKS + " disks");
      }
      if (network != null && bridge != null) {
        throw Params.invalid("give network or bridge, not both");
      }
      if (network != null) {
        VmRef.validName("network name", network);
      }
      if (bridge != null && !BRIDGE.matcher(bridge).matches()) {
        throw Params.invalid(
            "bridge '" + Printable.escape(bridge) + "' is not a network interface name");
      }
      if (cloudInit != null && cloudInit.pool() == null && disks.isEmpty()) {
        throw Params.invalid("the cloud-init seed needs seed_pool when the VM has no disk");
      }
      Objects.requireNonNull(firmware, "firmware == null");
    }

    /** The pool of the cloud-init seed: its own, or the first disk's. */
    String seedPool() {
      return cloudInit.pool() != null ? cloudInit.pool() : disks.get(0).pool();
    }

    static Create parse(Params p) {
      String userData = p.optionalString("user_data");
      String metaData = p.optionalString("meta_data");
      String seedPool = p.optionalString("seed_pool");
      if (userData == null && (metaData != null || seedPool != null)) {
        throw Params.invalid("meta_data and seed_pool need user_data (the cloud-init seed)");
      }
      String disks = p.optionalString("disks");
      return new Create(
          p.requiredString("vm"),
          (int) p.requiredLong("vcpus", 1, 256),
          p.requiredLong("memory_mib", 16, 4L * 1024 * 1024),
          disks == null ? List.of() : Disk.parseList(disks),
          p.optionalString("network"),
          p.optionalString("bridge"),
          userData == null ? null : new CloudInit(userData, metaData, seedPool),
          firmware(p.optionalString("firmware")),
          p.flag("start"));
    }

    private static Firmware firmware(String text) {
      if (text == null || text.equals("bios")) {
        return Firmware.BIOS;
      }
      if (text.equals("uefi")) {
        return Firmware.UEFI;
      }
      throw Params.invalid("firmware must be bios or uefi, not '" + Printable.escape(text) + "'");
    }
  }

  /**
   * One disk of {@code create}: a new empty volume of {@code sizeMib}, or a copy-on-write overlay
   * on (or a full clone of) the volume {@code base} of the same pool, grown to {@code sizeMib} when
   * given. Every new volume is qcow2.
   */
  record Disk(String pool, Long sizeMib, String base, Mode mode) {
    /** How a disk is made. */
    public enum Mode {
      EMPTY,
      OVERLAY,
      CLONE
    }

    public Disk {
      pool = VmRef.validName("pool name", pool);
      if (base != null) {
        VmRef.validName("base volume name", base);
      }
      if (mode == null) {
        mode = base == null ? Mode.EMPTY : Mode.OVERLAY;
      }
      if (mode == Mode.EMPTY && base != null) {
        throw Params.invalid("a disk with a base is an overlay or a clone, not empty");
      }
      if (mode != Mode.EMPTY && base == null) {
        throw Params.invalid("an overlay or clone disk needs a base");
      }
      if (mode == Mode.EMPTY && sizeMib == null) {
        throw Params.invalid("an empty disk needs a size");
      }
      if (sizeMib != null && (sizeMib < 1 || sizeMib > 64L * 1024 * 1024)) {
        throw Params.invalid("a disk's size must be between 1 and 67108864 MiB");
      }
    }

    /** Disks written as {@code SPEC;SPEC;...} (the wire's one string). */
    static List<Disk> parseList(String text) {
      List<Disk> disks = new ArrayList<>();
      for (String spec : text.split(";", -1)) {
        disks.add(parse(spec));
      }
      return disks;
    }

    /**
     * A disk written as {@code pool=POOL,size=MIB} or {@code
     * pool=POOL,base=VOLUME[,mode=overlay|clone][,size=MIB]}.
     */
    public static Disk parse(String spec) {
      String pool = null;
      Long size = null;
      String base = null;
      Mode mode = null;
      Set<String> seen = new HashSet<>();
      for (String part : spec.split(",", -1)) {
        int equals = part.indexOf('=');
        String key = equals < 0 ? part : part.substring(0, equals);
        String value = equals < 0 ? "" : part.substring(equals + 1);
        if (!seen.add(key)) {
          throw badSpec(spec);
        }
        switch (key) {
          case "pool" -> pool = value;
          case "base" -> base = value;
          case "size" -> size = size(value, spec);
          case "mode" -> mode = mode(value);
          default -> throw badSpec(spec);
        }
      }
      if (pool == null) {
        throw badSpec(spec);
      }
      return new Disk(pool, size, base, mode);
    }

    private static Long size(String value, String spec) {
      if (!value.matches("[0-9]{1,12}")) {
        throw badSpec(spec);
      }
      return Long.parseLong(value);
    }

    private static Mode mode(String text) {
      return switch (text) {
        case "empty" -> Mode.EMPTY;
        case "overlay" -> Mode.OVERLAY;
        case "clone" -> Mode.CLONE;
        default ->
            throw Params.invalid(
                "disk mode must be empty, overlay or clone, not '" + Printable.escape(text) + "'");
      };
    }

    private static RuntimeException badSpec(String spec) {
      return Params.invalid(
          "disk '"
              + Printable.escape(spec)
              + "': expected pool=POOL,size=MIB or pool=POOL,base=VOLUME[,mode=overlay|clone]"
              + "[,size=MIB]");
    }
  }

  /**
   * A cloud-init NoCloud seed: {@code userData} as given, {@code metaData} or, when null, the VM's
   * instance id and host name; kept as a volume of {@code pool} (null: the first disk's pool).
   */
  record CloudInit(String userData, String metaData, String pool) {
    /** Largest user-data or meta-data, in characters. */
    public static final int MAX_CHARS = 64 * 1024;

    public CloudInit {
      Objects.requireNonNull(userData, "userData == null");
      if (userData.length() > MAX_CHARS || (metaData != null && metaData.length() > MAX_CHARS)) {
        throw Params.invalid(
            "cloud-init user_data and meta_data are at most " + MAX_CHARS + " characters");
      }
      if (pool != null) {
        VmRef.validName("pool name", pool);
      }
    }

    /** Without the contents, which may hold passwords: only their digests. */
    @Override
    public String toString() {
      return "CloudInit[user_data="
          + Origin.digestOf(userData)
          + ", meta_data="
          + (metaData == null ? "default" : Origin.digestOf(metaData))
          + ", pool="
          + pool
          + "]";
    }
  }
}
