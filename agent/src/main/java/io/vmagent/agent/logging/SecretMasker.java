package io.vmagent.agent.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import io.vmagent.protocol.text.Printable;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last line of defence that keeps secrets out of log lines: every line is rewritten with known
 * secret values, JSON Web Tokens, bearer credentials and PEM private keys replaced by {@code ***}.
 * Code should still never log a secret; this catches the mistake that slips through. An instance is
 * the encoder every appender writes through: it wraps any encoder (text or JSON) and masks each
 * line that encoder produces.
 */
public final class SecretMasker extends EncoderBase<ILoggingEvent> {
  public static final String MASK = "***";

  private static final Pattern JWT =
      Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*");
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
  private static final Pattern PRIVATE_KEY =
      Pattern.compile(
          "-----BEGIN ([A-Z ]*)PRIVATE KEY-----.*?-----END \\1PRIVATE KEY-----", Pattern.DOTALL);
  private static final int MIN_SECRET_LENGTH = 6;

  private static final Set<String> KNOWN = new CopyOnWriteArraySet<>();

  private final Encoder<ILoggingEvent> delegate;

  /** The encoder that masks every line {@code delegate} produces. */
  SecretMasker(Encoder<ILoggingEvent> delegate) {
    this.delegate = delegate;
  }

  /**
   * Remembers a secret value so that it is masked wherever it appears; values shorter than six
   * characters are ignored because masking them would garble ordinary words.
   */
  public static void register(String secret) {
    if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
      KNOWN.add(secret);
    }
  }

  /** Forgets a secret that is no longer in use (for example a rotated token). */
  public static void forget(String secret) {
    if (secret != null) {
      KNOWN.remove(secret);
    }
  }

  /** The text with every secret masked. */
  public static String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String secret : KNOWN) {
      if (out.contains(secret)) {
        out = out.replace(secret, MASK);
      }
      // Text log lines carry messages escaped (a backslash doubled, say), so the secret may too.
      String escaped = Printable.escape(secret);
      if (!escaped.equals(secret) && out.contains(escaped)) {
        out = out.replace(escaped, MASK);
      }
    }
    out = PRIVATE_KEY.matcher(out).replaceAll(MASK);
    out = JWT.matcher(out).replaceAll(MASK);
    out = BEARER.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK));
    return out;
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    byte[] raw = delegate.encode(event);
    String line = new String(raw, StandardCharsets.UTF_8);
    String masked = mask(line);
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
