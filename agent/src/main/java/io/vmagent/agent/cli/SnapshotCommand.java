package io.vmagent.agent.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vm-agent vm snapshot create|list|revert|delete}. */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    description = "Create, list, revert to and delete VM snapshots.",
    subcommands = {
      SnapshotCommand.Create.class,
      SnapshotCommand.ListSnapshots.class,
      SnapshotCommand.Revert.class,
      SnapshotCommand.DeleteSnapshot.class,
      HelpCommand.class
    })
final class SnapshotCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = "Take a snapshot (with memory when the VM runs).")
  static final class Create extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        description = "Snapshot name (default: libvirt's).")
    String name;

    @Option(names = "--description", paramLabel = "TEXT", description = "Free text kept with it.")
    String description;

    @Option(
        names = "--memory",
        negatable = true,
        description = "Include (or with --no-memory leave out) the running VM's memory.")
    Boolean withMemory;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      output.print(
          out,
          session.run(ops -> ops.snapshotCreate(vm, name, description, withMemory)),
          VmTables::snapshot);
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List a VM's snapshots.")
  static final class ListSnapshots extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      output.print(out, session.run(ops -> ops.snapshotList(vm)), VmTables::snapshot);
    }
  }

  @Command(
      name = "revert",
      mixinStandardHelpOptions = true,
      description = "Revert a VM to a snapshot (its current state is lost).")
  static final class Revert extends VmSubcommand {
    @Parameters(index = "0", paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Parameters(index = "1", paramLabel = "SNAPSHOT", description = "Snapshot name.")
    String name;

    @Mixin Confirmation confirmation;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      confirmation.confirm(
          "Revert VM " + vm + " to snapshot " + name + "? Its current state is lost.");
      output.print(out, session.run(ops -> ops.snapshotRevert(vm, name)), VmTables::snapshot);
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description = "Delete a snapshot (nothing happens if it is absent).")
  static final class DeleteSnapshot extends VmSubcommand {
    @Parameters(index = "0", paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Parameters(index = "1", paramLabel = "SNAPSHOT", description = "Snapshot name.")
    String name;

    @Mixin Confirmation confirmation;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      confirmation.confirm("Delete snapshot " + name + " of VM " + vm + "?");
      output.print(out, session.run(ops -> ops.snapshotDelete(vm, name)), VmTables::snapshot);
    }
  }
}
