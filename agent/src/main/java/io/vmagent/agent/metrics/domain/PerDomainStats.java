package io.vmagent.agent.metrics.domain;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import java.util.List;
import javax.xml.stream.XMLStreamException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-domain libvirt calls that fill the groups a driver's bulk statistics left out. Each call is
 * one round trip on remote drivers and is counted in {@link RoundTrips}. A failing device call (a
 * disk with no medium, an interface unplugged meanwhile) skips that device only.
 */
final class PerDomainStats {
  private static final Logger LOG = LoggerFactory.getLogger(PerDomainStats.class);

  // struct virDomainInfo { unsigned char state; unsigned long maxMem; unsigned long memory;
  //                        unsigned short nrVirtCpu; unsigned long long cpuTime; }  (LP64)
  private static final int INFO_SIZE = 40;
  // struct virDomainBlockStatsStruct { long long rd_req, rd_bytes, wr_req, wr_bytes, errs; }
  private static final int BLOCK_STATS_SIZE = 40;
  // struct virDomainInterfaceStatsStruct { long long rx_bytes, rx_packets, rx_errs, rx_drop,
  //                                        tx_bytes, tx_packets, tx_errs, tx_drop; }
  private static final int INTERFACE_STATS_SIZE = 64;
  // struct virDomainMemoryStatStruct { int tag; unsigned long long val; }
  private static final int MEMORY_STAT_SIZE = 16;
  private static final int MEMORY_STAT_COUNT = 13;
  private static final int TAG_UNUSED = 4;
  private static final int TAG_AVAILABLE = 5;
  private static final int TAG_ACTUAL_BALLOON = 6;
  private static final int TAG_RSS = 7;
  private static final int TAG_USABLE = 8;

  private final Memory info = DomainStatsBinding.buffer(INFO_SIZE);
  private final Memory block = DomainStatsBinding.buffer(BLOCK_STATS_SIZE);
  private final Memory net = DomainStatsBinding.buffer(INTERFACE_STATS_SIZE);
  private final Memory memory = DomainStatsBinding.buffer(MEMORY_STAT_SIZE * MEMORY_STAT_COUNT);
  private final DeviceInventory inventory;
  private final RoundTrips roundTrips;

  PerDomainStats(DeviceInventory inventory, RoundTrips roundTrips) {
    this.inventory = inventory;
    this.roundTrips = roundTrips;
  }

  /** State (when the bulk call gave none), vCPUs, memory and CPU time from virDomainGetInfo. */
  void info(Pointer domain, DomainSample out, boolean needCpu, boolean needMemory, boolean needVcpu)
      throws DomainStatsException {
    roundTrips.increment();
    if (DomainStatsBinding.virDomainGetInfo(domain, info) < 0) {
      throw DomainStatsBinding.lastError("virDomainGetInfo(" + out.name + ")");
    }
    if (out.state == DomainSample.ABSENT) {
      out.state = info.getByte(0) & 0xff;
    }
    if (needMemory) {
      out.memoryMaxKib = info.getLong(8);
      out.memoryCurrentKib = info.getLong(16);
    }
    if (needVcpu) {
      out.vcpus = info.getShort(24) & 0xffff;
    }
    if (needCpu) {
      out.cpuTimeNanos = info.getLong(32);
    }
  }

  /** Balloon details (unused, available, usable, rss) from virDomainMemoryStats. */
  void balloon(Pointer domain, DomainSample out) {
    roundTrips.increment();
    int n = DomainStatsBinding.virDomainMemoryStats(domain, memory, MEMORY_STAT_COUNT, 0);
    if (n < 0) {
      LOG.debug(
          "no memory statistics for domain {}: {}",
          out.name,
          DomainStatsBinding.virGetLastErrorMessage());
      return;
    }
    for (int i = 0; i < n; i++) {
      long at = (long) i * MEMORY_STAT_SIZE;
      int tag = memory.getInt(at);
      long value = memory.getLong(at + 8);
      switch (tag) {
        case TAG_UNUSED -> out.balloonUnusedKib = value;
        case TAG_AVAILABLE -> out.balloonAvailableKib = value;
        case TAG_USABLE -> out.balloonUsableKib = value;
        case TAG_RSS -> out.balloonRssKib = value;
        case TAG_ACTUAL_BALLOON -> {
          if (out.memoryCurrentKib == DomainSample.ABSENT) {
            out.memoryCurrentKib = value;
          }
        }
        default -> {
          // other tags (swap, faults, caches) are not part of the snapshot
        }
      }
    }
  }

  /** Disk and interface counters, one call per device, device names from the domain's XML. */
  void devices(Pointer domain, DomainSample out, boolean needBlock, boolean needNet, long nowNanos)
      throws DomainStatsException, XMLStreamException {
    DeviceInventory.Devices devices = inventory.cached(out.uuid, out.id, nowNanos);
    if (devices == null) {
      roundTrips.increment();
      Pointer xml = DomainStatsBinding.virDomainGetXMLDesc(domain, 0);
      if (xml == null) {
        throw DomainStatsBinding.lastError("virDomainGetXMLDesc(" + out.name + ")");
      }
      try {
        devices = inventory.store(out.uuid, out.id, nowNanos, xml.getString(0));
      } finally {
        DomainStatsBinding.free(xml);
      }
    }
    if (needBlock) {
      blockStats(domain, out, devices.disks());
    }
    if (needNet) {
      interfaceStats(domain, out, devices.interfaces());
    }
  }

  private void blockStats(Pointer domain, DomainSample out, List<String> disks) {
    int index = 0;
    for (String disk : disks) {
      roundTrips.increment();
      if (DomainStatsBinding.virDomainBlockStats(domain, disk, block, BLOCK_STATS_SIZE) < 0) {
        LOG.debug(
            "no block statistics for {} of domain {}: {}",
            disk,
            out.name,
            DomainStatsBinding.virGetLastErrorMessage());
        continue;
      }
      DomainSample.DeviceCounters counters = out.disk(index++);
      counters.name = disk;
      for (int k = 0; k < 4; k++) {
        // rd_req, rd_bytes, wr_req, wr_bytes: the same order as DeviceCounters' disk slots;
        // libvirt reports -1 for a figure the hypervisor does not track.
        counters.values[k] = block.getLong(k * 8L);
      }
    }
  }

  private void interfaceStats(Pointer domain, DomainSample out, List<String> interfaces) {
    int index = 0;
    for (String device : interfaces) {
      roundTrips.increment();
      if (DomainStatsBinding.virDomainInterfaceStats(domain, device, net, INTERFACE_STATS_SIZE)
          < 0) {
        LOG.debug(
            "no interface statistics for {} of domain {}: {}",
            device,
            out.name,
            DomainStatsBinding.virGetLastErrorMessage());
        continue;
      }
      DomainSample.DeviceCounters counters = out.networkInterface(index++);
      counters.name = device;
      for (int k = 0; k < 8; k++) {
        counters.values[k] = net.getLong(k * 8L);
      }
    }
  }
}
