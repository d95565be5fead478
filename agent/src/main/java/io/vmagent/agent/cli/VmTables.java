package io.vmagent.agent.cli;

import io.vmagent.agent.libvirt.CreateResult;
import io.vmagent.agent.libvirt.DiskInfo;
import io.vmagent.agent.libvirt.LifecycleResult;
import io.vmagent.agent.libvirt.SnapshotInfo;
import io.vmagent.agent.libvirt.SnapshotResult;
import io.vmagent.agent.libvirt.VmDetails;
import io.vmagent.agent.libvirt.VmList;
import io.vmagent.agent.libvirt.VmSummary;
import io.vmagent.protocol.text.Printable;
import java.io.PrintWriter;
import java.util.List;

/**
 * The command line's readable rendering of VM operation results. Tables escape their cells ({@link
 * TextTable}); the sentences here pass every name and message through {@link #text(Object)}.
 */
final class VmTables {
  private VmTables() {}

  static void list(VmList list, PrintWriter out) {
    TextTable table =
        new TextTable(
            "NAME",
            "STATE",
            "REASON",
            "VCPUS",
            "MEMORY",
            "MAX MEMORY",
            "PERSISTENT",
            "AUTOSTART",
            "UUID");
    for (VmSummary vm : list.vms()) {
      table.row(
          vm.name(),
          vm.state(),
          vm.stateReason(),
          vm.vcpus(),
          mib(vm.memoryKib()),
          mib(vm.maxMemoryKib()),
          yesNo(vm.persistent()),
          yesNo(vm.autostart()),
          vm.uuid());
    }
    table.print(out);
  }

  static void info(VmDetails details, PrintWriter out) {
    facts(details).print(out);
    out.println();
    disks(details.disks()).print(out);
    out.println();
    ChangeTables.interfaces(details.interfaces()).print(out);
    out.println();
    snapshots(details.snapshots(), out);
    if (details.xml() != null) {
      out.println();
      // Line by line, so the document keeps its layout while a stray control in it is shown.
      details.xml().lines().forEach(line -> out.println(text(line)));
    }
  }

  private static TextTable facts(VmDetails details) {
    VmSummary vm = details.vm();
    return new TextTable("FIELD", "VALUE")
        .row("name", vm.name())
        .row("uuid", vm.uuid())
        .row("id", vm.id())
        .row("state", vm.state() + " (" + vm.stateReason() + ")")
        .row("vcpus", vm.vcpus())
        .row("memory", mib(vm.memoryKib()) + " of " + mib(vm.maxMemoryKib()))
        .row("persistent", yesNo(vm.persistent()))
        .row("autostart", yesNo(vm.autostart()))
        .row("os type", details.osType())
        .row("managed save", yesNo(details.hasManagedSave()))
        .row(
            "uptime",
            details.uptimeSeconds() == null
                ? null
                : Boolean.TRUE.equals(details.uptimeEstimated())
                    ? "~"
                        + duration(details.uptimeSeconds())
                        + " (from "
                        + details.uptimeSource()
                        + ", estimated)"
                    : duration(details.uptimeSeconds()) + " (from " + details.uptimeSource() + ")")
        .row("current snapshot", details.currentSnapshot());
  }

  private static TextTable disks(List<DiskInfo> disks) {
    TextTable table =
        new TextTable(
            "DISK", "DEVICE", "BUS", "FORMAT", "SOURCE", "CAPACITY", "ALLOCATION", "POOL");
    for (DiskInfo disk : disks) {
      table.row(
          disk.target(),
          disk.device(),
          disk.bus(),
          disk.format(),
          disk.source(),
          bytes(disk.capacityBytes()),
          bytes(disk.allocationBytes()),
          disk.pool());
    }
    return table;
  }

  static void lifecycle(LifecycleResult result, PrintWriter out) {
    if (!result.changed()) {
      out.println(text(result.vm()) + ": " + text(result.message()) + "; nothing changed");
      return;
    }
    out.println(
        text(result.vm())
            + ": "
            + text(result.stateBefore())
            + " -> "
            + text(result.stateAfter())
            + " ("
            + text(result.method())
            + (Boolean.TRUE.equals(result.forced()) ? ", forced" : "")
            + ") in "
            + result.durationMs()
            + " ms: "
            + text(result.message()));
    printList(out, "removed volume", result.removedVolumes());
    printList(out, "kept disk", result.keptDisks());
    printList(out, "storage error", result.storageErrors());
  }

  static void created(CreateResult result, PrintWriter out) {
    if (!result.changed()) {
      out.println(text(result.vm()) + ": " + text(result.message()) + "; nothing changed");
      return;
    }
    out.println(
        text(result.vm())
            + " ("
            + text(result.uuid())
            + "): "
            + text(result.stateBefore())
            + " -> "
            + text(result.stateAfter())
            + " ("
            + text(result.method())
            + ") in "
            + result.durationMs()
            + " ms: "
            + text(result.message()));
    printList(out, "volume", result.volumes());
  }

  static void snapshot(SnapshotResult result, PrintWriter out) {
    if (result.snapshots() != null) {
      snapshots(result.snapshots(), out);
      return;
    }
    out.println(
        text(result.vm())
            + ": snapshot "
            + text(result.action())
            + " '"
            + text(result.snapshot())
            + "': "
            + text(result.message())
            + (result.changed() ? "" : "; nothing changed")
            + " (VM "
            + text(result.stateBefore())
            + " -> "
            + text(result.stateAfter())
            + ", "
            + result.durationMs()
            + " ms)");
  }

  private static void snapshots(List<SnapshotInfo> snapshots, PrintWriter out) {
    TextTable table =
        new TextTable("SNAPSHOT", "CREATED", "STATE", "MEMORY", "CURRENT", "PARENT", "DESCRIPTION");
    for (SnapshotInfo s : snapshots) {
      table.row(
          s.name(),
          s.creationTime(),
          s.state(),
          yesNo(s.hasMemory()),
          s.current() ? "*" : "",
          s.parent(),
          s.description());
    }
    table.print(out);
  }

  private static void printList(PrintWriter out, String label, List<String> items) {
    if (items != null) {
      items.forEach(item -> out.println("  " + label + ": " + text(item)));
    }
  }

  private static String text(Object value) {
    return String.valueOf(Printable.escape(value));
  }

  private static String mib(long kib) {
    return (kib / 1024) + " MiB";
  }

  private static String bytes(Long bytes) {
    if (bytes == null) {
      return null;
    }
    return bytes >= 1L << 30
        ? String.format("%.1f GiB", bytes / (double) (1L << 30))
        : (bytes / (1L << 20)) + " MiB";
  }

  private static String duration(long seconds) {
    return String.format(
        "%dd %02dh %02dm %02ds",
        seconds / 86400, seconds / 3600 % 24, seconds / 60 % 60, seconds % 60);
  }

  private static String yesNo(boolean value) {
    return value ? "yes" : "no";
  }
}
