package io.vmagent.agent.metrics;

import static io.vmagent.agent.metrics.MetricsTable.bytes;
import static io.vmagent.agent.metrics.MetricsTable.number;

import io.vmagent.agent.metrics.MetricSink.Unit;
import io.vmagent.protocol.text.Printable;
import java.util.List;

/**
 * I/O of one block device since boot, and rates over the interval since the previous collection
 * (NaN, null in JSON, on the first collection or after a counter reset).
 *
 * @param device kernel name, e.g. "sda"
 * @param readBytes bytes read
 * @param writeBytes bytes written
 * @param readOperations completed reads
 * @param writeOperations completed writes
 * @param readBytesPerSecond read rate
 * @param writeBytesPerSecond write rate
 * @param readOperationsPerSecond read operations per second
 * @param writeOperationsPerSecond write operations per second
 */
public record DiskIo(
    String device,
    long readBytes,
    long writeBytes,
    long readOperations,
    long writeOperations,
    double readBytesPerSecond,
    double writeBytesPerSecond,
    double readOperationsPerSecond,
    double writeOperationsPerSecond)
    implements Part {

  static final List<Column<DiskIo>> COLUMNS =
      List.of(
          Column.text("DISK", -16, d -> Printable.escape(d.device)),
          Column.text("READ/s", 11, d -> bytes(d.readBytesPerSecond)),
          Column.text("WRITE/s", 11, d -> bytes(d.writeBytesPerSecond)),
          Column.text("RD-OPS/s", 9, d -> number(d.readOperationsPerSecond)),
          Column.text("WR-OPS/s", 9, d -> number(d.writeOperationsPerSecond)));

  @Override
  public void expose(MetricSink out) {
    MetricSink disk = out.labelled("device", device);
    disk.counter("vmagent_host_disk_read_bytes", "Bytes read", Unit.BYTES, readBytes);
    disk.counter("vmagent_host_disk_written_bytes", "Bytes written", Unit.BYTES, writeBytes);
    disk.counter("vmagent_host_disk_reads_completed", "Reads completed", null, readOperations);
    disk.counter("vmagent_host_disk_writes_completed", "Writes completed", null, writeOperations);
  }
}
