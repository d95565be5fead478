package io.vmagent.agent.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.nio.charset.StandardCharsets;

/**
 * Wraps any encoder (text or JSON) and passes every line it produces through {@link SecretMasker}.
 */
final class MaskingEncoder extends EncoderBase<ILoggingEvent> {
  private final Encoder<ILoggingEvent> delegate;

  MaskingEncoder(Encoder<ILoggingEvent> delegate) {
    this.delegate = delegate;
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    byte[] raw = delegate.encode(event);
    String line = new String(raw, StandardCharsets.UTF_8);
    String masked = SecretMasker.mask(line);
    return masked.equals(line) ? raw : masked.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }

  @Override
  public void start() {
    delegate.start();
    super.start();
  }

  @Override
  public void stop() {
    delegate.stop();
    super.stop();
  }
}
