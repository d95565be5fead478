package io.vmagent.agent.metrics.domain;

import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.Rates;
import io.vmagent.agent.metrics.SnapshotBuilder;
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
 * <p>The previous sample of a domain is used only if the domain still has the same hypervisor id
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
  private final RoundTrips roundTrips = new RoundTrips();
  private final DomainStatsReader reader = new DomainStatsReader(roundTrips, DEVICE_CACHE_NANOS);
  private Map<String, Previous> previous = Map.of();

  /**
   * @param access how to reach libvirt
   * @param hostLogicalCpus logical CPUs of the host, to express domain CPU as a host share
   */
  public DomainCollector(ConnectionAccess access, int hostLogicalCpus) {
    this(access, hostLogicalCpus, System::nanoTime);
  }

  DomainCollector(ConnectionAccess access, int hostLogicalCpus, LongSupplier nanoTime) {
    if (hostLogicalCpus <= 0) {
      throw new IllegalArgumentException("hostLogicalCpus must be positive: " + hostLogicalCpus);
    }
    this.access = access;
    this.hostLogicalCpus = hostLogicalCpus;
    this.nanoTime = nanoTime;
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
    into.domains(toMetrics(samples, at[0]));
  }

  List<DomainMetrics> toMetrics(List<DomainSample> samples, long nowNanos) {
    Map<String, Previous> next = new HashMap<>(samples.size() * 2);
    List<DomainMetrics> result = new ArrayList<>(samples.size());
    for (DomainSample sample : samples) {
      Previous before = previous.get(sample.uuid);
      if (before != null && before.id() != sample.id) {
        before = null; // restarted (or stopped): its counters began again
      }
      double seconds = before == null ? 0 : (nowNanos - before.atNanos) / 1e9;
      long runningSince =
          !sample.active() ? -1 : before != null && before.runningSince >= 0
              ? before.runningSince
              : nowNanos;
      next.put(sample.uuid, new Previous(sample, nowNanos, runningSince));
      result.add(metrics(sample, before == null ? null : before.sample, seconds, runningSince,
          nowNanos));
    }
    previous = next;
    result.sort(Comparator.comparing(DomainMetrics::name));
    return result;
  }

  private DomainMetrics metrics(
      DomainSample s, DomainSample p, double seconds, long runningSince, long nowNanos) {
    double cpuPercent = Double.NaN;
    double hostCpuPercent = Double.NaN;
    if (p != null && s.active()) {
      double nanosPerSecond = Rates.perSecond(p.cpuTimeNanos, s.cpuTimeNanos, seconds);
      cpuPercent = s.vcpus > 0 ? Rates.percent(nanosPerSecond, 1e9 * s.vcpus) : Double.NaN;
      hostCpuPercent = Rates.percent(nanosPerSecond, 1e9 * hostLogicalCpus);
    }
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
        disks(s, p, seconds),
        interfaces(s, p, seconds),
        runningSince < 0 ? Double.NaN : (nowNanos - runningSince) / 1e9);
  }

  private static List<DomainMetrics.Disk> disks(DomainSample s, DomainSample p, double seconds) {
    List<DomainMetrics.Disk> disks = new ArrayList<>(s.diskCount);
    for (int i = 0; i < s.diskCount; i++) {
      DomainSample.DeviceCounters d = s.disks[i];
      if (d == null || d.name == null) {
        continue;
      }
      long[] v = d.values;
      long[] b = previousValues(p == null ? null : p.disks, p == null ? 0 : p.diskCount, d.name);
      disks.add(
          new DomainMetrics.Disk(
              d.name,
              counter(v[DomainSample.DeviceCounters.RD_BYTES]),
              counter(v[DomainSample.DeviceCounters.WR_BYTES]),
              counter(v[DomainSample.DeviceCounters.RD_REQS]),
              counter(v[DomainSample.DeviceCounters.WR_REQS]),
              rate(b, v, DomainSample.DeviceCounters.RD_BYTES, seconds),
              rate(b, v, DomainSample.DeviceCounters.WR_BYTES, seconds),
              rate(b, v, DomainSample.DeviceCounters.RD_REQS, seconds),
              rate(b, v, DomainSample.DeviceCounters.WR_REQS, seconds)));
    }
    return disks;
  }

  private static List<DomainMetrics.NetworkInterface> interfaces(
      DomainSample s, DomainSample p, double seconds) {
    List<DomainMetrics.NetworkInterface> result = new ArrayList<>(s.interfaceCount);
    for (int i = 0; i < s.interfaceCount; i++) {
      DomainSample.DeviceCounters n = s.interfaces[i];
      if (n == null || n.name == null) {
        continue;
      }
      long[] v = n.values;
      long[] b =
          previousValues(p == null ? null : p.interfaces, p == null ? 0 : p.interfaceCount, n.name);
      result.add(
          new DomainMetrics.NetworkInterface(
              n.name,
              counter(v[0]), counter(v[1]), counter(v[2]), counter(v[3]),
              counter(v[4]), counter(v[5]), counter(v[6]), counter(v[7]),
              rate(b, v, 0, seconds), rate(b, v, 1, seconds),
              rate(b, v, 2, seconds), rate(b, v, 3, seconds),
              rate(b, v, 4, seconds), rate(b, v, 5, seconds),
              rate(b, v, 6, seconds), rate(b, v, 7, seconds)));
    }
    return result;
  }

  /** The same device's counters in the previous sample, matched by name (indexes may shift). */
  private static long[] previousValues(
      DomainSample.DeviceCounters[] devices, int count, String name) {
    if (devices == null) {
      return null;
    }
    for (int i = 0; i < count; i++) {
      if (devices[i] != null && name.equals(devices[i].name)) {
        return devices[i].values;
      }
    }
    return null;
  }

  private static double rate(long[] before, long[] now, int index, double seconds) {
    return before == null ? Double.NaN : Rates.perSecond(before[index], now[index], seconds);
  }

  /** libvirt reports -1 for a figure the hypervisor does not track; every unknown becomes -1. */
  private static long counter(long value) {
    return value < 0 ? -1 : value;
  }

  private static long bytes(long kib) {
    return kib < 0 ? -1 : kib * KIB;
  }

  private record Previous(DomainSample sample, long atNanos, long runningSince) {
    int id() {
      return sample.id;
    }
  }
}
