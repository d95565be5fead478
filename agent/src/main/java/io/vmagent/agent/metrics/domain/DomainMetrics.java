package io.vmagent.agent.metrics.domain;

import java.util.List;

/**
 * One libvirt domain (VM). Rates and percentages cover the interval since the previous collection
 * and are NaN (null in JSON) on the first sight of the domain, after it restarted, and whenever a
 * counter went backwards. A {@code long} figure libvirt did not report is -1 (null in JSON).
 *
 * @param name domain name
 * @param uuid domain UUID
 * @param id hypervisor id while active, null when shut off
 * @param state libvirt state: running, blocked, paused, shutdown, shutoff, crashed, pmsuspended
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
 * @param uptimeSeconds seconds since the agent first saw the domain running under its current id
 *     (libvirt does not expose a start time): exact for domains started while the agent runs, a
 *     lower bound for the others; NaN when not running
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
    double uptimeSeconds) {

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
      long actualBytes, long unusedBytes, long availableBytes, long usableBytes, long rssBytes) {}

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
      double writeRequestsPerSecond) {}

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
      double txDropsPerSecond) {}
}
