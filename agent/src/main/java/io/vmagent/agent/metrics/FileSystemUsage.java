package io.vmagent.agent.metrics;

import static io.vmagent.agent.metrics.MetricsTable.bytes;
import static io.vmagent.agent.metrics.MetricsTable.percent;

import io.vmagent.agent.metrics.MetricSink.Unit;
import io.vmagent.protocol.text.Printable;
import java.util.List;

/**
 * Space on one mounted file system.
 *
 * @param mountPoint where it is mounted
 * @param device what is mounted (block device, or the source of an overlay)
 * @param type file system type, e.g. "ext4"
 * @param totalBytes size
 * @param usedBytes size minus free space
 * @param availableBytes space unprivileged users may still use
 * @param usedPercent used share of what users can have (used + available), 0-100, as df shows
 */
public record FileSystemUsage(
    String mountPoint,
    String device,
    String type,
    long totalBytes,
    long usedBytes,
    long availableBytes,
    double usedPercent)
    implements Part {

  static final List<Column<FileSystemUsage>> COLUMNS =
      List.of(
          Column.text("MOUNT", -28, fs -> Printable.escape(fs.mountPoint)),
          Column.text("TYPE", -8, fs -> Printable.escape(fs.type)),
          Column.text("SIZE", 10, fs -> bytes(fs.totalBytes)),
          Column.text("USED", 10, fs -> bytes(fs.usedBytes)),
          Column.text("AVAIL", 10, fs -> bytes(fs.availableBytes)),
          Column.text("USE%", 6, fs -> percent(fs.usedPercent)));

  @Override
  public void expose(MetricSink out) {
    MetricSink fs = out.labelled("device", device, "fstype", type, "mountpoint", mountPoint);
    fs.gauge("vmagent_host_filesystem_size_bytes", "File system size", Unit.BYTES, totalBytes);
    fs.gauge(
        "vmagent_host_filesystem_avail_bytes",
        "Space unprivileged users may still use",
        Unit.BYTES,
        availableBytes);
  }
}
