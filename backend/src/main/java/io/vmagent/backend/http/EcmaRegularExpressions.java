package io.vmagent.backend.http;

import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import java.util.regex.Pattern;

/**
 * The compiled check's {@code pattern}: the document's ECMA-262 regex translated by {@link
 * EcmaPattern#toJava} and searched for anywhere in the value, exactly as the library's {@code
 * pattern} keyword does, so a value either check matches the other matches too.
 */
final class EcmaRegularExpressions implements RegularExpressionFactory {
  @Override
  public RegularExpression getRegularExpression(String regex) {
    Pattern pattern = Pattern.compile(EcmaPattern.toJava(regex));
    return value -> pattern.matcher(value).find();
  }
}
