package io.vmagent.agent.metrics.domain;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.jna.Memory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parser over typed parameters laid out in native memory as libvirt lays them out. */
class BulkStatsParserTest {
  private static final int UINT = 2;
  private static final int ULLONG = 4;
  private static final int STRING = 7;

  private final List<Memory> strings = new ArrayList<>();

  @Test
  void domainDiskAndInterfaceFiguresLandInTheirSlots() {
    Object[][] params = {
      {"state.state", UINT, 1L},
      {"state.reason", UINT, 2L},
      {"cpu.time", ULLONG, 123_000_000_000L},
      {"balloon.current", ULLONG, 2048L},
      {"balloon.maximum", ULLONG, 4096L},
      {"balloon.rss", ULLONG, 1500L},
      {"vcpu.current", UINT, 2L},
      {"block.count", UINT, 2L},
      {"block.0.name", STRING, "vda"},
      {"block.0.rd.reqs", ULLONG, 10L},
      {"block.0.rd.bytes", ULLONG, 1000L},
      {"block.0.wr.reqs", ULLONG, 20L},
      {"block.0.wr.bytes", ULLONG, 2000L},
      {"block.0.rd.times", ULLONG, 999L},
      {"block.1.name", STRING, "vdb"},
      {"block.1.wr.bytes", ULLONG, 7L},
      {"net.count", UINT, 1L},
      {"net.0.name", STRING, "vnet0"},
      {"net.0.rx.bytes", ULLONG, 100L},
      {"net.0.rx.pkts", ULLONG, 2L},
      {"net.0.rx.errs", ULLONG, 3L},
      {"net.0.rx.drop", ULLONG, 4L},
      {"net.0.tx.bytes", ULLONG, 200L},
      {"net.0.tx.pkts", ULLONG, 5L},
      {"net.0.tx.errs", ULLONG, 6L},
      {"net.0.tx.drop", ULLONG, 8L},
      {"net.x.rx.bytes", ULLONG, 1L},
      {"unknown.key", ULLONG, 1L},
    };
    DomainSample sample = new DomainSample();
    BulkStatsParser.Coverage coverage = new BulkStatsParser.Coverage();

    new BulkStatsParser().parse(layOut(params), params.length, sample, coverage);

    assertThat(sample.state).isEqualTo(1);
    assertThat(sample.reason).isEqualTo(2);
    assertThat(sample.cpuTimeNanos).isEqualTo(123_000_000_000L);
    assertThat(sample.memoryCurrentKib).isEqualTo(2048);
    assertThat(sample.memoryMaxKib).isEqualTo(4096);
    assertThat(sample.balloonRssKib).isEqualTo(1500);
    assertThat(sample.balloonUnusedKib).isEqualTo(DomainSample.ABSENT);
    assertThat(sample.vcpus).isEqualTo(2);
    assertThat(sample.diskCount).isEqualTo(2);
    assertThat(sample.disks[0].name).isEqualTo("vda");
    assertThat(sample.disks[0].values).containsExactly(10, 1000, 20, 2000);
    assertThat(sample.disks[1].name).isEqualTo("vdb");
    assertThat(sample.disks[1].values).containsExactly(-1, -1, -1, 7);
    assertThat(sample.interfaceCount).isEqualTo(1);
    assertThat(sample.interfaces[0].name).isEqualTo("vnet0");
    assertThat(sample.interfaces[0].values).containsExactly(100, 2, 3, 4, 200, 5, 6, 8);
    assertThat(coverage.cpu).isTrue();
    assertThat(coverage.balloon).isTrue();
    assertThat(coverage.balloonDetail).isTrue();
    assertThat(coverage.vcpu).isTrue();
    assertThat(coverage.block).isTrue();
    assertThat(coverage.net).isTrue();
  }

  @Test
  void recordWithoutDevicesCoversNoDeviceGroup() {
    Object[][] params = {{"state.state", UINT, 5L}};
    DomainSample sample = new DomainSample();
    BulkStatsParser.Coverage coverage = new BulkStatsParser.Coverage();

    new BulkStatsParser().parse(layOut(params), params.length, sample, coverage);

    assertThat(sample.state).isEqualTo(5);
    assertThat(sample.diskCount).isZero();
    assertThat(coverage.block).isFalse();
    assertThat(coverage.net).isFalse();
    assertThat(coverage.cpu).isFalse();
  }

  /** {@code virTypedParameter[]}: char field[80]; int type; (pad) union value. */
  private Memory layOut(Object[][] params) {
    Memory memory = new Memory((long) params.length * DomainStatsBinding.TYPED_PARAM_SIZE);
    memory.clear();
    for (int i = 0; i < params.length; i++) {
      long base = (long) i * DomainStatsBinding.TYPED_PARAM_SIZE;
      memory.write(
          base,
          ((String) params[i][0]).getBytes(StandardCharsets.US_ASCII),
          0,
          ((String) params[i][0]).length());
      int type = (int) params[i][1];
      memory.setInt(base + DomainStatsBinding.TYPED_PARAM_TYPE_OFFSET, type);
      long value = base + DomainStatsBinding.TYPED_PARAM_VALUE_OFFSET;
      if (type == STRING) {
        Memory text = new Memory(64);
        text.setString(0, (String) params[i][2], "US-ASCII");
        strings.add(text);
        memory.setPointer(value, text);
      } else if (type == UINT) {
        memory.setInt(value, (int) (long) (Long) params[i][2]);
      } else {
        memory.setLong(value, (Long) params[i][2]);
      }
    }
    return memory;
  }
}
