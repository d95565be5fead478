package io.vmagent.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.OutputFormat;
import com.networknt.schema.Schema;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.parameters.RequestBody;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One operation of the document compiled: its path and query parameters and its JSON body. It
 * answers only "the library would accept this request"; false means "ask the library", which
 * describes the refusal (or, rarely, accepts after all).
 */
final class CompiledOperation {
  private static final String JSON = "application/json";

  private final String[] template;
  private final Map<String, CompiledParameter> pathParameters;
  private final Map<String, CompiledParameter> queryParameters;
  private final Schema body;
  private final boolean bodyRequired;

  private CompiledOperation(
      String template,
      Map<String, CompiledParameter> pathParameters,
      Map<String, CompiledParameter> queryParameters,
      Schema body,
      boolean bodyRequired) {
    this.template = template.split("/", -1);
    this.pathParameters = pathParameters;
    this.queryParameters = queryParameters;
    this.body = body;
    this.bodyRequired = bodyRequired;
  }

  /**
   * The operation at the document's path {@code template} compiled, or empty when some part of it
   * is checked by the library in a way not reproduced here (then every request to it goes to the
   * library).
   */
  static Optional<CompiledOperation> compile(
      String template, Operation operation, SchemaCompiler compiler) {
    Map<String, CompiledParameter> path = new HashMap<>();
    Map<String, CompiledParameter> query = new HashMap<>();
    List<Parameter> parameters =
        operation.getParameters() == null ? List.of() : operation.getParameters();
    for (Parameter parameter : parameters) {
      Optional<CompiledParameter> compiled = CompiledParameter.compile(parameter, compiler);
      if (compiled.isEmpty()) {
        return Optional.empty();
      }
      ("path".equals(parameter.getIn()) ? path : query).put(parameter.getName(), compiled.get());
    }
    if (!pathParameters(template).equals(path.keySet())) {
      return Optional.empty();
    }
    RequestBody requestBody = operation.getRequestBody();
    Schema body = null;
    boolean bodyRequired = false;
    if (requestBody != null) {
      MediaType json =
          requestBody.getContent() == null || requestBody.getContent().size() != 1
              ? null
              : requestBody.getContent().get(JSON);
      if (json == null || json.getSchema() == null) {
        return Optional.empty();
      }
      Optional<Schema> compiled = compiler.compile(json.getSchema(), true);
      if (compiled.isEmpty()) {
        return Optional.empty();
      }
      body = compiled.get();
      bodyRequired = Boolean.TRUE.equals(requestBody.getRequired());
    }
    return Optional.of(new CompiledOperation(template, path, query, body, bodyRequired));
  }

  private static Set<String> pathParameters(String template) {
    Set<String> names = new HashSet<>();
    for (String segment : template.split("/", -1)) {
      if (segment.startsWith("{") && segment.endsWith("}")) {
        names.add(segment.substring(1, segment.length() - 1));
      }
    }
    return names;
  }

  /**
   * Whether the library would accept the request: {@code path} the request's, {@code contentType}
   * and {@code tree} its JSON body (both null without one).
   */
  boolean accepts(String path, Map<String, List<String>> query, String contentType, JsonNode tree) {
    return pathAccepted(path) && queryAccepted(query) && bodyAccepted(contentType, tree);
  }

  private boolean pathAccepted(String path) {
    String[] segments = path.split("/", -1);
    if (segments.length != template.length) {
      return false;
    }
    for (int i = 0; i < segments.length; i++) {
      String expected = template[i];
      String segment = segments[i];
      if (expected.startsWith("{")) {
        // an escaped or '+' segment: how the library decodes it is its own affair
        if (segment.indexOf('%') >= 0 || segment.indexOf('+') >= 0) {
          return false;
        }
        CompiledParameter parameter =
            pathParameters.get(expected.substring(1, expected.length() - 1));
        if (!parameter.accepts(segment)) {
          return false;
        }
      } else if (!expected.equals(segment)) {
        return false;
      }
    }
    return true;
  }

  private boolean queryAccepted(Map<String, List<String>> query) {
    int present = 0;
    for (Map.Entry<String, List<String>> entry : query.entrySet()) {
      CompiledParameter parameter = queryParameters.get(entry.getKey());
      List<String> values = entry.getValue();
      // an unknown parameter, or one given twice: the library's rules
      if (parameter == null || values == null || values.size() != 1) {
        return false;
      }
      if (!parameter.accepts(values.get(0))) {
        return false;
      }
      present++;
    }
    if (present < queryParameters.size()) {
      for (CompiledParameter parameter : queryParameters.values()) {
        if (parameter.required() && !query.containsKey(parameter.name())) {
          return false;
        }
      }
    }
    return true;
  }

  private boolean bodyAccepted(String contentType, JsonNode tree) {
    if (tree == null) {
      return !bodyRequired;
    }
    return body != null && JSON.equals(contentType) && body.validate(tree, OutputFormat.BOOLEAN);
  }
}
