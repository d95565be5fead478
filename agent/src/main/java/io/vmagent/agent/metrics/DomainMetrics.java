package io.vmagent.agent.metrics;

import static io.vmagent.agent.metrics.MetricsTable.bytes;
import static io.vmagent.agent.metrics.MetricsTable.duration;
import static io.vmagent.agent.metrics.MetricsTable.percent;

import io.vmagent.agent.metrics.MetricSink.Unit;
import io.vmagent.protocol.text.Printable;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * One libvirt domain (VM). Rates and percentages cover the interval since the previous collection
 * and are NaN (null in JSON) on the first sight of the domain, after it restarted, and whenever a
 * counter went backwards. A {@code long} figure libvirt did not report is -1 (null in JSON).
 *
 * @param name domain name
 * @param uuid domain UUID
 * @param id hypervisor id while active, null when shut off
 * @param state libvirt state: running, blocked, paused, shutting_down, shut_off, crashed,
 *     pm_suspended, no_state
 * @param stateReason why it is in that state, e.g. "booted", "destroyed", "user"
 * @param vcpus virtual CPUs in use
 * @param cpuTimeSeconds CPU time consumed by the domain since it started
 * @param cpuPercent CPU used over the interval as a share of its vCPUs, 0-100
 * @param hostCpuPercent CPU used over the interval as a share of all host logical CPUs, 0-100
 * @param memoryMaxBytes memory the domain may use at most
 * @param memoryCurrentBytes memory currently assigned (the balloon's size)
 * @param balloon figures the guest's balloon driver reports; fields -1 when it reports none
 * @param disks per-disk counters and rates
 * @param interfaces per-interface counters and rates
 * @param uptimeSeconds seconds since the domain's last start (the start of its QEMU process, see
 *     {@link io.vmagent.agent.libvirt.UptimeTracker}); NaN when not running
 * @param uptimeEstimated whether the hypervisor could not tell the start, so that the uptime is
 *     counted from the agent's first sight of the domain: a lower bound
 */
