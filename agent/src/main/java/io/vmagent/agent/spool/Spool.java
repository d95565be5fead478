package io.vmagent.agent.spool;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One stream to the backend: its {@link DurableQueue} and the {@link SpoolDrainer} that empties it.
 */
public final class Spool implements AutoCloseable {
  private final DurableQueue queue;
  private final SpoolDrainer drainer;

  /**
   * @param batchSize most records per delivery
   * @param gather how long to wait after the first record for more to join its batch
   */
  public Spool(
      DurableQueue queue,
      int batchSize,
      Duration gather,
      SpoolDrainer.Delivery delivery,
      SpoolDrainer.ContactListener contact) {
    this.queue = Objects.requireNonNull(queue, "queue == null");
    this.drainer = new SpoolDrainer(queue.name(), queue, batchSize, gather, delivery, contact);
  }

  /** The stream's name, e.g. {@code results}. */
  public String name() {
    return queue.name();
  }

  /** Appends a record and wakes the drainer; {@code sync} forces it to disk first. */
  public void append(byte[] record, boolean sync) throws IOException {
    queue.append(record, sync);
    drainer.signal();
  }

  /** The drainer, to run on its own thread. */
  public SpoolDrainer drainer() {
    return drainer;
  }

  /** Records waiting. */
  public int depth() {
    return queue.depth();
  }

  /** Bytes waiting. */
  public long bytes() {
    return queue.bytes();
  }

  /** Records dropped because the queue was full. */
  public long dropped() {
    return queue.dropped();
  }

  /** Delivers what waits before {@code deadline}, once the drainer has stopped. */
  public boolean flush(Instant deadline) throws IOException {
    return drainer.flush(deadline);
  }

  @Override
  public void close() throws IOException {
    queue.close();
  }
}
