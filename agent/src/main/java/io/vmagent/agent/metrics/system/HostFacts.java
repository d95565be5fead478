package io.vmagent.agent.metrics.system;

import java.time.Instant;

/**
 * What the host is and how long it has been up.
 *
 * @param hostname the host's name
 * @param os operating system family and version, e.g. "Debian GNU/Linux 12 (bookworm)"
 * @param kernel kernel release, e.g. "6.1.0-26-amd64"
 * @param architecture CPU architecture as the JVM names it, e.g. "amd64"
 * @param cpuModel CPU model name
 * @param virtualization what the host offers for hardware virtualisation
 * @param uptimeSeconds seconds since boot
 * @param bootTime when the host booted
 */
public record HostFacts(
    String hostname,
    String os,
    String kernel,
    String architecture,
    String cpuModel,
    Virtualization virtualization,
    long uptimeSeconds,
    Instant bootTime) {

  /**
   * Hardware virtualisation support.
   *
   * @param cpuFlag "vmx" (Intel VT-x) or "svm" (AMD-V) when the CPU advertises it, else null;
   *     nested hypervisors often hide the flag while KVM still works
   * @param kvmDevicePresent whether {@code /dev/kvm} exists, i.e. KVM can be used
   */
  public record Virtualization(String cpuFlag, boolean kvmDevicePresent) {}
}
