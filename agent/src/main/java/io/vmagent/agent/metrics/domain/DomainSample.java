package io.vmagent.agent.metrics.domain;

import io.vmagent.agent.metrics.DomainMetrics;
import java.util.Arrays;

/**
 * Raw counters of one domain at one instant, as libvirt reported them; -1 marks a figure libvirt
 * did not give. Mutable and package-private: it is a parse buffer, filled from the bulk call and,
 * where the driver left groups out, from per-domain calls, then turned into an immutable {@link
 * DomainMetrics}. The reader reuses its samples from one collection to the next ({@link #reset}),
 * so nothing may keep one.
 */
final class DomainSample {
  static final int ABSENT = -1;

  String name;
  String uuid;
  int id = ABSENT;
  int state = ABSENT;
  int reason = ABSENT;
  int vcpus = ABSENT;
  long cpuTimeNanos = ABSENT;
  long memoryMaxKib = ABSENT;
  long memoryCurrentKib = ABSENT;
  long balloonUnusedKib = ABSENT;
  long balloonAvailableKib = ABSENT;
  long balloonUsableKib = ABSENT;
  long balloonRssKib = ABSENT;
  DeviceCounters[] disks = NONE;
  int diskCount;
  DeviceCounters[] interfaces = NONE;
  int interfaceCount;

  private static final DeviceCounters[] NONE = new DeviceCounters[0];

  /** Makes this sample ready for another domain or collection; keeps its arrays. */
  void reset() {
    name = null;
    uuid = null;
    id = ABSENT;
    state = ABSENT;
    reason = ABSENT;
    vcpus = ABSENT;
    cpuTimeNanos = ABSENT;
    memoryMaxKib = ABSENT;
    memoryCurrentKib = ABSENT;
    balloonUnusedKib = ABSENT;
    balloonAvailableKib = ABSENT;
    balloonUsableKib = ABSENT;
    balloonRssKib = ABSENT;
    for (int i = 0; i < diskCount; i++) {
      if (disks[i] != null) {
        disks[i].reset();
      }
    }
    for (int i = 0; i < interfaceCount; i++) {
      if (interfaces[i] != null) {
        interfaces[i].reset();
      }
    }
    diskCount = 0;
    interfaceCount = 0;
  }

  /** True when the domain is running or paused (it has a QEMU process and devices to query). */
  boolean active() {
    return id >= 0;
  }

  DeviceCounters disk(int index) {
    disks = grow(disks, index, DeviceCounters.DISK_FIELDS);
    diskCount = Math.max(diskCount, index + 1);
    return disks[index];
  }

  DeviceCounters networkInterface(int index) {
    interfaces = grow(interfaces, index, DeviceCounters.INTERFACE_FIELDS);
    interfaceCount = Math.max(interfaceCount, index + 1);
    return interfaces[index];
  }

  /** Sizes the disk array once from libvirt's {@code block.count}, which precedes the disks. */
  void expectDisks(int count) {
    if (count > disks.length) {
      disks = Arrays.copyOf(disks, count);
    }
  }

  /** Sizes the interface array once from libvirt's {@code net.count}. */
  void expectInterfaces(int count) {
    if (count > interfaces.length) {
      interfaces = Arrays.copyOf(interfaces, count);
    }
  }

  private static DeviceCounters[] grow(DeviceCounters[] array, int index, int fields) {
    DeviceCounters[] result = array;
    if (index >= array.length) {
      result = Arrays.copyOf(array, Math.max(index + 1, array.length * 2));
    }
    if (result[index] == null) {
      result[index] = new DeviceCounters(fields);
    }
    return result;
  }

  /**
   * Counters of one disk or interface. Disks use {@code RD_REQS..WR_BYTES}, interfaces {@code
   * RX_BYTES..TX_DROP}.
   */
  static final class DeviceCounters {
    static final int RD_REQS = 0;
    static final int RD_BYTES = 1;
    static final int WR_REQS = 2;
    static final int WR_BYTES = 3;

    static final int RX_BYTES = 0;
    static final int RX_PKTS = 1;
    static final int RX_ERRS = 2;
    static final int RX_DROP = 3;
    static final int TX_BYTES = 4;
    static final int TX_PKTS = 5;
    static final int TX_ERRS = 6;
    static final int TX_DROP = 7;

    static final int DISK_FIELDS = 4;
    static final int INTERFACE_FIELDS = 8;

    String name;
    final long[] values;

    DeviceCounters(int fields) {
      values = new long[fields];
      Arrays.fill(values, ABSENT);
    }

    void reset() {
      name = null;
      Arrays.fill(values, ABSENT);
    }
  }
}
