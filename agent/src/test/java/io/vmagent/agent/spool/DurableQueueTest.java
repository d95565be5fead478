package io.vmagent.agent.spool;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableQueueTest {
  @TempDir Path dir;

  @Test
  void recordsComeBackInOrderAfterAReopen() throws Exception {
    try (DurableQueue queue = new DurableQueue("results", dir, 1024, 0)) {
      for (int i = 0; i < 50; i++) {
        queue.append(("record-" + i).getBytes(StandardCharsets.UTF_8));
      }
      queue.ack(10);
    }
    try (DurableQueue reopened = new DurableQueue("results", dir, 1024, 0)) {
      assertThat(reopened.depth()).isEqualTo(40);
      assertThat(texts(reopened.peek(3))).containsExactly("record-10", "record-11", "record-12");
      reopened.ack(40);
      assertThat(reopened.depth()).isZero();
    }
    try (DurableQueue again = new DurableQueue("results", dir, 1024, 0)) {
      assertThat(again.depth()).isZero();
    }
  }

  @Test
  void consumedSegmentsAreDeletedAndFilesAreOwnerOnly() throws Exception {
    try (DurableQueue queue = new DurableQueue("events", dir, 1024, 0)) {
      for (int i = 0; i < 100; i++) {
        queue.append(new byte[100]);
      }
      assertThat(segments()).hasSizeGreaterThan(5);
      queue.ack(100);
      assertThat(segments()).hasSize(1);
      for (Path file : segments()) {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
            .isEqualTo("rw-------");
      }
    }
  }

  @Test
  void truncatedTailIsDetectedAndTheRecordsBeforeItRecovered() throws Exception {
    try (DurableQueue queue = new DurableQueue("results", dir, 1 << 20, 0)) {
      for (int i = 0; i < 5; i++) {
        queue.append(("record-" + i).getBytes(StandardCharsets.UTF_8));
      }
    }
    Path segment = segments().get(0);
    long size = Files.size(segment);
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      file.setLength(size - 3); // a crash in the middle of the last append
    }
    try (DurableQueue recovered = new DurableQueue("results", dir, 1 << 20, 0)) {
      assertThat(texts(recovered.peek(10)))
          .containsExactly("record-0", "record-1", "record-2", "record-3");
      assertThat(recovered.damagedSegments()).isEqualTo(1);
      recovered.append("record-5".getBytes(StandardCharsets.UTF_8));
      assertThat(texts(recovered.peek(10))).endsWith("record-3", "record-5");
    }
    try (DurableQueue clean = new DurableQueue("results", dir, 1 << 20, 0)) {
      assertThat(clean.damagedSegments()).isZero();
      assertThat(clean.depth()).isEqualTo(5);
    }
  }

  @Test
  void corruptRecordIsDetectedByItsChecksum() throws Exception {
    try (DurableQueue queue = new DurableQueue("events", dir, 1 << 20, 0)) {
      for (int i = 0; i < 3; i++) {
        queue.append(("event-" + i).getBytes(StandardCharsets.UTF_8));
      }
    }
    Path segment = segments().get(0);
    byte[] bytes = Files.readAllBytes(segment);
    int secondPayload = 8 + "event-0".length() + 8;
    bytes[secondPayload] ^= 0x20; // one flipped bit in the second record
    Files.write(segment, bytes);

    try (DurableQueue recovered = new DurableQueue("events", dir, 1 << 20, 0)) {
      assertThat(texts(recovered.peek(10))).containsExactly("event-0");
      assertThat(recovered.damagedSegments()).isEqualTo(1);
    }
  }

  @Test
  void sizeLimitDropsTheOldestRecordsAndCountsThem() throws Exception {
    try (DurableQueue queue = new DurableQueue("metrics", dir, 2048, 8192)) {
      for (int i = 0; i < 100; i++) {
        byte[] record = new byte[200];
        record[0] = (byte) i;
        queue.append(record);
      }
      assertThat(queue.bytes()).isLessThanOrEqualTo(8192);
      assertThat(queue.dropped()).isEqualTo(100 - queue.depth());
      assertThat(queue.dropped()).isPositive();
      List<byte[]> kept = queue.peek(1000);
      assertThat(kept.get(kept.size() - 1)[0]).isEqualTo((byte) 99);
      assertThat(kept.get(0)[0]).isEqualTo((byte) (100 - kept.size()));
    }
    try (DurableQueue reopened = new DurableQueue("metrics", dir, 2048, 8192)) {
      assertThat(reopened.peek(1).get(0)[0]).isEqualTo((byte) (100 - reopened.depth()));
    }
  }

  private List<Path> segments() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
  }

  private static List<String> texts(List<byte[]> records) {
    List<String> texts = new ArrayList<>();
    records.forEach(r -> texts.add(new String(r, StandardCharsets.UTF_8)));
    return texts;
  }
}
