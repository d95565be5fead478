package io.vmagent.agent.metrics;

import static io.vmagent.agent.metrics.MetricsTable.duration;

import io.vmagent.agent.metrics.MetricSink.Unit;
import io.vmagent.protocol.text.Printable;
import java.io.PrintWriter;
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
    Instant bootTime)
    implements Part {

  @Override
  public void expose(MetricSink out) {
    out.gauge(
        "vmagent_host_boot_time_seconds",
        "When the host booted, seconds since the epoch",
        Unit.SECONDS,
        bootTime.getEpochSecond());
    out.gauge(
        "vmagent_host_uptime_seconds",
        "Seconds since the host booted",
        Unit.SECONDS,
        uptimeSeconds);
  }

  @Override
  public void print(PrintWriter out) {
    out.printf(
        "Host      %s, %s, kernel %s, %s%n",
        Printable.escape(hostname), Printable.escape(os), Printable.escape(kernel), architecture);
    out.printf(
        "CPU       %s, virtualization %s%n", Printable.escape(cpuModel), virtualization.describe());
    out.printf("Uptime    %s (booted %s)%n", duration(uptimeSeconds), bootTime);
  }

  /**
   * Hardware virtualisation support.
   *
   * @param cpuFlag "vmx" (Intel VT-x) or "svm" (AMD-V) when the CPU advertises it, else null;
   *     nested hypervisors often hide the flag while KVM still works
   * @param kvmDevicePresent whether {@code /dev/kvm} exists, i.e. KVM can be used
   */
  public record Virtualization(String cpuFlag, boolean kvmDevicePresent) {
    String describe() {
      String kvm = kvmDevicePresent ? "/dev/kvm present" : "no /dev/kvm";
      return (cpuFlag == null ? "no vmx/svm flag" : cpuFlag) + ", " + kvm;
    }
  }
}
