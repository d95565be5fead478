package io.vmagent.agent.cli;

import io.vmagent.agent.Agent;
import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.config.ConfigException;
import io.vmagent.agent.logging.LogSetup;
import io.vmagent.agent.logging.SecretMasker;
import io.vmagent.agent.util.NamedThreads;
import io.vmagent.protocol.ErrorCode;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code vm-agent run}: the daemon. */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = "Run the agent in the foreground (what the systemd unit starts).",
    footerHeading = "%nExamples:%n",
    footer = {"  vm-agent run", "  vm-agent run --config-file ./agent.env --log-level DEBUG"})
final class RunCommand implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

  @Mixin ConfigOptions options = new ConfigOptions();

  @Override
  public Integer call() throws ConfigException, InterruptedException {
    AgentConfig config = options.loader().persistAgentId(true).load();
    config.token().ifPresent(token -> SecretMasker.register(token.reveal()));
    LogSetup.configure(
        config.logLevel(),
        config.logFile(),
        config.logFormat(),
        LogSetup.underJournald(System.getenv()));
    config.warnings().forEach(w -> log.warn("configuration: {}", w));
    Agent agent;
    try {
      agent = new Agent(config);
      agent.start();
    } catch (IOException e) {
      throw new CommandFailure(
          ExitCodes.UNAVAILABLE,
          ErrorCode.INTERNAL,
          "the agent cannot start: " + e.getMessage(),
          e);
    }
    // SIGTERM (systemd stop) and SIGINT (Ctrl-C) start the graceful shutdown; handling them here
    // rather than in a shutdown hook lets the process exit 0 once it is done.
    onSignals(() -> NamedThreads.thread("shutdown", false, agent::shutdown).start(), "TERM", "INT");
    agent.awaitStopped();
    return ExitCodes.OK;
  }

  /**
   * Runs {@code action} when one of {@code signals} arrives. Only {@code sun.misc.Signal} can do
   * that and let the process exit 0; it is reached by reflection because naming it in the source is
   * a compiler warning no annotation silences.
   */
  private static void onSignals(Runnable action, String... signals) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object handler =
          Proxy.newProxyInstance(
              handlerType.getClassLoader(),
              new Class<?>[] {handlerType},
              (proxy, method, args) ->
                  switch (method.getName()) {
                    case "handle" -> {
                      action.run();
                      yield null;
                    }
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> "vm-agent shutdown handler";
                  });
      Method handle = signal.getMethod("handle", signal, handlerType);
      for (String name : signals) {
        handle.invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
      }
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot handle the signals " + String.join(", ", signals), e);
    }
  }
}
