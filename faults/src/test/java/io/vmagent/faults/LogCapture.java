package io.vmagent.faults;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what one logger of the agent writes, to check for a clear log line. */
final class LogCapture implements AutoCloseable {
  private final Logger logger;
  private final Level before;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture(Class<?> type) {
    this(type, Level.INFO);
  }

  LogCapture(Class<?> type, Level level) {
    this.logger = (Logger) LoggerFactory.getLogger(type);
    this.before = logger.getLevel();
    logger.setLevel(level);
    appender.start();
    logger.addAppender(appender);
  }

  /** Every line so far, formatted, with its level. */
  List<String> lines() {
    synchronized (appender) { // the appender appends under its own lock
      return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }
  }

  long count(String fragment) {
    return lines().stream().filter(l -> l.contains(fragment)).count();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(before);
    appender.stop();
  }
}
