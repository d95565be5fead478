package io.vmagent.agent.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class EarlyLogConfiguratorTest {
  @Test
  void logbackFindsItThroughTheServiceLoaderSoNoXmlIsRead() {
    assertThat(ServiceLoader.load(Configurator.class).stream().map(ServiceLoader.Provider::type))
        .contains(EarlyLogConfigurator.class);
    assertThat(getClass().getClassLoader().getResource("logback.xml")).isNull();
  }

  @Test
  void untilTheAgentIsConfiguredOnlyWarningsReachStandardError() {
    LoggerContext context = new LoggerContext();
    EarlyLogConfigurator configurator = new EarlyLogConfigurator();
    configurator.setContext(context);

    assertThat(configurator.configure(context))
        .isEqualTo(Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(root.getAppender("stderr"))
        .isInstanceOfSatisfying(
            ConsoleAppender.class,
            appender -> {
              assertThat(appender.getTarget()).isEqualTo("System.err");
              assertThat(appender.isStarted()).isTrue();
            });
    context.stop();
  }
}
