package io.vmagent.backend;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The shipped logback.xml writes what agents send escaped: one event is one line. */
class LogLineEscapingTest {
  private static final String FORGED =
      "web\u001b]0;PWNED\u0007\u001b[31mRED\u001b[0m\rFAKE\nagent-Z  evil  online";

  @Test
  @SuppressWarnings("unchecked")
  void messageArgumentsAndExceptionMessagesAreWrittenEscapedOnOneLine() throws Exception {
    URL shipped = RunningBackend.class.getResource("/logback.xml");
    LoggerContext context = new LoggerContext();
    context.setMDCAdapter(new LogbackMDCAdapter());
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(shipped);

    // The shipped appender, with its encoder and pattern, writing here instead of to stderr.
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    ((OutputStreamAppender<ILoggingEvent>) root.getAppender("STDERR")).setOutputStream(captured);
    try {
      Logger log = context.getLogger("io.vmagent.backend.test");
      log.info("agent {} registered", FORGED);
      log.warn("second event\u202e");
      log.error("refused", new IllegalArgumentException("no VM " + FORGED));
    } finally {
      context.stop();
    }
    String written = captured.toString(StandardCharsets.UTF_8);
    String[] lines = written.split("\n");
    assertThat(lines[0])
        .endsWith(
            "agent web\\e]0;PWNED\\x07\\e[31mRED\\e[0m\\rFAKE\\nagent-Z  evil  online registered");
    assertThat(lines[1]).endsWith("second event\\u202e");
    assertThat(lines[2]).endsWith("refused");
    assertThat(lines[3])
        .isEqualTo(
            "java.lang.IllegalArgumentException: no VM web\\e]0;PWNED\\x07\\e[31mRED"
                + "\\e[0m\\rFAKE\\nagent-Z  evil  online");
    assertThat(lines).allSatisfy(line -> assertThat(line).doesNotContain("\u001b", "\r", "\u202e"));
    assertThat(written).doesNotContain("\n" + "agent-Z");
  }
}
