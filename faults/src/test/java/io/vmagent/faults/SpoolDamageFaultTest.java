package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.Agent;
import io.vmagent.agent.spool.DurableQueue;
import io.vmagent.backend.RunningBackend;
import io.vmagent.protocol.Connectivity;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's spool is damaged while it is stopped (one record's bytes flipped in the events spool,
 * the metrics spool cut in the middle of a record): at the next start the damage is detected and
 * logged clearly, every record before it is delivered, and the agent carries on.
 */
class SpoolDamageFaultTest {
  static final int EVENTS = 12;

  @TempDir Path dir;
  RunningBackend backend;
  Agent agent;

  @BeforeEach
  void sharedVmRunning() throws Exception {
    Libvirt.running();
  }

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.shutdown();
    }
    Harness.stop(backend);
  }

  @Test
  void damagedSpoolRecordsAreDetectedLoggedAndTheRecordsBeforeThemDelivered() throws Exception {
    Path data = dir.resolve("backend");
    int port = Harness.freePort();
    backend = Harness.backend(data, port, b -> b);
    Map<String, String> settings =
        Harness.agentSettings(
            Harness.localUrl(port),
            backend.caCertificatePath(),
            dir.resolve("agent"),
            "spool-damage",
            backend.createBootstrapToken(false, null),
            "test:///default");
    agent = new Agent(Harness.config(settings));
    agent.start();
    String id = Harness.agentId(dir.resolve("agent"));
    await().atMost(Duration.ofSeconds(60)).until(() -> online(id));
    long eventsBefore = events(id);

    // The backend goes away; lifecycle events and metrics pile up in the spool.
    Harness.stop(backend);
    backend = null;
    Libvirt.toggle(EVENTS / 2);
    Path eventSpool = dir.resolve("agent/state/spool/events");
    await().atMost(Duration.ofSeconds(30)).until(() -> records(eventSpool).size() >= EVENTS);
    Thread.sleep(6_000); // at least one more metrics sample
    agent.shutdown();
    agent = null;

    // Damage: flip a byte inside the 6th event record; cut the metrics spool mid-record.
    List<long[]> events = records(eventSpool);
    int damaged = 5;
    long[] victim = events.get(damaged);
    Path eventSegment = segments(eventSpool).get(segments(eventSpool).size() - 1);
    try (RandomAccessFile file = new RandomAccessFile(eventSegment.toFile(), "rw")) {
      file.seek(victim[0] + 8 + victim[1] / 2);
      int b = file.read();
      file.seek(victim[0] + 8 + victim[1] / 2);
      file.write(b ^ 0x5a);
    }
    Path metricsSpool = dir.resolve("agent/state/spool/metrics");
    List<long[]> samples = records(metricsSpool);
    assertThat(samples).isNotEmpty();
    long[] lastSample = samples.get(samples.size() - 1);
    Path metricsSegment = segments(metricsSpool).get(segments(metricsSpool).size() - 1);
    try (RandomAccessFile file = new RandomAccessFile(metricsSegment.toFile(), "rw")) {
      file.setLength(lastSample[0] + 8 + lastSample[1] / 2);
    }

    backend = Harness.backend(data, port, b -> b);
    try (LogCapture spoolLog = new LogCapture(DurableQueue.class)) {
      agent = new Agent(Harness.config(settings));
      agent.start();
      List<String> damage =
          spoolLog.lines().stream()
              .filter(l -> l.startsWith("ERROR") && l.contains("is damaged at byte"))
              .toList();
      assertThat(damage).hasSize(2);
      assertThat(damage)
          .anySatisfy(
              l ->
                  assertThat(l)
                      .contains("events spool")
                      .contains(damaged + " records before it recovered"));
      assertThat(damage)
          .anySatisfy(
              l ->
                  assertThat(l)
                      .contains("metrics spool")
                      .contains((samples.size() - 1) + " records before it recovered"));

      // The records before the damage arrive; the agent keeps working (a new event arrives too).
      await().atMost(Duration.ofSeconds(60)).until(() -> events(id) >= eventsBefore + damaged);
      Libvirt.toggle(1);
      await().atMost(Duration.ofSeconds(60)).until(() -> events(id) >= eventsBefore + damaged + 2);
      long delivered = events(id) - eventsBefore;
      Figures.record(
          "spool damaged",
          String.format(
              "events spool: %d records, byte flipped in record %d -> detected (checksum), %d"
                  + " before it recovered and delivered, %d dropped with an ERROR line; metrics"
                  + " spool: %d records, last one cut in half -> detected, %d recovered; afterwards"
                  + " %d new events delivered. Log lines: %s",
              events.size(),
              damaged + 1,
              damaged,
              events.size() - damaged,
              samples.size(),
              samples.size() - 1,
              delivered - damaged,
              damage));
    }
  }

  private long events(String id) {
    try {
      return DbFingerprint.count(
          backend.dataSource(), "SELECT COUNT(*) FROM vm_events WHERE agent_id = '" + id + "'");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean online(String id) {
    try {
      return backend.operator().showAgent(id).connectivity() == Connectivity.ONLINE;
    } catch (Exception notYet) {
      return false;
    }
  }

  static List<Path> segments(Path spool) throws Exception {
    try (Stream<Path> files = Files.list(spool)) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  /**
   * Offsets and lengths of the records waiting in the spool's segments (framing: length, crc,
   * payload), from the cursor on.
   */
  static List<long[]> records(Path spool) throws Exception {
    List<long[]> records = new ArrayList<>();
    if (!Files.exists(spool)) {
      return records;
    }
    long cursorSegment = 0;
    long cursorOffset = 0;
    Path cursor = spool.resolve("cursor");
    if (Files.exists(cursor)) {
      String[] parts = Files.readString(cursor).strip().split(" ", -1);
      cursorSegment = Long.parseLong(parts[0]);
      cursorOffset = Long.parseLong(parts[1]);
    }
    for (Path segment : segments(spool)) {
      long segmentId = Long.parseLong(segment.getFileName().toString().replace(".seg", ""));
      if (segmentId < cursorSegment) {
        continue;
      }
      byte[] bytes = Files.readAllBytes(segment);
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
      long offset = 0;
      while (offset + 8 <= bytes.length) {
        int length = buffer.getInt((int) offset);
        if (length <= 0 || offset + 8 + length > bytes.length) {
          break;
        }
        if (segmentId > cursorSegment || offset >= cursorOffset) {
          records.add(new long[] {offset, length});
        }
        offset += 8 + length;
      }
    }
    return records;
  }
}
