package io.vmagent.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.github.fge.jackson.NodeType;
import com.github.fge.jsonschema.core.exceptions.ProcessingException;
import com.github.fge.jsonschema.core.report.ListProcessingReport;
import com.github.fge.jsonschema.core.report.LogLevel;
import com.github.fge.jsonschema.core.report.ProcessingReport;
import com.github.fge.jsonschema.core.tree.CanonicalSchemaTree;
import com.github.fge.jsonschema.core.tree.SchemaTree;
import com.github.fge.jsonschema.core.tree.SimpleJsonTree;
import com.github.fge.jsonschema.core.tree.key.SchemaKey;
import com.github.fge.jsonschema.format.FormatAttribute;
import com.github.fge.jsonschema.processors.data.FullData;
import com.github.fge.msgsimple.bundle.MessageBundle;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.SchemaContext;
import com.networknt.schema.format.Format;

/**
 * A {@code format} of the compiled check decided by the library's own attribute for it (date-time,
 * int32, int64...), so that both checks read every value alike: leap seconds, a missing offset,
 * lower-case separators, long fractions or an int64 that overflows are the library's call, not a
 * second implementation's.
 */
final class LibraryFormat implements Format {
  // The attributes read the instance only; an empty schema stands for the one around it.
  private static final SchemaTree NO_SCHEMA =
      new CanonicalSchemaTree(SchemaKey.anonymousKey(), JsonNodeFactory.instance.objectNode());

  private final String name;
  private final FormatAttribute attribute;
  private final MessageBundle bundle;

  LibraryFormat(String name, FormatAttribute attribute, MessageBundle bundle) {
    this.name = name;
    this.attribute = attribute;
    this.bundle = bundle;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public boolean matches(
      ExecutionContext executionContext, SchemaContext schemaContext, JsonNode value) {
    NodeType type = NodeType.getNodeType(value);
    if (type == null) {
      return false;
    }
    if (!attribute.supportedTypes().contains(type)) {
      return true; // as the library: a format says nothing about the types it does not apply to
    }
    ProcessingReport report = new ListProcessingReport(LogLevel.ERROR, LogLevel.FATAL);
    try {
      attribute.validate(report, bundle, new FullData(NO_SCHEMA, new SimpleJsonTree(value)));
    } catch (ProcessingException e) {
      return false;
    }
    return report.isSuccess();
  }
}
