package io.vmagent.agent.metrics.domain;

import io.vmagent.agent.libvirt.UptimeTracker;
import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.DomainMetrics;
import io.vmagent.agent.metrics.Rates;
import io.vmagent.agent.metrics.SnapshotBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Every libvirt domain's state, CPU, memory, balloon, disk and interface figures, with rates
 * computed against the previous collection.
 *
 * <p>The previous figures of a domain are used only if the domain still has the same hypervisor id
 * (a restart gives a new id and counters that start again at zero); domains that vanished are
 * forgotten, domains that appeared get null rates until their second sample.
 */
public final class DomainCollector implements Collector {
  /** How long device names read from a domain's XML are trusted (per-domain fallback only). */
  static final long DEVICE_CACHE_NANOS = TimeUnit.MINUTES.toNanos(5);

  private static final long KIB = 1024;

  private final ConnectionAccess access;
  private final int hostLogicalCpus;
  private final LongSupplier nanoTime;
  private final UptimeTracker uptime;
  // Maps the nanoTime of a sample to the wall clock the uptime tracker counts in.
  private final Instant epoch;
  private final long epochNanos;
  private final RoundTrips roundTrips = new RoundTrips();
  private final DomainStatsReader reader = new DomainStatsReader(roundTrips, DEVICE_CACHE_NANOS);
  private Map<String, Previous> previous = Map.of();

  /** A collector with an uptime tracker of its own, which sees no lifecycle events. */
  public DomainCollector(ConnectionAccess access, int hostLogicalCpus) {
    this(access, hostLogicalCpus, new UptimeTracker());
  }

  /**
   * @param access how to reach libvirt
   * @param hostLogicalCpus logical CPUs of the host, to express domain CPU as a host share
   * @param uptime when the domains started, shared with the operations ({@code info})
   */
  public DomainCollector(ConnectionAccess access, int hostLogicalCpus, UptimeTracker uptime) {
    this(access, hostLogicalCpus, uptime, System::nanoTime);
  }

  DomainCollector(
      ConnectionAccess access, int hostLogicalCpus, UptimeTracker uptime, LongSupplier nanoTime) {
    if (hostLogicalCpus <= 0) {
      throw new IllegalArgumentException("hostLogicalCpus must be positive: " + hostLogicalCpus);
    }
    this.access = access;
    this.hostLogicalCpus = hostLogicalCpus;
    this.nanoTime = nanoTime;
    this.uptime = uptime;
    this.epochNanos = nanoTime.getAsLong();
    this.epoch = Instant.now();
  }

  @Override
  public String name() {
    return "domains";
  }

  /** libvirt calls made so far (bulk call plus any per-domain fallback calls). */
  public RoundTrips roundTrips() {
    return roundTrips;
  }

  @Override
  public synchronized void collect(SnapshotBuilder into) throws Exception {
    List<DomainSample> samples = new ArrayList<>();
    long[] at = new long[1];
    access.withConnection(
        connect -> {
          at[0] = nanoTime.getAsLong();
          samples.addAll(reader.read(connect, at[0]));
        });
    into.domains(toMetrics(samples, at[0], uptime.processStarts()));
  }

  /** Metrics of {@code samples} taken at {@code nowNanos}, with no QEMU process start known. */
  List<DomainMetrics> toMetrics(List<DomainSample> samples, long nowNanos) {
    return toMetrics(samples, nowNanos, Map.of());
  }

  private List<DomainMetrics> toMetrics(
      List<DomainSample> samples, long nowNanos, Map<String, Instant> processes) {
    Instant now = epoch.plusNanos(nowNanos - epochNanos);
    Map<String, Previous> next = new HashMap<>(samples.size() * 2);
    List<DomainMetrics> result = new ArrayList<>(samples.size());
    for (DomainSample sample : samples) {
      Previous before = previous.get(sample.uuid);
      if (before != null && before.id != sample.id) {
        before = null; // restarted (or stopped): its counters began again
      }
      double seconds = before == null ? 0 : (nowNanos - before.atNanos) / 1e9;
      UptimeTracker.Start start =
          sample.active() ? uptime.startOf(sample.uuid, sample.id, now, processes) : null;
      DomainMetrics metrics = metrics(sample, before, seconds, start, now);
      next.put(sample.uuid, new Previous(sample.id, sample.cpuTimeNanos, nowNanos, metrics));
      result.add(metrics);
    }
    previous = next;
    result.sort(Comparator.comparing(DomainMetrics::name));
    return result;
  }

  private DomainMetrics metrics(
      DomainSample s, Previous p, double seconds, UptimeTracker.Start start, Instant now) {
    double cpuPercent = Double.NaN;
    double hostCpuPercent = Double.NaN;
    if (p != null && s.active()) {
      double nanosPerSecond = Rates.perSecond(p.cpuTimeNanos, s.cpuTimeNanos, seconds);
      cpuPercent = s.vcpus > 0 ? Rates.percent(nanosPerSecond, 1e9 * s.vcpus) : Double.NaN;
      hostCpuPercent = Rates.percent(nanosPerSecond, 1e9 * hostLogicalCpus);
    }
    DomainMetrics before = p == null ? null : p.metrics;
    return new DomainMetrics(
        s.name,
        s.uuid,
        s.active() ? s.id : null,
        DomainStates.state(s.state),
        DomainStates.reason(s.state, s.reason),
        s.vcpus < 0 ? null : s.vcpus,
        s.cpuTimeNanos < 0 ? Double.NaN : s.cpuTimeNanos / 1e9,
        cpuPercent,
        hostCpuPercent,
        bytes(s.memoryMaxKib),
        bytes(s.memoryCurrentKib),
        new DomainMetrics.Balloon(
            bytes(s.memoryCurrentKib),
            bytes(s.balloonUnusedKib),
            bytes(s.balloonAvailableKib),
            bytes(s.balloonUsableKib),
            bytes(s.balloonRssKib)),
        disks(s, before, seconds),
        interfaces(s, before, seconds),
        start == null ? Double.NaN : Math.max(0, Duration.between(start.at(), now).toNanos() / 1e9),
        start != null && start.estimated());
  }

