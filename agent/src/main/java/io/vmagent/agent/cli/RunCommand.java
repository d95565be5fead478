package io.vmagent.agent.cli;

import io.vmagent.agent.AgentVersion;
import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.config.ConfigException;
import io.vmagent.agent.logging.LogSetup;
import io.vmagent.agent.logging.SecretMasker;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code vm-agent run}: the daemon. */
@Command(name = "run", description = "Run the agent in the foreground (what the systemd unit starts).",
    footerHeading = "%nExamples:%n",
    footer = {"  vm-agent run",
        "  vm-agent run --config-file ./agent.env --log-level DEBUG"})
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Mixin ConfigOptions options;

  @Override
  public Integer call() throws ConfigException, InterruptedException {
    AgentConfig config = options.loader().persistAgentId(true).load();
    config.token().ifPresent(token -> SecretMasker.register(token.reveal()));
    LogSetup.configure(config.logLevel(), config.logFile(), config.logFormat(), LogSetup.underJournald(System.getenv()));
    config.warnings().forEach(w -> log.warn("configuration: {}", w));
    log.info("vm-agent {} starting: agent id {}, backend {}, libvirt {}", AgentVersion.current(),
        config.agentId().orElse("?"), config.backendUrl().map(Object::toString).orElse("-"), config.libvirtUri());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "shutdown-signal"));
    try {
      Connect connect = new Connect(config.libvirtUri(), true);
      log.info("connected to libvirt {}: {} domains defined", config.libvirtUri(),
          connect.numOfDomains() + connect.numOfDefinedDomains());
      connect.close();
    } catch (LibvirtException e) {
      throw new CommandFailure(ExitCodes.UNAVAILABLE, "libvirt " + config.libvirtUri() + " cannot be reached: " + e.getMessage(), e);
    }
    stopped.await();
    return ExitCodes.OK;
  }
}
