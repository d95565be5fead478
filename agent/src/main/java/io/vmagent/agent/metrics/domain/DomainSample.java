package io.vmagent.agent.metrics.domain;

import java.util.Arrays;

/**
 * Raw counters of one domain at one instant, as libvirt reported them; -1 marks a figure libvirt
 * did not give. Mutable and package-private: it is a parse buffer, filled from the bulk call and,
 * where the driver left groups out, from per-domain calls, then turned into an immutable
 * {@link DomainMetrics}.
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
  DeviceCounters[] disks = new DeviceCounters[0];
  int diskCount;
  DeviceCounters[] interfaces = new DeviceCounters[0];
  int interfaceCount;

  /** True when the domain is running or paused (it has a QEMU process and devices to query). */
  boolean active() {
    return id >= 0;
  }

  DeviceCounters disk(int index) {
    disks = grow(disks, index);
    diskCount = Math.max(diskCount, index + 1);
    return disks[index];
  }

  DeviceCounters networkInterface(int index) {
    interfaces = grow(interfaces, index);
    interfaceCount = Math.max(interfaceCount, index + 1);
    return interfaces[index];
  }

  private static DeviceCounters[] grow(DeviceCounters[] array, int index) {
    DeviceCounters[] result = array;
    if (index >= array.length) {
      result = Arrays.copyOf(array, Math.max(index + 1, array.length * 2));
    }
    if (result[index] == null) {
      result[index] = new DeviceCounters();
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

    String name;
    final long[] values = {ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT, ABSENT};
  }
}
