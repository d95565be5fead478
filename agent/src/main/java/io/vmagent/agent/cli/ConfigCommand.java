package io.vmagent.agent.cli;

import io.vmagent.agent.backend.Session;
import io.vmagent.agent.backend.TlsContexts;
import io.vmagent.agent.backend.TlsSettings;
import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.config.ConfigException;
import io.vmagent.agent.config.ConfigKey;
import io.vmagent.agent.config.Secret;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.text.Printable;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code vm-agent config check}: the effective configuration, each value with its source. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Inspect the configuration.",
    subcommands = {ConfigCommand.Check.class, HelpCommand.class})
final class ConfigCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Prints every key with its value and origin; exits 78 when the configuration is invalid. */
  @Command(
      name = "check",
      mixinStandardHelpOptions = true,
      description =
          "Print the effective configuration with where each value came from "
              + "(secrets as ***) and check it; exit 78 when it is invalid.",
      footerHeading = "%nExamples:%n",
      footer = {
        "  vm-agent config check",
        "  vm-agent config check --config-file ./agent.env --set AGENT_HEARTBEAT_INTERVAL=10"
      })
  static final class Check implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin ConfigOptions options;

    @Override
    public Integer call() throws ConfigException {
      AgentConfig config = options.loader().load();
      PrintWriter out = spec.commandLine().getOut();
      out.printf("%-28s %-45s %s%n", "KEY", "VALUE", "SOURCE");
      for (ConfigKey key : ConfigKey.values()) {
        AgentConfig.Origin origin = config.origin(key);
        String value = origin.value() == null ? "" : key.secret() ? Secret.MASK : origin.value();
        if (key == ConfigKey.AGENT_ID && origin.value() == null) {
          value = "(generated at first run)";
        }
        out.printf(
            "%-28s %-45s %s%n",
            key.name(), Printable.escape(value), Printable.escape(origin.source().label()));
      }
      for (String warning : config.warnings()) {
        out.println("warning: " + Printable.escape(warning));
      }
      Session.cannotRegister(config.token(), config.autoRegister(), config.stateDir())
          .ifPresent(warning -> out.println("warning: " + Printable.escape(warning)));
      // The files are read now, so a wrong key or bundle shows here rather than at the next start.
      List<String> tls;
      try {
        tls =
            new java.util.ArrayList<>(TlsContexts.describe(TlsSettings.of(config), Instant.now()));
        tls.addAll(
            TlsContexts.describeIssued(TlsSettings.of(config), config.stateDir(), Instant.now()));
      } catch (IOException e) {
        out.flush();
        throw new CommandFailure(
            ExitCodes.CONFIG,
            ErrorCode.INVALID_ARGUMENT,
            "TLS files unusable: " + e.getMessage(),
            e);
      }
      tls.forEach(line -> out.println(Printable.escape(line)));
      out.println("configuration is valid");
      out.flush();
      return ExitCodes.OK;
    }
  }
}
