package io.vmagent.agent.metrics.domain;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import io.vmagent.agent.metrics.DomainMetrics;
import io.vmagent.testing.TestDriverNodeXml;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
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

/**
 * The agent's side of the one-round-trip path: parsing bulk statistics records shaped like QEMU's
 * (about 100 typed parameters per domain: state, CPU, balloon, 2 vCPUs, 1 interface, 2 disks, and
 * keys the agent ignores) laid out in native memory exactly as libvirt returns them, then computing
 * rates and building the snapshot entries. The libvirt call itself is not in it (no QEMU here);
 * with QEMU it is one call whatever the number of domains.
 *
 * <p>Lives in the collector's package to reach its package-private parser.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class BulkStatsParseBenchmark {
  private static final int TYPE_UINT = 2;
  private static final int TYPE_ULLONG = 4;
  private static final int TYPE_STRING = 7;

  @Param({"10", "100", "500"})
  int domains;

  private final List<Memory> keepAlive = new ArrayList<>();
  private Memory[] records;
  private DomainSample[] samples;
  private String[] names;
  private String[] uuids;
  private int[] counts;
  private final BulkStatsParser parser = new BulkStatsParser();
  private final BulkStatsParser.Coverage coverage = new BulkStatsParser.Coverage();
  private DomainCollector collector;
  private long tick;

  @Setup(Level.Trial)
  public void setUp() {
    records = new Memory[domains];
    samples = new DomainSample[domains];
    names = new String[domains];
    uuids = new String[domains];
    counts = new int[domains];
    for (int d = 0; d < domains; d++) {
      List<Object[]> params = qemuLikeParams(d);
      Memory memory = new Memory((long) params.size() * DomainStatsBinding.TYPED_PARAM_SIZE);
      memory.clear();
      for (int i = 0; i < params.size(); i++) {
        write(memory, i, (String) params.get(i)[0], params.get(i)[1]);
      }
      records[d] = memory;
      samples[d] = new DomainSample();
      // libvirt hands these over as C strings: one String each per collection, as here
      names[d] = TestDriverNodeXml.name(d);
      uuids[d] = TestDriverNodeXml.uuid(d);
      counts[d] = params.size();
    }
    // rates only; the connection is never used
    collector = new DomainCollector(work -> work.run((Connect) null), 16);
    parseAndBuildOnce();
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private long operations;
  private long cpuNanos;

  /** CPU time of the benchmark thread per operation: on a shared machine, the honest figure. */
  @TearDown(Level.Trial)
  public void printCpuTime() {
    System.out.printf(
        "%n[cpu time] %d domains: %.3f ms of CPU per parse-and-build%n",
        domains, operations == 0 ? 0.0 : cpuNanos / 1e6 / operations);
  }

  @Benchmark
  public List<DomainMetrics> parseAndBuild() {
    long start = THREADS.getCurrentThreadCpuTime();
    List<DomainMetrics> result = parseAndBuildOnce();
    cpuNanos += THREADS.getCurrentThreadCpuTime() - start;
    operations++;
    return result;
  }

  private List<DomainMetrics> parseAndBuildOnce() {
    List<DomainSample> parsed = new ArrayList<>(domains);
    tick++;
    for (int d = 0; d < domains; d++) {
      // reused across collections, as DomainStatsReader does
      DomainSample sample = samples[d];
      sample.reset();
      sample.name = new String(names[d]);
      sample.uuid = new String(uuids[d]);
      sample.id = d + 1;
      parser.parse(records[d], counts[d], sample, coverage);
      parsed.add(sample);
    }
    return collector.toMetrics(parsed, tick * 1_000_000_000L);
  }

  private List<Object[]> qemuLikeParams(int d) {
    List<Object[]> p = new ArrayList<>();
    p.add(new Object[] {"state.state", 1});
    p.add(new Object[] {"state.reason", 1});
    for (String k : new String[] {"cpu.time", "cpu.user", "cpu.system"}) {
      p.add(new Object[] {k, 1_000_000_000L * (d + 1)});
    }
    for (String k :
        new String[] {
          "current",
          "maximum",
          "swap_in",
          "swap_out",
          "major_fault",
          "minor_fault",
          "unused",
          "available",
          "usable",
          "last-update",
          "disk_caches",
          "hugetlb_pgalloc",
          "hugetlb_pgfail",
          "rss"
        }) {
      p.add(new Object[] {"balloon." + k, 1048576L});
    }
    p.add(new Object[] {"vcpu.current", 2});
    p.add(new Object[] {"vcpu.maximum", 2});
    for (int v = 0; v < 2; v++) {
      p.add(new Object[] {"vcpu." + v + ".state", 1});
      p.add(new Object[] {"vcpu." + v + ".time", 500_000_000L});
      p.add(new Object[] {"vcpu." + v + ".wait", 0L});
      p.add(new Object[] {"vcpu." + v + ".halted", "no"});
    }
    p.add(new Object[] {"net.count", 1});
    p.add(new Object[] {"net.0.name", "vnet" + d});
    for (String k :
        new String[] {
          "rx.bytes", "rx.pkts", "rx.errs", "rx.drop", "tx.bytes", "tx.pkts", "tx.errs", "tx.drop"
        }) {
      p.add(new Object[] {"net.0." + k, 123456L});
    }
    p.add(new Object[] {"block.count", 2});
    for (int b = 0; b < 2; b++) {
      String prefix = "block." + b + ".";
      p.add(new Object[] {prefix + "name", b == 0 ? "vda" : "vdb"});
      p.add(new Object[] {prefix + "path", "/var/lib/libvirt/images/vm" + d + "-" + b + ".qcow2"});
      for (String k :
          new String[] {
            "backingIndex",
            "rd.reqs",
            "rd.bytes",
            "rd.times",
            "wr.reqs",
            "wr.bytes",
            "wr.times",
            "fl.reqs",
            "fl.times",
            "allocation",
            "capacity",
            "physical"
          }) {
        p.add(new Object[] {prefix + k, 4096L});
      }
    }
    for (int k = 0; p.size() < 105; k++) {
      p.add(new Object[] {"vm.stat_" + k + ".sum", (long) k});
    }
    return p;
  }

  private void write(Memory memory, int index, String field, Object value) {
    long base = (long) index * DomainStatsBinding.TYPED_PARAM_SIZE;
    byte[] name = field.getBytes(StandardCharsets.US_ASCII);
    memory.write(base, name, 0, name.length);
    long at = base + DomainStatsBinding.TYPED_PARAM_VALUE_OFFSET;
    if (value instanceof Integer i) {
      memory.setInt(base + DomainStatsBinding.TYPED_PARAM_TYPE_OFFSET, TYPE_UINT);
      memory.setInt(at, i);
    } else if (value instanceof Long l) {
      memory.setInt(base + DomainStatsBinding.TYPED_PARAM_TYPE_OFFSET, TYPE_ULLONG);
      memory.setLong(at, l);
    } else {
      byte[] text = ((String) value).getBytes(StandardCharsets.UTF_8);
      Memory string = new Memory(text.length + 1L);
      string.write(0, text, 0, text.length);
      string.setByte(text.length, (byte) 0);
      keepAlive.add(string);
      memory.setInt(base + DomainStatsBinding.TYPED_PARAM_TYPE_OFFSET, TYPE_STRING);
      memory.setPointer(at, string);
    }
  }

  static {
    // Fail early, with a clear message, on a platform whose pointers are not 64-bit.
    if (Native.POINTER_SIZE != 8) {
      throw new ExceptionInInitializerError("LP64 platform required");
    }
  }
}