  private static List<DomainMetrics.Disk> disks(
      DomainSample s, DomainMetrics before, double seconds) {
    List<DomainMetrics.Disk> disks = new ArrayList<>(s.diskCount);
    for (int i = 0; i < s.diskCount; i++) {
      DomainSample.DeviceCounters d = s.disks[i];
      if (d == null || d.name == null) {
        continue;
      }
      long[] v = d.values;
      DomainMetrics.Disk b = before == null ? null : previousDisk(before.disks(), d.name);
      long readBytes = counter(v[DomainSample.DeviceCounters.RD_BYTES]);
      long writeBytes = counter(v[DomainSample.DeviceCounters.WR_BYTES]);
      long readRequests = counter(v[DomainSample.DeviceCounters.RD_REQS]);
      long writeRequests = counter(v[DomainSample.DeviceCounters.WR_REQS]);
      disks.add(
          new DomainMetrics.Disk(
              d.name,
              readBytes,
              writeBytes,
              readRequests,
              writeRequests,
              b == null ? Double.NaN : Rates.perSecond(b.readBytes(), readBytes, seconds),
              b == null ? Double.NaN : Rates.perSecond(b.writeBytes(), writeBytes, seconds),
              b == null ? Double.NaN : Rates.perSecond(b.readRequests(), readRequests, seconds),
              b == null ? Double.NaN : Rates.perSecond(b.writeRequests(), writeRequests, seconds)));
    }
    return disks;
  }

  private static List<DomainMetrics.NetworkInterface> interfaces(
      DomainSample s, DomainMetrics before, double seconds) {
    List<DomainMetrics.NetworkInterface> result = new ArrayList<>(s.interfaceCount);
    for (int i = 0; i < s.interfaceCount; i++) {
      DomainSample.DeviceCounters n = s.interfaces[i];
      if (n == null || n.name == null) {
        continue;
      }
      long[] v = n.values;
      DomainMetrics.NetworkInterface b =
          before == null ? null : previousInterface(before.interfaces(), n.name);
      long rxBytes = counter(v[DomainSample.DeviceCounters.RX_BYTES]);
      long rxPackets = counter(v[DomainSample.DeviceCounters.RX_PKTS]);
      long rxErrors = counter(v[DomainSample.DeviceCounters.RX_ERRS]);
      long rxDrops = counter(v[DomainSample.DeviceCounters.RX_DROP]);
      long txBytes = counter(v[DomainSample.DeviceCounters.TX_BYTES]);
      long txPackets = counter(v[DomainSample.DeviceCounters.TX_PKTS]);
      long txErrors = counter(v[DomainSample.DeviceCounters.TX_ERRS]);
      long txDrops = counter(v[DomainSample.DeviceCounters.TX_DROP]);
      result.add(
          new DomainMetrics.NetworkInterface(
              n.name,
              rxBytes,
              rxPackets,
              rxErrors,
              rxDrops,
              txBytes,
              txPackets,
              txErrors,
              txDrops,
              b == null ? Double.NaN : Rates.perSecond(b.rxBytes(), rxBytes, seconds),
              b == null ? Double.NaN : Rates.perSecond(b.rxPackets(), rxPackets, seconds),
              b == null ? Double.NaN : Rates.perSecond(b.rxErrors(), rxErrors, seconds),
              b == null ? Double.NaN : Rates.perSecond(b.rxDrops(), rxDrops, seconds),
              b == null ? Double.NaN : Rates.perSecond(b.txBytes(), txBytes, seconds),
              b == null ? Double.NaN : Rates.perSecond(b.txPackets(), txPackets, seconds),
              b == null ? Double.NaN : Rates.perSecond(b.txErrors(), txErrors, seconds),
              b == null ? Double.NaN : Rates.perSecond(b.txDrops(), txDrops, seconds)));
    }
    return result;
  }

  /** The same disk in the previous sample, matched by name (indexes may shift). */
  private static DomainMetrics.Disk previousDisk(List<DomainMetrics.Disk> disks, String name) {
    for (DomainMetrics.Disk disk : disks) {
      if (disk.device().equals(name)) {
        return disk;
      }
    }
    return null;
  }

  private static DomainMetrics.NetworkInterface previousInterface(
      List<DomainMetrics.NetworkInterface> interfaces, String name) {
    for (DomainMetrics.NetworkInterface nic : interfaces) {
      if (nic.device().equals(name)) {
        return nic;
      }
    }
    return null;
  }

  /** libvirt reports -1 for a figure the hypervisor does not track; every unknown becomes -1. */
  private static long counter(long value) {
    return value < 0 ? -1 : value;
  }

  private static long bytes(long kib) {
    return kib < 0 ? -1 : kib * KIB;
  }

  /**
   * What the next collection needs of this one: the id (a restart changes it), CPU time in
   * nanoseconds, and the domain's published figures, whose counters are the next rates' base.
   */
  private record Previous(int id, long cpuTimeNanos, long atNanos, DomainMetrics metrics) {}
}
