package io.vmagent.agent.metrics.system;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Reads one decimal counter from a single-value sysfs file (such as {@code
 * /sys/class/net/eth0/statistics/rx_bytes}) into a reused buffer. OSHI reads the same files through
 * a fresh {@code BufferedReader} each time, about 30 KB of garbage per file; this costs a file
 * channel per read. Not thread-safe: one per collector.
 */
final class SysfsCounter {
  private final ByteBuffer buffer = ByteBuffer.allocate(32);

  /** The counter, or -1 when the file is missing or does not hold a decimal number. */
  long read(Path file) {
    buffer.clear();
    try (FileChannel channel = FileChannel.open(file)) {
      channel.read(buffer);
    } catch (IOException e) {
      return -1; // the interface went away, or this is not Linux
    }
    long value = 0;
    int digits = 0;
    for (int i = 0; i < buffer.position(); i++) {
      byte b = buffer.get(i);
      if (b >= '0' && b <= '9') {
        value = value * 10 + (b - '0');
        digits++;
      } else if (b == '\n' && digits > 0) {
        break;
      } else {
        return -1;
      }
    }
    return digits == 0 ? -1 : value;
  }
}
