package io.vmagent.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.fge.jackson.NodeType;
import com.github.fge.jsonschema.core.exceptions.ProcessingException;
import com.github.fge.jsonschema.core.keyword.syntax.checkers.common.PatternSyntaxChecker;
import com.github.fge.jsonschema.core.processing.Processor;
import com.github.fge.jsonschema.core.report.ProcessingReport;
import com.github.fge.jsonschema.keyword.validator.AbstractKeywordValidator;
import com.github.fge.jsonschema.library.Keyword;
import com.github.fge.jsonschema.processors.data.FullData;
import com.github.fge.msgsimple.bundle.MessageBundle;
import java.util.regex.Pattern;

/**
 * The schema keyword {@code pattern} on {@link java.util.regex}, compiled once per schema, in place
 * of the validator library's own, which runs every match as JavaScript in Rhino.
 *
 * <p>An OpenAPI {@code pattern} is an ECMA-262 regex, searched for anywhere in the value (as {@code
 * RegExp.test} does). Java's syntax means the same for the subset {@link #toJava} accepts:
 * literals, escaped punctuation, {@code \d} and {@code \w} (ASCII in both), positive character
 * classes with ranges, groups, alternation, quantifiers and the anchors. The one difference in that
 * subset is {@code $}: ECMA's matches only at the end of the value, Java's also before a final line
 * break ({@code "a\n"} would match {@code ^a$}), so it becomes {@code \z}. Constructs whose meaning
 * differs ({@code .}, {@code \s}, negated classes and escapes, which count UTF-16 units in ECMA but
 * code points in Java, lookarounds, back-references) are refused when the document is loaded, so a
 * new pattern in the document cannot silently mean something else here. The document's patterns
 * (all of them anchored, all within that subset) are:
 *
 * <pre>
 * ^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$        ^[0-9A-Za-z][0-9A-Za-z.+_-]*$
 * ^[a-z][a-z0-9_]{0,31}$                   ^[a-z][a-z0-9+.-]*://[!-~]*$
 * ^[A-Za-z0-9+/=]+$                        ^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):[0-9]{1,5}$
 * ^[a-z_]{1,16}$                           ^[A-Za-z0-9_-]{1,200}$
 * </pre>
 */
final class EcmaPattern extends AbstractKeywordValidator {
  /** The keyword's name. */
  static final String KEYWORD = "pattern";

  /** The keyword, with the library's own syntax check and this validator. */
  static final Keyword DEFINITION =
      Keyword.newBuilder(KEYWORD)
          .withSyntaxChecker(PatternSyntaxChecker.getInstance())
          .withSimpleDigester(NodeType.STRING)
          .withValidatorFactory(EcmaPattern::new)
          .freeze();

  private final String regex;
  private final Pattern pattern;

  private EcmaPattern(JsonNode digest) {
    super(KEYWORD);
    this.regex = digest.get(KEYWORD).textValue();
    this.pattern = Pattern.compile(toJava(regex));
  }

  @Override
  public void validate(
      Processor<FullData, FullData> processor,
      ProcessingReport report,
      MessageBundle bundle,
      FullData data)
      throws ProcessingException {
    String value = data.getInstance().getNode().textValue();
    if (!pattern.matcher(value).find()) {
      // the library's own message, so a refusal reads as it always did
      report.error(
          newMsg(data, bundle, "err.common.pattern.noMatch")
              .putArgument("regex", regex)
              .putArgument("string", value));
    }
  }

  @Override
  public String toString() {
    return KEYWORD + ": " + regex;
  }

  /**
   * The Java regex that means what the ECMA-262 {@code regex} means, or an {@link
   * IllegalArgumentException} when it uses a construct outside the subset both read alike.
   */
  static String toJava(String regex) {
    StringBuilder java = new StringBuilder(regex.length() + 2);
    boolean inClass = false;
    for (int i = 0; i < regex.length(); i++) {
      char c = regex.charAt(i);
      if (c == '\\') {
        if (i + 1 == regex.length()) {
          throw unsupported(regex, "a trailing backslash");
        }
        char escaped = regex.charAt(++i);
        if (escaped != 'd' && escaped != 'w' && !isPunctuation(escaped)) {
          throw unsupported(regex, "the escape \\" + escaped);
        }
        java.append(c).append(escaped);
      } else if (inClass) {
        if (c == '[' || (c == '&' && i + 1 < regex.length() && regex.charAt(i + 1) == '&')) {
          throw unsupported(regex, "'" + c + "' inside a class");
        }
        inClass = c != ']';
        java.append(c);
      } else {
        switch (c) {
          case '[' -> {
            if (i + 1 < regex.length() && "^]".indexOf(regex.charAt(i + 1)) >= 0) {
              throw unsupported(regex, "a negated or empty class");
            }
            inClass = true;
            java.append(c);
          }
          case '.' -> throw unsupported(regex, "'.'");
          case '(' -> {
            if (i + 1 < regex.length() && regex.charAt(i + 1) == '?') {
              throw unsupported(regex, "a group with '?'");
            }
            java.append(c);
          }
          case '$' -> java.append("\\z");
          default -> java.append(c);
        }
      }
    }
    if (inClass) {
      throw unsupported(regex, "an unclosed class");
    }
    return java.toString();
  }

  private static boolean isPunctuation(char c) {
    return "\\/^$.|?*+()[]{}-".indexOf(c) >= 0;
  }

  private static IllegalArgumentException unsupported(String regex, String construct) {
    return new IllegalArgumentException(
        "the OpenAPI pattern '"
            + regex
            + "' uses "
            + construct
            + ", which ECMA-262 and Java read"
            + " differently or this check does not translate");
  }
}