public record DomainMetrics(
    String name,
    String uuid,
    Integer id,
    String state,
    String stateReason,
    Integer vcpus,
    double cpuTimeSeconds,
    double cpuPercent,
    double hostCpuPercent,
    long memoryMaxBytes,
    long memoryCurrentBytes,
    Balloon balloon,
    List<Disk> disks,
    List<NetworkInterface> interfaces,
    double uptimeSeconds,
    boolean uptimeEstimated)
    implements Part {

  /**
   * The columns of {@code vm-agent metrics --vms}; disk and interface rates are summed over the
   * devices that report both directions.
   */
  static final List<Column<DomainMetrics>> COLUMNS =
      List.of(
          Column.text("VM", -24, d -> Printable.escape(d.name)),
          Column.text("STATE", -9, d -> Printable.escape(d.state)),
          Column.text("VCPUS", 5, d -> d.vcpus == null ? "-" : d.vcpus),
          Column.text("CPU%", 7, d -> percent(d.cpuPercent)),
          Column.text("MEMORY", 10, d -> bytes(d.memoryCurrentBytes)),
          Column.text("RSS", 10, d -> bytes(d.balloon.rssBytes)),
          Column.text(
              "DISK-RD/s",
              11,
              d -> total(d.disks, Disk::readBytesPerSecond, Disk::writeBytesPerSecond)),
          Column.text(
              "DISK-WR/s",
              11,
              d -> total(d.disks, Disk::writeBytesPerSecond, Disk::readBytesPerSecond)),
          Column.text(
              "NET-RX/s",
              11,
              d ->
                  total(
                      d.interfaces,
                      NetworkInterface::rxBytesPerSecond,
                      NetworkInterface::txBytesPerSecond)),
          Column.text(
              "NET-TX/s",
              11,
              d ->
                  total(
                      d.interfaces,
                      NetworkInterface::txBytesPerSecond,
                      NetworkInterface::rxBytesPerSecond)),
          Column.text(
              "UPTIME",
              10,
              d ->
                  Double.isNaN(d.uptimeSeconds)
                      ? "-"
                      : (d.uptimeEstimated ? "~" : "") + duration((long) d.uptimeSeconds)));

  @Override
  public void expose(MetricSink out) {
    MetricSink vm = out.labelled("domain", name, "uuid", uuid);
    vm.labelled("state", String.valueOf(state), "reason", String.valueOf(stateReason))
        .gauge(
            "vmagent_domain_info",
            "Always 1; the domain's state and its reason as labels",
            null,
            1);
    exposeFigures(vm);
    balloon.expose(vm);
    for (Disk disk : disks) {
      disk.expose(vm.labelled("device", disk.device));
    }
    for (NetworkInterface nic : interfaces) {
      nic.expose(vm.labelled("device", nic.device));
    }
  }

  private void exposeFigures(MetricSink vm) {
    vm.gauge(
        "vmagent_domain_running",
        "1 while the domain is running or paused, else 0",
        null,
        id == null ? 0 : 1);
    vm.gauge("vmagent_domain_vcpus", "Virtual CPUs", null, vcpus);
    vm.counter(
        "vmagent_domain_cpu_seconds", "CPU time the domain used", Unit.SECONDS, cpuTimeSeconds);
    vm.gauge(
        "vmagent_domain_memory_max_bytes",
        "Memory the domain may use at most",
        Unit.BYTES,
        memoryMaxBytes);
    vm.gauge(
        "vmagent_domain_memory_current_bytes",
        "Memory assigned now (balloon size)",
        Unit.BYTES,
        memoryCurrentBytes);
    vm.gauge(
        "vmagent_domain_uptime_seconds",
        "Seconds since the domain's last start; from the agent's first sight when estimated",
        Unit.SECONDS,
        uptimeSeconds);
    if (!Double.isNaN(uptimeSeconds)) {
      vm.gauge(
          "vmagent_domain_uptime_estimated",
          "1 when the uptime counts from the agent's first sight of the domain, else 0",
          null,
          uptimeEstimated ? 1 : 0);
    }
  }

  /** Sum of {@code rate} over the devices that report it and {@code other}; "-" if none does. */
  private static <T> String total(
      List<T> devices, ToDoubleFunction<T> rate, ToDoubleFunction<T> other) {
    double sum = 0;
    boolean known = false;
    for (T device : devices) {
      double value = rate.applyAsDouble(device);
      if (!Double.isNaN(value) && !Double.isNaN(other.applyAsDouble(device))) {
        sum += value;
        known = true;
      }
    }
    return known ? bytes(sum) : "-";
  }

  /**
   * Balloon statistics, in bytes.
   *
   * @param actualBytes current balloon size (memory the guest has)
   * @param unusedBytes memory the guest leaves unused
   * @param availableBytes memory the guest sees as total
   * @param usableBytes memory the guest could use without swapping
   * @param rssBytes resident set of the hypervisor process on the host
   */
  public record Balloon(
      long actualBytes, long unusedBytes, long availableBytes, long usableBytes, long rssBytes)
      implements Part {

    @Override
    public void expose(MetricSink vm) {
      vm.gauge(
          "vmagent_domain_balloon_unused_bytes",
          "Memory the guest leaves unused",
          Unit.BYTES,
          unusedBytes);
      vm.gauge(
          "vmagent_domain_balloon_available_bytes",
          "Memory the guest sees as total",
          Unit.BYTES,
          availableBytes);
      vm.gauge(
          "vmagent_domain_balloon_usable_bytes",
          "Memory the guest can use without swapping",
          Unit.BYTES,
          usableBytes);
      vm.gauge(
          "vmagent_domain_balloon_rss_bytes",
          "Resident memory of the VM's process on the host",
          Unit.BYTES,
          rssBytes);
    }
  }

  /**
   * One disk: counters since the domain started, and rates.
   *
   * @param device target name, e.g. "vda"
   * @param readBytes bytes read
   * @param writeBytes bytes written
   * @param readRequests read requests
   * @param writeRequests write requests
   * @param readBytesPerSecond read rate
   * @param writeBytesPerSecond write rate
   * @param readRequestsPerSecond read requests per second
   * @param writeRequestsPerSecond write requests per second
   */
  public record Disk(
      String device,
      long readBytes,
      long writeBytes,
      long readRequests,
      long writeRequests,
      double readBytesPerSecond,
      double writeBytesPerSecond,
      double readRequestsPerSecond,
      double writeRequestsPerSecond)
      implements Part {

    @Override
    public void expose(MetricSink disk) {
      disk.counter(
          "vmagent_domain_block_read_bytes", "Bytes read from the disk", Unit.BYTES, readBytes);
      disk.counter(
          "vmagent_domain_block_write_bytes", "Bytes written to the disk", Unit.BYTES, writeBytes);
      disk.counter("vmagent_domain_block_read_requests", "Read requests", null, readRequests);
      disk.counter("vmagent_domain_block_write_requests", "Write requests", null, writeRequests);
    }
  }

  /**
   * One network interface: counters since the domain started, and rates.
   *
   * @param device host-side device name, e.g. "vnet0"
   * @param rxBytes bytes received by the guest
   * @param rxPackets packets received
   * @param rxErrors receive errors
   * @param rxDrops receive drops
   * @param txBytes bytes sent by the guest
   * @param txPackets packets sent
   * @param txErrors transmit errors
   * @param txDrops transmit drops
   * @param rxBytesPerSecond receive rate
   * @param rxPacketsPerSecond packets received per second
   * @param rxErrorsPerSecond receive errors per second
   * @param rxDropsPerSecond receive drops per second
   * @param txBytesPerSecond send rate
   * @param txPacketsPerSecond packets sent per second
   * @param txErrorsPerSecond transmit errors per second
   * @param txDropsPerSecond transmit drops per second
   */
  public record NetworkInterface(
      String device,
      long rxBytes,
      long rxPackets,
      long rxErrors,
      long rxDrops,
      long txBytes,
      long txPackets,
      long txErrors,
      long txDrops,
      double rxBytesPerSecond,
      double rxPacketsPerSecond,
      double rxErrorsPerSecond,
      double rxDropsPerSecond,
      double txBytesPerSecond,
      double txPacketsPerSecond,
      double txErrorsPerSecond,
      double txDropsPerSecond)
      implements Part {

    @Override
    public void expose(MetricSink nic) {
      nic.counter(
          "vmagent_domain_interface_receive_bytes",
          "Bytes received by the guest",
          Unit.BYTES,
          rxBytes);
      nic.counter(
          "vmagent_domain_interface_transmit_bytes",
          "Bytes sent by the guest",
          Unit.BYTES,
          txBytes);
      nic.counter("vmagent_domain_interface_receive_packets", "Packets received", null, rxPackets);
      nic.counter("vmagent_domain_interface_transmit_packets", "Packets sent", null, txPackets);
      nic.counter("vmagent_domain_interface_receive_errors", "Receive errors", null, rxErrors);
      nic.counter("vmagent_domain_interface_transmit_errors", "Transmit errors", null, txErrors);
      nic.counter("vmagent_domain_interface_receive_drops", "Receive drops", null, rxDrops);
      nic.counter("vmagent_domain_interface_transmit_drops", "Transmit drops", null, txDrops);
    }
  }
}
