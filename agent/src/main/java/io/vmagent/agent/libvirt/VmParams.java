package io.vmagent.agent.libvirt;

import io.vmagent.agent.operation.Operation;
import io.vmagent.agent.operation.Params;
import io.vmagent.protocol.text.Printable;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/** The parameters of the VM operations, each read once from a command or built by the CLI. */
public sealed interface VmParams {
  /** The VM's name or UUID, as the caller gave it. */
  String vm();

  /** Whether these parameters only read the VM, so that even a locking operation skips the lock. */
  default boolean readOnly() {
    return false;
  }

  /** The parameter names a record is read from, and how. */
  record Spec<P extends VmParams>(Set<String> names, Operation.Parser<P> parser) {}

  /** {@code start}, {@code pause}, {@code resume}: the VM alone. */
  record Vm(String vm) implements VmParams {
    static final Spec<Vm> SPEC = new Spec<>(Set.of("vm"), Vm::parse);

    static Vm parse(Params p) {
      return new Vm(p.requiredString("vm"));
    }
  }

  /** {@code info}: the VM, and whether to include its domain XML. */
  record Info(String vm, boolean includeXml) implements VmParams {
    static final Spec<Info> SPEC = new Spec<>(Set.of("vm", "include_xml"), Info::parse);

    static Info parse(Params p) {
      return new Info(p.requiredString("vm"), p.flag("include_xml"));
    }
  }

  /** {@code stop}, {@code restart}: the VM and how to treat its guest. */
  record Stop(String vm, StopOptions options) implements VmParams {
    static final Spec<Stop> SPEC =
        new Spec<>(Set.of("vm", "force", "timeout_seconds", "force_after_timeout"), Stop::parse);

    public Stop {
      Objects.requireNonNull(options, "options == null");
      Params.checkTimeout("timeout_seconds", options.timeout());
    }

    static Stop parse(Params p) {
      StopOptions options =
          new StopOptions(
              p.flag("force"), p.optionalTimeout("timeout_seconds"), p.flag("force_after_timeout"));
      return new Stop(p.requiredString("vm"), options);
    }
  }

  /** {@code delete}: the VM, and whether its storage-pool volumes go too. */
  record Delete(String vm, boolean removeStorage) implements VmParams {
    static final Spec<Delete> SPEC = new Spec<>(Set.of("vm", "remove_storage"), Delete::parse);

    static Delete parse(Params p) {
      return new Delete(p.requiredString("vm"), p.flag("remove_storage"));
    }
  }

  /**
   * {@code snapshot}: the VM and one action. {@code name} is required for revert and delete (null
   * for create lets libvirt choose); {@code withMemory} null means "the memory of a running VM".
   */
  record Snapshot(String vm, Action action, String name, String description, Boolean withMemory)
      implements VmParams {
    static final Spec<Snapshot> SPEC =
        new Spec<>(Set.of("vm", "action", "name", "description", "with_memory"), Snapshot::parse);

    /** What a snapshot command does. */
    public enum Action {
      CREATE,
      LIST,
      REVERT,
      DELETE
    }

    public Snapshot {
      Objects.requireNonNull(action, "action == null");
      if (action == Action.REVERT || action == Action.DELETE || name != null) {
        name = VmRef.validName("snapshot name", name);
      }
      description = SnapshotOperations.validDescription(description);
    }

    /** Listing snapshots only reads: it does not wait behind the VM's queue. */
    @Override
    public boolean readOnly() {
      return action == Action.LIST;
    }

    static Snapshot parse(Params p) {
      String vm = p.requiredString("vm");
      // The spec's snapshot is "create VM snapshot": a backend written against it sends no action.
      String action = Objects.requireNonNullElse(p.optionalString("action"), "create");
      return switch (action) {
        case "create" ->
            new Snapshot(
                vm,
                Action.CREATE,
                p.optionalString("name"),
                p.optionalString("description"),
                p.optionalFlag("with_memory"));
        case "list" -> new Snapshot(vm, Action.LIST, null, null, null);
        case "revert" -> new Snapshot(vm, Action.REVERT, p.requiredString("name"), null, null);
        case "delete" -> new Snapshot(vm, Action.DELETE, p.requiredString("name"), null, null);
        default ->
            throw Params.invalid(
                "snapshot action must be create, list, revert or delete, not '" + action + "'");
      };
    }
  }

  /** {@code set_autostart}: the VM and whether libvirt starts it when the host boots. */
  record Autostart(String vm, boolean enabled) implements VmParams {
    static final Spec<Autostart> SPEC = new Spec<>(Set.of("vm", "enabled"), Autostart::parse);

    static Autostart parse(Params p) {
      Boolean enabled = p.optionalFlag("enabled");
      if (enabled == null) {
        throw Params.invalid("set_autostart needs the parameter 'enabled' (true or false)");
      }
      return new Autostart(p.requiredString("vm"), enabled);
    }
  }

