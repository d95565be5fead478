package io.vmagent.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Writes node XML for libvirt's test driver ({@code test:///path/to/node.xml}) describing a host
 * with any number of domains, so fixtures of 10 or 500 VMs are generated rather than kept by hand.
 * Domain {@code i} is named {@code vm-NNNN}, has a UUID derived from its index, 1-4 vCPUs, two
 * disks and one or two interfaces; every tenth domain is shut off.
 *
 * <p>The test driver names interfaces itself ({@code testnet0}, {@code testnet1}...).
 */
public final class TestDriverNodeXml {
  private TestDriverNodeXml() {}

  /** The name of domain {@code index}. */
  public static String name(int index) {
    return String.format("vm-%04d", index);
  }

  /** The UUID of domain {@code index}, stable across runs. */
  public static String uuid(int index) {
    return UUID.nameUUIDFromBytes(name(index).getBytes(StandardCharsets.US_ASCII)).toString();
  }

  /** Whether domain {@code index} is running in the generated node. */
  public static boolean running(int index) {
    return index % 10 != 9;
  }

  /** vCPUs of domain {@code index}. */
  public static int vcpus(int index) {
    return 1 + index % 4;
  }

  /** Maximum memory of domain {@code index}, in KiB. */
  public static long memoryKib(int index) {
    return 524288L * (1 + index % 4);
  }

  /** Network interfaces of domain {@code index}. */
  public static int interfaces(int index) {
    return 1 + index % 2;
  }

  /** Writes a node with {@code domains} domains to {@code file} and returns its test:// URI. */
  public static String write(Path file, int domains) throws IOException {
    Files.writeString(file, xml(domains), StandardCharsets.UTF_8);
    return "test://" + file.toAbsolutePath();
  }

  private static String xml(int domains) {
    StringBuilder xml = new StringBuilder(1024 + domains * 1024);
    xml.append("<node xmlns:test='http://libvirt.org/schemas/domain/test/1.0'>\n")
        .append("  <cpu><mhz>2400</mhz><nodes>1</nodes><sockets>1</sockets>")
        .append("<cores>8</cores><threads>2</threads></cpu>\n")
        .append("  <memory>67108864</memory>\n");
    for (int i = 0; i < domains; i++) {
      domain(xml, i);
    }
    return xml.append("</node>\n").toString();
  }

  private static void domain(StringBuilder xml, int i) {
    xml.append("  <domain type='test'>\n")
        .append("    <name>")
        .append(name(i))
        .append("</name>\n")
        .append("    <uuid>")
        .append(uuid(i))
        .append("</uuid>\n")
        .append("    <memory unit='KiB'>")
        .append(memoryKib(i))
        .append("</memory>\n")
        .append("    <currentMemory unit='KiB'>")
        .append(memoryKib(i) / 2)
        .append("</currentMemory>\n")
        .append("    <vcpu>")
        .append(vcpus(i))
        .append("</vcpu>\n")
        .append("    <os><type arch='x86_64'>hvm</type></os>\n")
        .append("    <devices>\n");
    for (String disk : new String[] {"vda", "vdb"}) {
      xml.append("      <disk type='file' device='disk'><source file='/images/")
          .append(name(i))
          .append('-')
          .append(disk)
          .append(".qcow2'/><target dev='")
          .append(disk)
          .append("' bus='virtio'/></disk>\n");
    }
    for (int n = 0; n < interfaces(i); n++) {
      xml.append("      <interface type='network'><mac address='52:54:00:")
          .append(String.format("%02x:%02x:%02x", (i >> 8) & 0xff, i & 0xff, n))
          .append("'/><source network='default'/></interface>\n");
    }
    xml.append("      <memballoon model='virtio'/>\n    </devices>\n");
    if (!running(i)) {
      xml.append("    <test:runstate>5</test:runstate>\n");
    }
    xml.append("  </domain>\n");
  }
}
