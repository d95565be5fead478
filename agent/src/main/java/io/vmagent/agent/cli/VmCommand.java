package io.vmagent.agent.cli;

import io.vmagent.agent.libvirt.StopOptions;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vm-agent vm ...}: the VM operations, run locally by an operator at the host. */
@Command(
    name = "vm",
    mixinStandardHelpOptions = true,
    description = "Run VM operations on this host through libvirt (AGENT_LIBVIRT_URI).",
    subcommands = {
      VmCommand.ListVms.class,
      VmCommand.Info.class,
      VmCommand.Start.class,
      VmCommand.Stop.class,
      VmCommand.Restart.class,
      VmCommand.Pause.class,
      VmCommand.Resume.class,
      VmCommand.Delete.class,
      SnapshotCommand.class,
      ChangeCommands.Addresses.class,
      ChangeCommands.Autostart.class,
      ChangeCommands.SetResources.class,
      ChangeCommands.AttachDisk.class,
      ChangeCommands.DetachDisk.class,
      CreateCommand.Define.class,
      CreateCommand.Create.class,
      HelpCommand.class
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  vm-agent vm list",
      "  vm-agent vm info web-01 --json",
      "  vm-agent vm stop web-01 --timeout 120 --force-after-timeout",
      "  vm-agent vm delete web-01 --remove-storage --yes",
      "  vm-agent vm snapshot create web-01 --name before-upgrade",
      "  vm-agent vm set-resources web-01 --vcpus 4 --memory-mib 8192",
      "  vm-agent vm attach-disk web-01 --pool default --volume web-01-data.qcow2 --size-mib 10240",
      "  vm-agent vm create web-02 --vcpus 2 --memory 2048 --disk pool=default,size=20480 --start"
    })
final class VmCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options of stop and restart. */
  static final class StopFlags {
    @Option(names = "--force", description = "Destroy at once (hard power-off); no ACPI request.")
    boolean force;

    @Option(
        names = "--timeout",
        paramLabel = "SECONDS",
        description =
            "Seconds the guest gets to react to ACPI (1-3600; default AGENT_STOP_TIMEOUT).")
    Integer timeoutSeconds;

    @Option(
        names = "--force-after-timeout",
        description = "Destroy the VM when the guest ignored ACPI for the whole timeout.")
    boolean forceAfterTimeout;

    StopOptions options() {
      return new StopOptions(
          force,
          timeoutSeconds == null ? null : Duration.ofSeconds(timeoutSeconds),
          forceAfterTimeout);
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List every VM, running or not.")
  static final class ListVms extends VmSubcommand {
    @Override
    void run(VmCliSession session, PrintWriter out) {
      output.print(out, session.run(ops -> ops.list()), VmTables::list);
    }
  }

  @Command(
      name = "info",
      mixinStandardHelpOptions = true,
      description = "Show a VM's details: disks, interfaces, snapshots, uptime.")
  static final class Info extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Option(names = "--xml", description = "Include the domain XML.")
    boolean xml;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      output.print(out, session.run(ops -> ops.info(vm, xml)), VmTables::info);
    }
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = "Start a shut-off VM (nothing happens if it runs).")
  static final class Start extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      output.print(out, session.run(ops -> ops.start(vm)), VmTables::lifecycle);
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description = "Shut a VM down through ACPI; --force or --force-after-timeout destroy it.")
  static final class Stop extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Mixin StopFlags flags;
    @Mixin Confirmation confirmation;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      confirmation.confirm(
          (flags.force ? "Power off (destroy) " : "Shut down ") + "VM " + vm + "?");
      output.print(out, session.run(ops -> ops.stop(vm, flags.options())), VmTables::lifecycle);
    }
  }

  @Command(
      name = "restart",
      mixinStandardHelpOptions = true,
      description =
          "Reboot a VM through ACPI; --force or --force-after-timeout destroy and start it.")
  static final class Restart extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Mixin StopFlags flags;
    @Mixin Confirmation confirmation;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      confirmation.confirm("Restart VM " + vm + "?");
      output.print(out, session.run(ops -> ops.restart(vm, flags.options())), VmTables::lifecycle);
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Pause a running VM (its vCPUs stop; memory is kept).")
  static final class Pause extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      output.print(out, session.run(ops -> ops.pause(vm)), VmTables::lifecycle);
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused VM.")
  static final class Resume extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      output.print(out, session.run(ops -> ops.resume(vm)), VmTables::lifecycle);
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description =
          "Delete a VM (destroyed first if running); disks are kept unless "
              + "--remove-storage, which removes only libvirt storage-pool volumes.")
  static final class Delete extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Option(
        names = "--remove-storage",
        description = "Also delete the VM's disks that are volumes of a libvirt storage pool.")
    boolean removeStorage;

    @Mixin Confirmation confirmation;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      confirmation.confirm(
          "Delete VM "
              + vm
              + (removeStorage ? " and its storage volumes" : "")
              + "? This cannot be undone.");
      output.print(out, session.run(ops -> ops.delete(vm, removeStorage)), VmTables::lifecycle);
    }
  }
}
