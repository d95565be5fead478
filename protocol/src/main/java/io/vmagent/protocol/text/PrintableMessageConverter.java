package io.vmagent.protocol.text;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * {@code %msg} for text log layouts: the formatted message, its arguments included, through {@link
 * Printable}, so a value from an agent or operator can neither colour the terminal nor end the line
 * and forge an event of its own. Registered for {@code msg}, {@code m} and {@code message} in the
 * backend's logback.xml and the agent's {@code LogSetup}.
 */
public final class PrintableMessageConverter extends MessageConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return Printable.escape(event.getFormattedMessage());
  }
}
