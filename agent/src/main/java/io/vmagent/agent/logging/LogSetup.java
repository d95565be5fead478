package io.vmagent.agent.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.pattern.DynamicConverter;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import com.fasterxml.jackson.core.JsonFactory;
import io.vmagent.agent.config.LogFormat;
import io.vmagent.agent.config.LogLevel;
import io.vmagent.protocol.text.Printable;
import io.vmagent.protocol.text.PrintableMessageConverter;
import io.vmagent.protocol.text.PrintableThrowableConverter;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import net.logstash.logback.decorate.JsonFactoryDecorator;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback from the agent's configuration, in code so that the levels, formats and secret
 * masking cannot be undone by a stray logback.xml on the class path.
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
  public static void configure(
      LogLevel level, Optional<Path> file, LogFormat format, boolean journald) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    registerPrintableConverters(context);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(level.slf4jLevel()));

    ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
    console.setContext(context);
    console.setName("console");
    console.setEncoder(
        encoder(context, format, journald ? JOURNAL_PATTERN : TEXT_PATTERN, journald));
    console.start();
    root.addAppender(console);

    file.ifPresent(path -> root.addAppender(fileAppender(context, path, format)));
    // Libraries that chatter at INFO about their own start-up are kept to warnings.
    for (String quiet :
        new String[] {
          "oshi", "com.zaxxer.hikari", "org.eclipse.jetty", "io.javalin", "org.flywaydb"
        }) {
      if (level != LogLevel.DEBUG) {
        context.getLogger(quiet).setLevel(Level.WARN);
      }
    }
  }

  /**
   * Makes {@code %msg} and {@code %ex} of every text pattern in this context escape control
   * characters ({@link Printable}): messages quote VM names, libvirt errors and backend answers,
   * and none of them may colour the terminal or forge a log line. Kept in the context, where
   * Logback's own {@code <conversionRule>} puts them, so the early configuration's encoder uses
   * them too.
   */
  @SuppressWarnings("unchecked")
  static void registerPrintableConverters(Context context) {
    String registry = CoreConstants.PATTERN_RULE_REGISTRY_FOR_SUPPLIERS;
    Map<String, Supplier<DynamicConverter<?>>> rules =
        (Map<String, Supplier<DynamicConverter<?>>>) context.getObject(registry);
    if (rules == null) {
      rules = new HashMap<>();
      context.putObject(registry, rules);
    }
    for (String word : new String[] {"msg", "m", "message"}) {
      rules.put(word, PrintableMessageConverter::new);
    }
    for (String word : new String[] {"ex", "exception", "throwable"}) {
      rules.put(word, PrintableThrowableConverter::new);
    }
  }

  private static RollingFileAppender<ILoggingEvent> fileAppender(
      LoggerContext context, Path path, LogFormat format) {
    RollingFileAppender<ILoggingEvent> appender = new GroupReadableFileAppender();
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

  /**
   * Creates each log file (the first, and each one after a roll-over) 0640 whatever the umask:
   * systemd runs the agent with UMask=0077, which would leave the group of log readers (adm) out. A
   * file that exists already keeps the mode its owner gave it.
   */
  static final class GroupReadableFileAppender extends RollingFileAppender<ILoggingEvent> {
    static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rw-r-----");

    @Override
    public void openFile(String fileName) throws IOException {
      Path file = Path.of(fileName).toAbsolutePath();
      if (!Files.exists(file)) {
        Files.createDirectories(file.getParent());
        try {
          // Created at most 0640 (the umask only removes bits), then set to exactly 0640.
          Files.createFile(file, PosixFilePermissions.asFileAttribute(MODE));
          Files.setPosixFilePermissions(file, MODE);
        } catch (FileAlreadyExistsException e) {
          // Another process made it meanwhile: its mode stays.
        } catch (UnsupportedOperationException e) {
          // Not a POSIX file system: Logback creates the file as it would anyway.
        }
      }
      super.openFile(fileName);
    }
  }

  private static Encoder<ILoggingEvent> encoder(
      LoggerContext context, LogFormat format, String pattern, boolean journald) {
    Encoder<ILoggingEvent> inner;
    if (format == LogFormat.JSON) {
      LogstashEncoder json = new LogstashEncoder();
      json.setContext(context);
      // JSON escaping already keeps one event on one line and escapes C0 controls (ESC, CR, LF);
      // DEL, C1 controls and bidi overrides would pass raw, so they get JSON's unicode escapes too.
      json.setJsonFactoryDecorator(
          new JsonFactoryDecorator() {
            @Override
            public JsonFactory decorate(JsonFactory factory) {
              return factory.setCharacterEscapes(Printable.jsonEscapes());
            }
          });
      inner = json;
    } else {
      PatternLayout patternLayout = new PatternLayout();
      patternLayout.setContext(context);
      patternLayout.setPattern(pattern);
      Layout<ILoggingEvent> layout =
          journald ? new PriorityPrefixLayout(patternLayout) : patternLayout;
      layout.setContext(context);
      layout.start();
      LayoutWrappingEncoder<ILoggingEvent> text = new LayoutWrappingEncoder<>();
      text.setContext(context);
      text.setLayout(layout);
      inner = text;
    }
    SecretMasker masking = new SecretMasker(inner);
    masking.setContext(context);
    masking.start();
    return masking;
  }
}
