package io.vmagent.agent.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Layout;
import ch.qos.logback.core.LayoutBase;

/**
 * Prefixes each line with its syslog priority ({@code <3>} error ... {@code <7>} debug), the form
 * journald reads from a service's standard output to store the line's PRIORITY.
 */
final class PriorityPrefixLayout extends LayoutBase<ILoggingEvent> {
  private final Layout<ILoggingEvent> delegate;

  PriorityPrefixLayout(Layout<ILoggingEvent> delegate) {
    this.delegate = delegate;
  }

  static int priority(Level level) {
    return switch (level.toInt()) {
      case Level.ERROR_INT -> 3;
      case Level.WARN_INT -> 4;
      case Level.INFO_INT -> 6;
      default -> 7;
    };
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    return "<" + priority(event.getLevel()) + ">" + delegate.doLayout(event);
  }

  @Override
  public void start() {
    delegate.start();
    super.start();
  }
}
