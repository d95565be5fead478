package io.vmagent.agent.cli;

import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.config.ConfigException;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.CollectorStatus;
import io.vmagent.agent.metrics.MetricsJson;
import io.vmagent.agent.metrics.MetricsSampler;
import io.vmagent.agent.metrics.MetricsSnapshot;
import io.vmagent.agent.metrics.MetricsTable;
import io.vmagent.agent.metrics.domain.DomainCollector;
import io.vmagent.agent.metrics.domain.ManagedConnectionAccess;
import io.vmagent.agent.metrics.system.SystemCollectors;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.text.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import oshi.SystemInfo;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vm-agent metrics}: one metrics snapshot of this host and its VMs, as tables or JSON. */
@Command(
    name = "metrics",
    mixinStandardHelpOptions = true,
    description =
        "Collect the host's and the VMs' metrics once and print them "
            + "(a readable table, or the snapshot as JSON with --json).",
    footerHeading = "%nExamples:%n",
    footer = {
      "  vm-agent metrics                 host and VMs, as tables",
      "  vm-agent metrics --vms --json    the VMs only, as the JSON snapshot",
      "  vm-agent metrics --system --interval 0   no second sample, so no rates"
    })
final class MetricsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConfigOptions options;

  @ArgGroup(exclusive = true)
  Scope scope = new Scope();

  @Option(names = "--json", description = "Print the snapshot as JSON (see docs/metrics.md).")
  boolean json;

  @Option(
      names = "--interval",
      paramLabel = "SECONDS",
      defaultValue = "1",
      description =
          "Seconds between the two samples that rates and CPU percentages need; "
              + "0 takes one sample and leaves rates out. Default: ${DEFAULT-VALUE}.")
  double intervalSeconds;

  /** Which part of the snapshot to collect. */
  static final class Scope {
    @Option(names = "--system", description = "Only the host (no libvirt connection).")
    boolean system;

    @Option(names = "--vms", description = "Only the VMs.")
    boolean vms;
  }

  @Override
  public Integer call() throws ConfigException, InterruptedException, IOException {
    if (intervalSeconds < 0 || intervalSeconds > 60 || Double.isNaN(intervalSeconds)) {
      throw new CommandFailure(
          ExitCodes.USAGE,
          ErrorCode.INVALID_ARGUMENT,
          "--interval must be between 0 and 60 seconds, got " + intervalSeconds);
    }
    AgentConfig config = options.loadLocal();
    SystemCollectors system = new SystemCollectors(new SystemInfo());
    List<Collector> collectors = new ArrayList<>();
    if (!scope.vms) {
      collectors.addAll(system.create());
    }
    LibvirtConnectionManager libvirt = null;
    try {
      if (!scope.system) {
        libvirt =
            new LibvirtConnectionManager(
                config.libvirtUri(),
                config.libvirtTimeout(),
                1,
                Duration.ofMillis(250),
                Duration.ofSeconds(1));
        libvirt.start();
        collectors.add(
            new DomainCollector(
                new ManagedConnectionAccess(libvirt, config.libvirtTimeout()),
                system.logicalCpus(),
                libvirt.uptime()));
      }
      MetricsSampler sampler = new MetricsSampler(collectors, Clock.systemUTC());
      MetricsSnapshot snapshot = sampler.collect();
      if (intervalSeconds > 0) {
        Thread.sleep((long) (intervalSeconds * 1000));
        snapshot = sampler.collect();
      }
      print(snapshot);
      return exitCode(snapshot, config);
    } finally {
      if (libvirt != null) {
        libvirt.close();
      }
    }
  }

  private void print(MetricsSnapshot snapshot) throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(
          MetricsJson.mapper()
              .writerWithDefaultPrettyPrinter()
              .with(Printable.jsonEscapes())
              .writeValueAsString(snapshot));
      out.flush();
      return;
    }
    if (!scope.vms) {
      MetricsTable.printSystem(snapshot, out);
    }
    if (!scope.system) {
      MetricsTable.printDomains(snapshot, out);
    }
  }

  /**
   * 69 when libvirt could not be read, 1 when another collector failed, else 0. With --json the
   * snapshot printed already names each failed collector and its error, so nothing more is said.
   */
  private int exitCode(MetricsSnapshot snapshot, AgentConfig config) {
    int code = ExitCodes.OK;
    PrintWriter err = json ? new PrintWriter(Writer.nullWriter()) : spec.commandLine().getErr();
    for (CollectorStatus status : snapshot.collectors()) {
      if (status.success()) {
        continue;
      }
      if (status.name().equals("domains")) {
        err.println(
            "vm-agent: VM metrics unavailable from libvirt "
                + Printable.escape(config.libvirtUri())
                + ": "
                + Printable.escape(status.error()));
        code = ExitCodes.UNAVAILABLE;
      } else {
        err.println(
            "vm-agent: collector "
                + status.name()
                + " failed: "
                + Printable.escape(status.error()));
        code = code == ExitCodes.OK ? ExitCodes.FAILED : code;
      }
      err.flush();
    }
    return code;
  }
}
