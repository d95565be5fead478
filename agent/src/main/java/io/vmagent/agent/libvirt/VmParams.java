package io.vmagent.agent.libvirt;

import io.vmagent.agent.operation.Operation;
import io.vmagent.agent.operation.Params;
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
}
