package io.vmagent.agent.cli;

import io.vmagent.agent.libvirt.VmParams;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code vm} subcommands for addresses and everyday changes. */
final class ChangeCommands {
  private ChangeCommands() {}

  @Command(
      name = "addresses",
      mixinStandardHelpOptions = true,
      description =
          "Show a VM's interfaces with their MAC, network and IP addresses (from the guest agent,"
              + " else the DHCP leases of libvirt's networks, else the ARP table).")
  static final class Addresses extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      output.print(out, session.run(ops -> ops.addresses(vm)), ChangeTables::addresses);
    }
  }

  @Command(
      name = "autostart",
      mixinStandardHelpOptions = true,
      description = "Turn starting the VM when the host boots on or off.")
  static final class Autostart extends VmSubcommand {
    @Parameters(index = "0", paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Parameters(index = "1", paramLabel = "on|off", description = "on or off.")
    String setting;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      boolean on =
          switch (setting) {
            case "on" -> true;
            case "off" -> false;
            default ->
                throw new CommandLine.ParameterException(
                    spec.commandLine(), "autostart must be on or off");
          };
      output.print(out, session.run(ops -> ops.setAutostart(vm, on)), ChangeTables::change);
    }
  }

  @Command(
      name = "set-resources",
      mixinStandardHelpOptions = true,
      description =
          "Set a VM's vCPUs and/or memory: live where the hypervisor allows, else in its"
              + " configuration for the next start.")
  static final class SetResources extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Option(names = "--vcpus", paramLabel = "N", description = "vCPU count (1-4096).")
    Integer vcpus;

    @Option(
        names = "--memory-mib",
        paramLabel = "MIB",
        description = "Memory in MiB (16-16777216).")
    Long memoryMib;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      if (vcpus == null && memoryMib == null) {
        throw new CommandLine.ParameterException(
            spec.commandLine(), "give --vcpus, --memory-mib or both");
      }
      Long kib = memoryMib == null ? null : memoryMib * 1024;
      output.print(out, session.run(ops -> ops.setResources(vm, vcpus, kib)), ChangeTables::change);
    }
  }

  /** {@code --mode} of the disk commands. */
  static final class DiskModeOption {
    @Option(
        names = "--mode",
        paramLabel = "MODE",
        description =
            "live, persistent or both (default: both for a running VM, persistent for a shut-off"
                + " one, live for a transient one).")
    String mode;

    VmParams.DiskMode mode() {
      return VmParams.DiskMode.parse(mode);
    }
  }

  @Command(
      name = "attach-disk",
      mixinStandardHelpOptions = true,
      description =
          "Attach a storage-pool volume to a VM; --size-mib creates the volume first (qcow2).")
  static final class AttachDisk extends VmSubcommand {
    @Parameters(paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Option(names = "--pool", required = true, paramLabel = "POOL", description = "Storage pool.")
    String pool;

    @Option(names = "--volume", required = true, paramLabel = "VOLUME", description = "Volume.")
    String volume;

    @Option(
        names = "--size-mib",
        paramLabel = "MIB",
        description = "Create the volume with this size (it must not exist yet).")
    Long sizeMib;

    @Option(
        names = "--target",
        paramLabel = "DEV",
        description = "Guest device, e.g. vdb (default: the first free vdX).")
    String target;

    @Mixin DiskModeOption mode;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      output.print(
          out,
          session.run(
              ops ->
                  ops.attachDisk(
                      new VmParams.AttachDisk(vm, pool, volume, sizeMib, target, mode.mode()))),
          ChangeTables::change);
    }
  }

  @Command(
      name = "detach-disk",
      mixinStandardHelpOptions = true,
      description = "Detach a disk from a VM; its volume is kept.")
  static final class DetachDisk extends VmSubcommand {
    @Parameters(index = "0", paramLabel = "VM", description = "VM name or UUID.")
    String vm;

    @Parameters(index = "1", paramLabel = "TARGET", description = "Guest device, e.g. vdb.")
    String target;

    @Mixin DiskModeOption mode;
    @Mixin Confirmation confirmation;

    @Override
    void run(VmCliSession session, PrintWriter out) {
      confirmation.confirm("Detach disk " + target + " from VM " + vm + "?");
      output.print(
          out, session.run(ops -> ops.detachDisk(vm, target, mode.mode())), ChangeTables::change);
    }
  }
}
