package io.vmagent.agent.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import io.vmagent.agent.config.LogFormat;
import io.vmagent.agent.config.LogLevel;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback from the agent's configuration, in code so that the levels, formats and
 * secret masking cannot be undone by a stray logback.xml on the class path.
 */
public final class LogSetup {
  private static final String TEXT_PATTERN =
      "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{30} - %msg%n%ex";
  // journald stamps every line itself; a second timestamp only costs width at 3 a.m.
  private static final String JOURNAL_PATTERN = "%-5level [%thread] %logger{30} - %msg%n%ex";

  /** Rolled log files: by day and by size, bounded in count and total size. */
  static final String MAX_FILE_SIZE = "50MB";
  static final int MAX_HISTORY_DAYS = 14;
  static final String TOTAL_SIZE_CAP = "500MB";

  private LogSetup() {}

  /** Whether standard output goes to journald (systemd sets JOURNAL_STREAM for its services). */
  public static boolean underJournald(Map<String, String> environment) {
    return environment.containsKey("JOURNAL_STREAM");
  }

  /** Replaces the logging configuration: standard output, and the rolled file when given. */
  public static void configure(LogLevel level, Optional<Path> file, LogFormat format, boolean journald) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level.slf4jLevel()));

    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setEncoder(encoder(context, format, journald ? JOURNAL_PATTERN : TEXT_PATTERN, journald));
    console.start();
    root.addAppender(console);

    file.ifPresent(path -> root.addAppender(fileAppender(context, path, format)));
    // Libraries that chatter at INFO about their own start-up are kept to warnings.
    for (String quiet : new String[] {"oshi", "com.zaxxer.hikari", "org.eclipse.jetty", "io.javalin", "org.flywaydb"}) {
      if (level != LogLevel.DEBUG) {
        context.getLogger(quiet).setLevel(Level.WARN);
      }
    }
  }

  private static RollingFileAppender<ILoggingEvent> fileAppender(LoggerContext context, Path path, LogFormat format) {
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setName("file");
    appender.setFile(path.toString());
    SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
    policy.setContext(context);
    policy.setParent(appender);
    // Archives end in .gz, not .log, so a logrotate rule on *.log never rotates them again.
    policy.setFileNamePattern(path + ".%d{yyyy-MM-dd}.%i.gz");
    policy.setMaxFileSize(FileSize.valueOf(MAX_FILE_SIZE));
    policy.setMaxHistory(MAX_HISTORY_DAYS);
    policy.setTotalSizeCap(FileSize.valueOf(TOTAL_SIZE_CAP));
    policy.start();
    appender.setRollingPolicy(policy);
    appender.setEncoder(encoder(context, format, TEXT_PATTERN, false));
    appender.start();
    return appender;
  }

  private static Encoder<ILoggingEvent> encoder(LoggerContext context, LogFormat format, String pattern, boolean journald) {
    Encoder<ILoggingEvent> inner;
    if (format == LogFormat.JSON) {
      LogstashEncoder json = new LogstashEncoder();
      json.setContext(context);
      inner = json;
    } else {
      PatternLayout patternLayout = new PatternLayout();
      patternLayout.setContext(context);
      patternLayout.setPattern(pattern);
      Layout<ILoggingEvent> layout = journald ? new PriorityPrefixLayout(patternLayout) : patternLayout;
      layout.setContext(context);
      layout.start();
      LayoutWrappingEncoder<ILoggingEvent> text = new LayoutWrappingEncoder<>();
      text.setContext(context);
      text.setLayout(layout);
      inner = text;
    }
    MaskingEncoder masking = new MaskingEncoder(inner);
    masking.setContext(context);
    masking.start();
    return masking;
  }
}