  /** {@code set_resources}: the VM and its new vCPU count and/or memory (at least one). */
  record Resources(String vm, Integer vcpus, Long memoryKib) implements VmParams {
    /** Most vCPUs a caller may ask for (libvirt's own limit for QEMU). */
    public static final int MAX_VCPUS = 4096;

    /** Least and most memory a caller may ask for, in MiB (16 MiB to 16 TiB). */
    public static final long MIN_MEMORY_MIB = 16;

    public static final long MAX_MEMORY_MIB = 16L << 20;

    static final Spec<Resources> SPEC =
        new Spec<>(Set.of("vm", "vcpus", "memory_mib"), Resources::parse);

    public Resources {
      if (vcpus == null && memoryKib == null) {
        throw Params.invalid("set_resources needs 'vcpus', 'memory_mib' or both");
      }
      if (vcpus != null && (vcpus < 1 || vcpus > MAX_VCPUS)) {
        throw Params.invalid("parameter 'vcpus' must be between 1 and " + MAX_VCPUS);
      }
      if (memoryKib != null
          && (memoryKib < MIN_MEMORY_MIB * 1024 || memoryKib > MAX_MEMORY_MIB * 1024)) {
        throw Params.invalid(
            "parameter 'memory_mib' must be between " + MIN_MEMORY_MIB + " and " + MAX_MEMORY_MIB);
      }
    }

    static Resources parse(Params p) {
      Long vcpus = p.optionalWholeNumber("vcpus", 1, MAX_VCPUS);
      Long mib = p.optionalWholeNumber("memory_mib", MIN_MEMORY_MIB, MAX_MEMORY_MIB);
      return new Resources(
          p.requiredString("vm"),
          vcpus == null ? null : vcpus.intValue(),
          mib == null ? null : mib * 1024);
    }
  }

  /** Where a disk change is made: the running VM, its persistent configuration, or both. */
  enum DiskMode {
    LIVE,
    PERSISTENT,
    BOTH;

    boolean live() {
      return this != PERSISTENT;
    }

    boolean persistent() {
      return this != LIVE;
    }

    /** The mode named {@code text}, or null for null. */
    public static DiskMode parse(String text) {
      if (text == null) {
        return null;
      }
      return switch (text) {
        case "live" -> LIVE;
        case "persistent" -> PERSISTENT;
        case "both" -> BOTH;
        default ->
            throw Params.invalid(
                "parameter 'mode' must be live, persistent or both, not '"
                    + Printable.escape(text)
                    + "'");
      };
    }
  }

  /**
   * {@code attach_disk}: the VM, the storage-pool volume (created with {@code sizeMib} when given),
   * the guest target ({@code vdb}; null picks the first free {@code vdX}) and where (null: see
   * {@link DiskChange}).
   */
  record AttachDisk(
      String vm, String pool, String volume, Long sizeMib, String target, DiskMode mode)
      implements VmParams {
    /** Largest new volume, in MiB (64 TiB). */
    public static final long MAX_SIZE_MIB = 64L << 20;

    static final Spec<AttachDisk> SPEC =
        new Spec<>(Set.of("vm", "pool", "volume", "size_mib", "target", "mode"), AttachDisk::parse);

    public AttachDisk {
      pool = VmRef.validName("pool", pool);
      volume = VmRef.validName("volume", volume);
      target = target == null ? null : DiskChange.validTarget(target);
      if (sizeMib != null && (sizeMib < 1 || sizeMib > MAX_SIZE_MIB)) {
        throw Params.invalid("parameter 'size_mib' must be between 1 and " + MAX_SIZE_MIB);
      }
    }

    static AttachDisk parse(Params p) {
      return new AttachDisk(
          p.requiredString("vm"),
          p.requiredString("pool"),
          p.requiredString("volume"),
          p.optionalWholeNumber("size_mib", 1, MAX_SIZE_MIB),
          p.optionalString("target"),
          DiskMode.parse(p.optionalString("mode")));
    }
  }

  /** {@code detach_disk}: the VM, the disk's guest target and where (null: see DiskChange). */
  record DetachDisk(String vm, String target, DiskMode mode) implements VmParams {
    static final Spec<DetachDisk> SPEC =
        new Spec<>(Set.of("vm", "target", "mode"), DetachDisk::parse);

    public DetachDisk {
      target = DiskChange.validTarget(target);
    }

    static DetachDisk parse(Params p) {
      return new DetachDisk(
          p.requiredString("vm"),
          p.requiredString("target"),
          DiskMode.parse(p.optionalString("mode")));
    }
  }

  /** {@code migrate}: the VM and where and how it moves. */
  record Migrate(String vm, MigrationOptions options) implements VmParams {
    static final Spec<Migrate> SPEC = new Spec<>(names(), Migrate::parse);

    public Migrate {
      Objects.requireNonNull(options, "options == null");
    }

    static Migrate parse(Params p) {
      return new Migrate(p.requiredString("vm"), MigrationOptions.parse(p));
    }

    private static Set<String> names() {
      Set<String> names = new HashSet<>(MigrationOptions.NAMES);
      names.add("vm");
      return Set.copyOf(names);
    }
  }
}
