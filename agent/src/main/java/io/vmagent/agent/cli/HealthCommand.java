package io.vmagent.agent.cli;

import io.vmagent.agent.config.ConfigException;
import io.vmagent.agent.libvirt.HealthReport;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vm-agent health}: is libvirt reachable, what does it run, how fast does it answer. */
@Command(
    name = "health",
    mixinStandardHelpOptions = true,
    description =
        "Check libvirt: reachable, hypervisor and libvirt versions, host name, VM counts "
            + "by state and the check's latency. Exit code 0 when healthy, 69 when not.")
final class HealthCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConfigOptions config;
  @Mixin OutputOptions output;

  @Override
  public Integer call() throws ConfigException {
    try (VmCliSession session = VmCliSession.open(config, false)) {
      HealthReport report = session.run(ops -> ops.healthCheck());
      output.print(spec.commandLine().getOut(), report, VmTables::health);
      return report.healthy() ? ExitCodes.OK : ExitCodes.UNAVAILABLE;
    }
  }
}
