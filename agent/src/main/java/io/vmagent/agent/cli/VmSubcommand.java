package io.vmagent.agent.cli;

import io.vmagent.agent.config.ConfigException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every {@code vm-agent vm ...} command shares: configuration, output, a libvirt session. */
abstract class VmSubcommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin ConfigOptions config;
  @Mixin OutputOptions output;

  @Override
  public final Integer call() throws ConfigException {
    try (VmCliSession session = VmCliSession.open(config, true)) {
      run(session, spec.commandLine().getOut());
    }
    return ExitCodes.OK;
  }

  abstract void run(VmCliSession session, PrintWriter out);
}
