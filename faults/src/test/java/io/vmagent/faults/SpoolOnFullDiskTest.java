package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmagent.agent.spool.DurableQueue;
import io.vmagent.testing.Tmpfs;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spool append that runs out of disk space half-way (a partial write) must leave the queue as it
 * was: the next append after space is freed is read back intact, before and after a reopen.
 */
class SpoolOnFullDiskTest {
  @TempDir Path dir;
  Path mount;

  @AfterEach
  void unmount() throws Exception {
    if (mount != null) {
      Tmpfs.unmount(mount);
    }
  }

  @Test
  void anAppendCutShortByAFullDiskLeavesTheQueueIntact() throws Exception {
    Path spool = Files.createDirectories(dir.resolve("spool"));
    String failed = Tmpfs.mount(spool, "size=256k");
    assumeTrue(failed == null, "cannot mount a tmpfs (needs root): " + failed);
    mount = spool;
    byte[] first = "first record".getBytes(StandardCharsets.UTF_8);
    byte[] big = new byte[64 * 1024];
    Arrays.fill(big, (byte) 'x');
    byte[] after = "after the disk was full".getBytes(StandardCharsets.UTF_8);
    try (DurableQueue queue = new DurableQueue("metrics", spool, 1024 * 1024, 0)) {
      queue.append(first);
      Path filler = spool.resolve("filler");
      fillLeaving(filler, 8 * 1024);
      assertThatThrownBy(() -> queue.append(big)).isInstanceOf(IOException.class);
      Files.delete(filler);
      queue.append(after);
      assertThat(queue.depth()).isEqualTo(2);
      assertThat(new String(queue.peek(2).get(1), StandardCharsets.UTF_8))
          .isEqualTo("after the disk was full");
    }
    try (DurableQueue reopened = new DurableQueue("metrics", spool, 1024 * 1024, 0)) {
      assertThat(reopened.depth()).isEqualTo(2);
      assertThat(new String(reopened.peek(2).get(1), StandardCharsets.UTF_8))
          .isEqualTo("after the disk was full");
      assertThat(reopened.damagedSegments()).isZero();
    }
  }

  /** Fills the file system until about {@code leave} bytes are free. */
  private static void fillLeaving(Path filler, long leave) throws IOException {
    try (FileOutputStream out = new FileOutputStream(filler.toFile())) {
      byte[] chunk = new byte[4096];
      while (Files.getFileStore(filler).getUsableSpace() > leave) {
        out.write(chunk);
      }
    }
  }
}
