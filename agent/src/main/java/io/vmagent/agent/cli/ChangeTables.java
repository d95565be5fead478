package io.vmagent.agent.cli;

import io.vmagent.agent.libvirt.ChangeResult;
import io.vmagent.agent.libvirt.InterfaceInfo;
import io.vmagent.agent.libvirt.IpAddress;
import io.vmagent.agent.libvirt.VmAddresses;
import io.vmagent.protocol.text.Printable;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The command line's readable rendering of addresses and of the changes' results. */
final class ChangeTables {
  private ChangeTables() {}

  /** A VM's interfaces, one row per interface, its addresses with their sources. */
  static TextTable interfaces(List<InterfaceInfo> interfaces) {
    TextTable table = new TextTable("MAC", "TYPE", "SOURCE", "TARGET", "MODEL", "ADDRESSES");
    for (InterfaceInfo nic : interfaces) {
      table.row(
          nic.mac(), nic.type(), nic.source(), nic.targetDevice(), nic.model(), addresses(nic));
    }
    return table;
  }

  static void addresses(VmAddresses result, PrintWriter out) {
    out.println(text(result.vm()) + " (" + text(result.state()) + ")");
    interfaces(result.interfaces()).print(out);
  }

  static void change(ChangeResult result, PrintWriter out) {
    if (!result.changed()) {
      out.println(text(result.vm()) + ": " + text(result.message()) + "; nothing changed");
      return;
    }
    out.println(text(result.vm()) + ": " + text(result.message()) + " (" + result.method() + ")");
    TextTable table = new TextTable("SETTING", "BEFORE", "AFTER");
    List<String[]> rows = new ArrayList<>();
    ChangeResult.Settings was = result.before();
    ChangeResult.Settings now = result.after();
    rows.add(row("autostart", onOff(was.autostart()), onOff(now.autostart())));
    rows.add(row("vcpus", was.vcpus(), now.vcpus()));
    rows.add(row("memory", mib(was.memoryKib()), mib(now.memoryKib())));
    rows.add(row("live vcpus", was.liveVcpus(), now.liveVcpus()));
    rows.add(row("live memory", mib(was.liveMemoryKib()), mib(now.liveMemoryKib())));
    rows.add(row("disks", join(was.disks()), join(now.disks())));
    rows.add(row("live disks", join(was.liveDisks()), join(now.liveDisks())));
    for (String[] row : rows) {
      if (row[1] != null || row[2] != null) {
        table.row((Object[]) row);
      }
    }
    table.print(out);
    if (Boolean.TRUE.equals(result.appliesAtNextStart())) {
      out.println("applies at the next start of " + text(result.vm()));
    }
  }

  private static String addresses(InterfaceInfo nic) {
    if (nic.addresses() == null || nic.addresses().isEmpty()) {
      return null;
    }
    return nic.addresses().stream().map(ChangeTables::address).collect(Collectors.joining(", "));
  }

  private static String address(IpAddress address) {
    return address.address() + "/" + address.prefix() + " (" + address.source() + ")";
  }

  private static String[] row(String name, Object before, Object after) {
    return new String[] {
      name, before == null ? null : before.toString(), after == null ? null : after.toString()
    };
  }

  private static String onOff(Boolean value) {
    return value == null ? null : value ? "on" : "off";
  }

  private static String mib(Long kib) {
    return kib == null ? null : (kib / 1024) + " MiB";
  }

  private static String join(List<String> items) {
    return items == null ? null : items.isEmpty() ? "-" : String.join(" ", items);
  }

  private static String text(Object value) {
    return String.valueOf(Printable.escape(value));
  }
}
