package io.vmagent.agent.spool;

import io.vmagent.agent.state.StateDir;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A crash-safe FIFO of byte records on disk: append-only segment files ({@code
 * 0000000000000001.seg}, ...) of records framed as {@code [length:int32][crc32c:int32][payload]},
 * fsynced at every append (unless the caller has another durable copy), and a {@code cursor} file
 * (replaced atomically) naming the first record not yet acknowledged. At open, every segment is
 * checked record by record: a truncated or corrupt record ends that segment (logged with what was
 * recovered), the rest of the queue stays usable.
 *
 * <p>With a size limit, appending beyond it drops whole segments from the head, oldest first, and
 * counts the records dropped. Not thread-safe by itself: every method is synchronized.
 */
public final class DurableQueue implements AutoCloseable {
  /** Largest record accepted (a metrics snapshot of a large host fits easily). */
  public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

  private static final Logger log = LoggerFactory.getLogger(DurableQueue.class);
  private static final int HEADER = 8;
  private static final String CURSOR = "cursor";
  private static final String SUFFIX = ".seg";

  private final String name;
  private final Path dir;
  private final long segmentBytes;
  private final long maxBytes;
  private final TreeMap<Long, Long> segmentSizes = new TreeMap<>();
  private final Deque<Pending> pending = new ArrayDeque<>();
  private long pendingBytes;
  private long dropped;
  private long recoveredCorrupt;
  private FileChannel active;
  private long activeId;

  private record Pending(long segment, long offset, int length) {}

  /**
   * Opens (creating when missing) the queue in {@code dir} and recovers its records.
   *
   * @param name how log lines name this queue, e.g. {@code results}
   * @param segmentBytes size at which a new segment file is started
   * @param maxBytes most bytes kept; 0 for no limit
   */
  public DurableQueue(String name, Path dir, long segmentBytes, long maxBytes) throws IOException {
    if (segmentBytes < 1024) {
      throw new IllegalArgumentException("segmentBytes must be at least 1024, got " + segmentBytes);
    }
    this.name = name;
    this.dir = dir;
    this.segmentBytes = segmentBytes;
    this.maxBytes = maxBytes;
    StateDir.ensureDirectory(dir);
    recover();
  }

  /** Appends a record; durable when this returns. */
  public synchronized void append(byte[] record) throws IOException {
    append(record, true);
  }

  /**
   * Appends a record; with {@code sync} false it is left to the operating system to write out (for
   * records another durable copy can restore after a crash, such as journaled results).
   */
  public synchronized void append(byte[] record, boolean sync) throws IOException {
    if (record.length == 0 || record.length > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          name + " spool record of " + record.length + " bytes; expected 1.." + MAX_RECORD_BYTES);
    }
    long size = segmentSizes.get(activeId);
    if (size > 0 && size + HEADER + record.length > segmentBytes) {
      roll();
      size = 0;
    }
    CRC32C crc = new CRC32C();
    crc.update(record);
    ByteBuffer buffer = ByteBuffer.allocate(HEADER + record.length);
    buffer.putInt(record.length).putInt((int) crc.getValue()).put(record).flip();
    try {
      while (buffer.hasRemaining()) {
        active.write(buffer);
      }
      if (sync) {
        active.force(false);
      }
    } catch (IOException e) {
      // A write cut short (a full disk) must not leave half a record behind: the next record
      // would land after those bytes while the index pointed at them.
      try {
        active.truncate(size);
        active.position(size);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw e;
    }
    segmentSizes.put(activeId, size + HEADER + record.length);
    pending.addLast(new Pending(activeId, size, record.length));
    pendingBytes += HEADER + record.length;
    enforceLimit();
  }

  /** Up to {@code max} records from the head, oldest first, without removing them. */
  public synchronized List<byte[]> peek(int max) throws IOException {
    List<byte[]> records = new ArrayList<>();
    for (Pending p : pending) {
      if (records.size() >= max) {
        break;
      }
      records.add(read(p));
    }
    return records;
  }

  /** Removes the {@code count} oldest records (they were delivered); durable when this returns. */
  public synchronized void ack(int count) throws IOException {
    if (count > pending.size()) {
      throw new IllegalArgumentException(
          "ack of " + count + " records; only " + pending.size() + " pending");
    }
    for (int i = 0; i < count; i++) {
      Pending p = pending.removeFirst();
      pendingBytes -= HEADER + p.length();
    }
    writeCursor();
    deleteConsumedSegments();
  }

  /** How log lines name this queue. */
  public String name() {
    return name;
  }

  /** Records waiting for delivery. */
  public synchronized int depth() {
    return pending.size();
  }

  /** Bytes of the records waiting (with their framing). */
  public synchronized long bytes() {
    return pendingBytes;
  }

  /** Records dropped because the size limit was reached, since this queue was opened. */
  public synchronized long dropped() {
    return dropped;
  }

  /** Damaged segment tails found at open (each logged). */
  public synchronized long damagedSegments() {
    return recoveredCorrupt;
  }

  @Override
  public synchronized void close() throws IOException {
    if (active != null) {
      active.close();
      active = null;
    }
  }

