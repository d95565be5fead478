package io.vmagent.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.OutputFormat;
import com.networknt.schema.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One path or query parameter of an operation, its schema compiled. A value is read as the library
 * reads it only where that reading is plain (a string as text, a canonical decimal as an integer,
 * {@code true} or {@code false}); any other spelling is left to the library.
 */
final class CompiledParameter {
  // no sign on zero, no leading zero, no exponent, no blanks: Jackson reads these to the same long
  private static final Pattern CANONICAL_INTEGER = Pattern.compile("0|-?[1-9][0-9]{0,17}");

  private enum Kind {
    STRING,
    INTEGER,
    BOOLEAN
  }

  private final String name;
  private final boolean required;
  private final Kind kind;
  private final Schema schema;

  private CompiledParameter(String name, boolean required, Kind kind, Schema schema) {
    this.name = name;
    this.required = required;
    this.kind = kind;
    this.schema = schema;
  }

  /**
   * The parameter compiled, or empty when the library reads it in a way not reproduced here (a
   * header, a cookie, an array, an object, an empty value allowed, a content type).
   */
  static Optional<CompiledParameter> compile(Parameter parameter, SchemaCompiler compiler) {
    String in = parameter.getIn();
    if ((!"path".equals(in) && !"query".equals(in))
        || parameter.getContent() != null
        || Boolean.TRUE.equals(parameter.getAllowEmptyValue())
        || parameter.getSchema() == null) {
      return Optional.empty();
    }
    Parameter.StyleEnum style = parameter.getStyle();
    if (style != null && style != Parameter.StyleEnum.FORM && style != Parameter.StyleEnum.SIMPLE) {
      return Optional.empty();
    }
    Kind kind;
    String type = parameter.getSchema().getType();
    if ("string".equals(type)) {
      kind = Kind.STRING;
    } else if ("integer".equals(type)) {
      kind = Kind.INTEGER;
    } else if ("boolean".equals(type)) {
      kind = Kind.BOOLEAN;
    } else {
      return Optional.empty();
    }
    return compiler
        .compile(parameter.getSchema(), false)
        .map(
            schema ->
                new CompiledParameter(
                    parameter.getName(),
                    Boolean.TRUE.equals(parameter.getRequired()),
                    kind,
                    schema));
  }

  String name() {
    return name;
  }

  boolean required() {
    return required;
  }

  /** Whether the library would accept {@code value}; false also when unsure. */
  boolean accepts(String value) {
    JsonNode node = read(value);
    return node != null && schema.validate(node, OutputFormat.BOOLEAN);
  }

  private JsonNode read(String value) {
    if (value == null || value.isBlank()) {
      return null; // the library's rules for empty values are its own
    }
    return switch (kind) {
      case STRING -> TextNode.valueOf(value);
      case INTEGER ->
          CANONICAL_INTEGER.matcher(value).matches()
              ? LongNode.valueOf(Long.parseLong(value))
              : null;
      case BOOLEAN ->
          switch (value) {
            case "true" -> BooleanNode.TRUE;
            case "false" -> BooleanNode.FALSE;
            default -> null;
          };
    };
  }
}
