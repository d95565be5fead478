package io.vmagent.benchmarks;

import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.MetricsSampler;
import io.vmagent.agent.metrics.MetricsSnapshot;
import io.vmagent.agent.metrics.domain.ConnectionAccess;
import io.vmagent.agent.metrics.domain.DomainCollector;
import io.vmagent.agent.metrics.system.SystemCollectors;
import io.vmagent.testing.TestDriverNodeXml;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.libvirt.Connect;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import oshi.SystemInfo;

/**
 * One full metrics collection (host through OSHI + every domain) against libvirt's test driver with
 * a generated node of 10, 100 or 500 domains. The test driver's bulk statistics carry the state
 * only, so this measures the per-domain fallback path; libvirt round trips per collection are
 * printed at the end of each trial.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MetricsCollectionBenchmark {
  @Param({"10", "100", "500"})
  int domains;

  private Path dir;
  private Connect connect;
  private DomainCollector domainCollector;
  private MetricsSampler full;
  private MetricsSampler domainsOnly;
  private long roundTripsAtStart;
  private long collections;
  private long cpuNanos;
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    dir = Files.createTempDirectory("vmagent-bench");
    connect = new Connect(TestDriverNodeXml.write(dir.resolve("node.xml"), domains), true);
    SystemCollectors system = new SystemCollectors(new SystemInfo());
    domainCollector = new DomainCollector(ConnectionAccess.of(connect), system.logicalCpus());
    List<Collector> collectors = new ArrayList<>(system.create());
    collectors.add(domainCollector);
    full = new MetricsSampler(collectors, Clock.systemUTC());
    domainsOnly = new MetricsSampler(List.of(domainCollector), Clock.systemUTC());
    MetricsSnapshot first = full.collect(); // device names read once, as in a running agent
    if (first.domains().size() != domains) {
      throw new IllegalStateException(
          "expected " + domains + " domains, got " + first.domains().size());
    }
    roundTripsAtStart = domainCollector.roundTrips().total();
  }

  @Benchmark
  public MetricsSnapshot fullCollection() {
    return timed(full);
  }

  @Benchmark
  public MetricsSnapshot domainsOnly() {
    return timed(domainsOnly);
  }

  /**
   * Also sums the collecting thread's CPU time: on a shared machine wall time mostly measures the
   * other processes, CPU time what the collection itself costs (libvirt's test driver runs in
   * process, so its work is included).
   */
  private MetricsSnapshot timed(MetricsSampler sampler) {
    long start = THREADS.getCurrentThreadCpuTime();
    MetricsSnapshot snapshot = sampler.collect();
    cpuNanos += THREADS.getCurrentThreadCpuTime() - start;
    collections++;
    return snapshot;
  }

  @TearDown(Level.Trial)
  public void tearDown() throws Exception {
    long trips = domainCollector.roundTrips().total() - roundTripsAtStart;
    System.out.printf(
        "%n[round trips] %d domains: %.1f libvirt calls per collection "
            + "(1 bulk call + per-domain fallback) over %d collections%n",
        domains, collections == 0 ? 0.0 : (double) trips / collections, collections);
    System.out.printf(
        "[cpu time] %d domains: %.2f ms of CPU per collection%n",
        domains, collections == 0 ? 0.0 : cpuNanos / 1e6 / collections);
    connect.close();
    Files.deleteIfExists(dir.resolve("node.xml"));
    Files.deleteIfExists(dir);
  }
}