  /** The ids of the segment files on disk, oldest first; stray files are logged and left. */
  private List<Long> segmentIds() throws IOException {
    List<Long> ids = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
      for (Path file : files) {
        String base = file.getFileName().toString().replace(SUFFIX, "");
        try {
          ids.add(Long.parseLong(base));
        } catch (NumberFormatException e) {
          log.warn("{} spool: ignoring stray file {}", name, file);
        }
      }
    }
    ids.sort(null);
    return ids;
  }

  /** The cursor (segment, offset); {0, 0}, the oldest record, when it is absent or damaged. */
  private long[] readCursor() throws IOException {
    Path cursor = dir.resolve(CURSOR);
    if (!Files.exists(cursor)) {
      return new long[] {0, 0};
    }
    String[] parts = Files.readString(cursor, StandardCharsets.US_ASCII).strip().split(" ", -1);
    try {
      return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    } catch (RuntimeException e) {
      log.error(
          "{} spool: cursor file {} is damaged; delivering from the oldest record", name, cursor);
      return new long[] {0, 0};
    }
  }

  private void recover() throws IOException {
    List<Long> ids = segmentIds();
    long[] cursor = readCursor();
    long cursorSegment = cursor[0];
    long cursorOffset = cursor[1];
    for (long id : ids) {
      Path file = segment(id);
      if (id < cursorSegment) {
        Files.delete(file);
        continue;
      }
      long start = id == cursorSegment ? cursorOffset : 0;
      segmentSizes.put(id, scan(id, file, start));
    }
    activeId = segmentSizes.isEmpty() ? Math.max(1, cursorSegment) : segmentSizes.lastKey();
    if (!segmentSizes.containsKey(activeId)) {
      segmentSizes.put(activeId, 0L);
    }
    active = open(activeId);
    if (!pending.isEmpty()) {
      log.info(
          "{} spool: {} records from before the restart wait for delivery", name, pending.size());
    }
  }

  /** Indexes the valid records of one segment; truncates it at the first damaged record. */
  /** The payload length of the intact record at {@code offset}, or -1 where none is. */
  private static int validRecord(FileChannel channel, long offset, long size) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(HEADER);
    if (size - offset < HEADER || channel.read(header, offset) < HEADER) {
      return -1;
    }
    header.flip();
    int length = header.getInt();
    int checksum = header.getInt();
    if (length <= 0 || length > MAX_RECORD_BYTES || offset + HEADER + length > size) {
      return -1;
    }
    ByteBuffer payload = ByteBuffer.allocate(length);
    channel.read(payload, offset + HEADER);
    CRC32C crc = new CRC32C();
    crc.update(payload.array());
    return (int) crc.getValue() == checksum ? length : -1;
  }

  private long scan(long id, Path file, long start) throws IOException {
    try (FileChannel channel =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = channel.size();
      long offset = 0;
      int kept = 0;
      while (offset < size) {
        int length = validRecord(channel, offset, size);
        if (length < 0) {
          break;
        }
        if (offset >= start) {
          pending.addLast(new Pending(id, offset, length));
          pendingBytes += HEADER + length;
          kept++;
        }
        offset += HEADER + length;
      }
      if (offset < size) {
        recoveredCorrupt++;
        log.error(
            "{} spool: {} is damaged at byte {} of {} (a truncated or corrupt record, e.g. after a"
                + " crash mid-write); {} records before it recovered, the {} bytes after it"
                + " dropped",
            name,
            file,
            offset,
            size,
            kept,
            size - offset);
        channel.truncate(offset);
        channel.force(true);
      }
      return offset;
    }
  }

  private byte[] read(Pending p) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(p.length());
    if (p.segment() == activeId) {
      readFully(active, buffer, p.offset() + HEADER);
    } else {
      try (FileChannel channel = FileChannel.open(segment(p.segment()), StandardOpenOption.READ)) {
        readFully(channel, buffer, p.offset() + HEADER);
      }
    }
    return buffer.array();
  }

  private static void readFully(FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw new IOException("unexpected end of spool segment");
      }
      at += n;
    }
  }

  private void roll() throws IOException {
    active.close();
    activeId++;
    segmentSizes.put(activeId, 0L);
    active = open(activeId);
    StateDir.syncDirectory(dir);
  }

  private FileChannel open(long id) throws IOException {
    Path file = segment(id);
    if (!Files.exists(file)) {
      Files.createFile(file, PosixFilePermissions.asFileAttribute(StateDir.FILE_MODE));
    }
    FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
    channel.position(channel.size());
    return channel;
  }

  private void enforceLimit() throws IOException {
    if (maxBytes <= 0) {
      return;
    }
    long droppedNow = 0;
    while (pendingBytes > maxBytes && segmentSizes.size() > 1) {
      long oldest = segmentSizes.firstKey();
      while (!pending.isEmpty() && pending.peekFirst().segment() == oldest) {
        Pending p = pending.removeFirst();
        pendingBytes -= HEADER + p.length();
        droppedNow++;
      }
      segmentSizes.remove(oldest);
      Files.deleteIfExists(segment(oldest));
    }
    if (droppedNow > 0) {
      dropped += droppedNow;
      writeCursor();
      log.warn(
          "{} spool over its limit of {} MB: dropped the {} oldest records ({} dropped so far)",
          name,
          maxBytes / (1024 * 1024),
          droppedNow,
          dropped);
    }
  }

  private void writeCursor() throws IOException {
    Pending head = pending.peekFirst();
    String text =
        head == null
            ? activeId + " " + segmentSizes.get(activeId)
            : head.segment() + " " + head.offset();
    // Not fsynced: after a power loss the cursor may step back and a few records go out twice,
    // which the backend ignores (results by command id, events by sequence, metrics by time).
    StateDir.writeAtomically(
        dir.resolve(CURSOR), (text + "\n").getBytes(StandardCharsets.US_ASCII), false);
  }

  private void deleteConsumedSegments() throws IOException {
    long headSegment = pending.isEmpty() ? activeId : pending.peekFirst().segment();
    while (!segmentSizes.isEmpty() && segmentSizes.firstKey() < headSegment) {
      long id = segmentSizes.pollFirstEntry().getKey();
      Files.deleteIfExists(segment(id));
    }
  }

  private Path segment(long id) {
    return dir.resolve(String.format("%016d%s", id, SUFFIX));
  }
}
