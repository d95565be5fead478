package io.vmagent.agent.cli;

import io.vmagent.agent.config.ConfigException;
import io.vmagent.agent.health.HealthCheck;
import io.vmagent.agent.health.HealthReport;
import io.vmagent.agent.health.HostResources;
import io.vmagent.agent.health.ResourceCheck;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vm-agent health}: is libvirt reachable, and are disk, memory, swap and load in bounds. */
@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    description =
        "Check libvirt (reachable, hypervisor and libvirt versions, host name, VM counts by state,"
            + " the check's latency) and the host's resources against their thresholds: free"
            + " space and inodes of the state directory's file system and of every active"
            + " storage pool, available memory, swap in use, load per core. Exit code 0 when"
            + " healthy, 69 when not.",
    footerHeading = "%nExamples:%n",
    footer = {
      "  vm-agent health                  one row per check, with its figure and threshold",
      "  vm-agent health --json           the result of health_check, with each resource check",
      "  vm-agent health --set AGENT_HEALTH_DISK_FREE_PERCENT=10   try a stricter threshold"
    })
final class HealthCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConfigOptions config;
  @Mixin OutputOptions output;

  @Override
  public Integer call() throws ConfigException {
    try (VmCliSession session = VmCliSession.open(config, false)) {
      HostResources resources =
          new HostResources(
              session.config().stateDir(),
              session.config().resourceThresholds(),
              session.libvirt(),
              session.config().libvirtTimeout());
      HealthReport report = new HealthCheck(session.libvirt(), resources).check();
      output.print(spec.commandLine().getOut(), report, HealthCommand::table);
      return report.healthy() ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
    }
  }

  private static void table(HealthReport report, PrintWriter out) {
    TextTable facts = new TextTable("CHECK", "VALUE");
    facts
        .row("healthy", report.healthy() ? "yes" : "no")
        .row("connection", report.connection())
        .row("uri", report.uri())
        .row(
            "hypervisor",
            report.hypervisorType() == null
                ? null
                : report.hypervisorType() + " " + report.hypervisorVersion())
        .row("libvirt", report.libvirtVersion())
        .row("host", report.hostName())
        .row("domains", report.domainsTotal());
    Map<String, Integer> counts = report.domainsByState();
    if (counts != null) {
      counts.forEach((state, count) -> facts.row("  " + state, count));
    }
    facts
        .row("latency", report.latencyMs() + " ms")
        .row("reconnects", report.reconnects())
        .row("error", report.error());
    for (ResourceCheck check : report.resources()) {
      facts.row(check.check().wire(), check.status().wire() + ": " + check.message());
    }
    facts.print(out);
  }
}
