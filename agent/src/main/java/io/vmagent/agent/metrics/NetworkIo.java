package io.vmagent.agent.metrics;

import static io.vmagent.agent.metrics.MetricsTable.bytes;

import io.vmagent.agent.metrics.MetricSink.Unit;
import io.vmagent.protocol.text.Printable;
import java.util.List;

/**
 * Traffic of one network interface since it came up, and per-second rates over the interval since
 * the previous collection (NaN, null in JSON, on the first collection or after a counter reset).
 *
 * @param name interface name, e.g. "eth0"
 * @param rxBytes bytes received
 * @param txBytes bytes sent
 * @param rxPackets packets received
 * @param txPackets packets sent
 * @param rxErrors receive errors
 * @param txErrors transmit errors
 * @param rxDrops received packets dropped
 * @param txDrops outgoing packets dropped; -1 (null in JSON) where the platform does not report it
 * @param rxBytesPerSecond receive rate in bytes
 * @param txBytesPerSecond send rate in bytes
 * @param rxPacketsPerSecond packets received per second
 * @param txPacketsPerSecond packets sent per second
 * @param rxErrorsPerSecond receive errors per second
 * @param txErrorsPerSecond transmit errors per second
 * @param rxDropsPerSecond receive drops per second
 * @param txDropsPerSecond transmit drops per second
 */
public record NetworkIo(
    String name,
    long rxBytes,
    long txBytes,
    long rxPackets,
    long txPackets,
    long rxErrors,
    long txErrors,
    long rxDrops,
    long txDrops,
    double rxBytesPerSecond,
    double txBytesPerSecond,
    double rxPacketsPerSecond,
    double txPacketsPerSecond,
    double rxErrorsPerSecond,
    double txErrorsPerSecond,
    double rxDropsPerSecond,
    double txDropsPerSecond)
    implements Part {

  static final List<Column<NetworkIo>> COLUMNS =
      List.of(
          Column.text("INTERFACE", -16, n -> Printable.escape(n.name)),
          Column.text("RX/s", 11, n -> bytes(n.rxBytesPerSecond)),
          Column.text("TX/s", 11, n -> bytes(n.txBytesPerSecond)),
          Column.text("RX", 11, n -> bytes(n.rxBytes)),
          Column.text("TX", 11, n -> bytes(n.txBytes)),
          Column.integer("ERRORS", 8, n -> n.rxErrors + n.txErrors),
          // txDrops is -1 where the platform does not count outgoing drops
          Column.integer("DROPS", 8, n -> n.rxDrops + Math.max(0, n.txDrops)));

  @Override
  public void expose(MetricSink out) {
    MetricSink nic = out.labelled("device", name);
    nic.counter("vmagent_host_network_receive_bytes", "Bytes received", Unit.BYTES, rxBytes);
    nic.counter("vmagent_host_network_transmit_bytes", "Bytes sent", Unit.BYTES, txBytes);
    nic.counter("vmagent_host_network_receive_packets", "Packets received", null, rxPackets);
    nic.counter("vmagent_host_network_transmit_packets", "Packets sent", null, txPackets);
    nic.counter("vmagent_host_network_receive_errs", "Receive errors", null, rxErrors);
    nic.counter("vmagent_host_network_transmit_errs", "Transmit errors", null, txErrors);
    nic.counter("vmagent_host_network_receive_drop", "Received packets dropped", null, rxDrops);
    nic.counter("vmagent_host_network_transmit_drop", "Outgoing packets dropped", null, txDrops);
  }
}
