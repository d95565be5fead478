package io.vmagent.protocol.text;

import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;

/**
 * The one rule that makes text from agents and operators (VM names, host names, reasons, error
 * messages) safe to print on a terminal or write to a log line: every character that could move the
 * cursor, recolour or retitle the terminal, start a new line or reorder the text around it is shown
 * as a visible escape instead, so such a value can never forge a table row or a log event.
 *
 * <ul>
 *   <li>a backslash as {@code \\}, so that every escape is unambiguous;
 *   <li>NUL, tab, newline, carriage return and ESC as {@code \0 \t \n \r \e};
 *   <li>other C0 controls, DEL and C1 controls as {@code \xNN}, e.g. {@code \x07};
 *   <li>bidirectional controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), the line and
 *       paragraph separators (U+2028, U+2029) and unpaired surrogates as {@code \}{@code uNNNN},
 *       e.g. {@code \}{@code u202e}.
 * </ul>
 *
 * <p>JSON output keeps values exact instead: {@link #jsonEscapes()} writes the same characters as
 * JSON's own {@code \}{@code uNNNN} escapes, which decode back to the original value.
 */
public final class Printable {
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final CharacterEscapes JSON_ESCAPES = new JsonEscapes();

  private Printable() {}

  /** The text with every unsafe character escaped; the same instance when there is none. */
  public static String escape(String text) {
    if (text == null) {
      return null;
    }
    int first = firstUnsafe(text);
    if (first < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length() + 16).append(text, 0, first);
    for (int i = first; i < text.length(); ) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (c == '\\') {
        out.append("\\\\");
      } else if (!unsafe(c)) {
        out.appendCodePoint(c);
      } else {
        switch (c) {
          case 0 -> out.append("\\0");
          case '\t' -> out.append("\\t");
          case '\n' -> out.append("\\n");
          case '\r' -> out.append("\\r");
          case 0x1b -> out.append("\\e");
          default -> {
            if (c <= 0xff) {
              out.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
            } else {
              out.append("\\u")
                  .append(HEX[c >> 12 & 0xf])
                  .append(HEX[c >> 8 & 0xf])
                  .append(HEX[c >> 4 & 0xf])
                  .append(HEX[c & 0xf]);
            }
          }
        }
      }
    }
    return out.toString();
  }

  /** {@code String.valueOf(value)} escaped; null stays null. */
  public static String escape(Object value) {
    return value == null ? null : escape(value.toString());
  }

  /**
   * True for a code point that {@link #escape(String)} replaces (other than the backslash): C0 and
   * C1 controls, DEL, bidirectional controls, line and paragraph separators, unpaired surrogates.
   */
  public static boolean unsafe(int c) {
    return c < 0x20
        || (c >= 0x7f && c <= 0x9f)
        || c == 0x061c
        || c == 0x200e
        || c == 0x200f
        || (c >= 0x2028 && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069)
        || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE);
  }

  /**
   * Jackson escapes for JSON written where people read it (logs, command-line output): JSON already
   * escapes C0 controls; these add DEL, C1 controls and the characters {@link #unsafe(int)} names,
   * as {@code \}{@code uNNNN}, so the JSON stays exact and still cannot steer a terminal.
   */
  public static CharacterEscapes jsonEscapes() {
    return JSON_ESCAPES;
  }

  private static int firstUnsafe(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\\') {
        return i;
      }
      if (unsafe(c)) {
        // A surrogate is safe when it is half of a valid pair.
        if (Character.isHighSurrogate(c)
            && i + 1 < text.length()
            && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
          continue;
        }
        return i;
      }
    }
    return -1;
  }

  private static final class JsonEscapes extends CharacterEscapes {
    private static final long serialVersionUID = 1L;
    private final int[] ascii;

    JsonEscapes() {
      ascii = standardAsciiEscapesForJSON();
      ascii[0x7f] = ESCAPE_STANDARD;
    }

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int c) {
      // Surrogates arrive here one half at a time; a valid pair must pass through untouched.
      if (!unsafe(c) || (c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)) {
        return null;
      }
      // Upper-case hex, as Jackson writes its own escapes.
      return new SerializedString(String.format("\\u%04X", c));
    }
  }
}
