package io.vmagent.agent.logging;

import io.vmagent.protocol.text.Printable;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The last line of defence that keeps secrets out of log lines: every line is rewritten with known
 * secret values, JSON Web Tokens, bearer credentials and PEM private keys replaced by {@code ***}.
 * Code should still never log a secret; this catches the mistake that slips through.
 */
public final class SecretMasker {
  public static final String MASK = "***";

  private static final Pattern JWT =
      Pattern.compile("eyJ[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]{4,}\\.[A-Za-z0-9_-]*");
  private static final Pattern BEARER = Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]+");
  private static final Pattern PRIVATE_KEY =
      Pattern.compile(
          "-----BEGIN ([A-Z ]*)PRIVATE KEY-----.*?-----END \\1PRIVATE KEY-----", Pattern.DOTALL);
  private static final int MIN_SECRET_LENGTH = 6;

  private static final Set<String> KNOWN = new CopyOnWriteArraySet<>();

  private SecretMasker() {}

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
}
