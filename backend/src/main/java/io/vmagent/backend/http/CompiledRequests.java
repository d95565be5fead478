package io.vmagent.backend.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every operation of the document compiled once, at start, and found by route: the fast answer for
 * a request the library would accept. A route whose operation the library finds other than by its
 * template, or whose operation is not compiled, always goes to the library.
 */
final class CompiledRequests {
  private final Map<String, CompiledOperation> byRoute = new HashMap<>();
  private final RouteOperations operations;

  CompiledRequests(OpenAPI api, RouteOperations operations, SchemaCompiler compiler) {
    this.operations = operations;
    api.getPaths()
        .forEach(
            (template, item) -> {
              // parameters shared by a path's operations are merged by the library: not reproduced
              if (item.getParameters() != null && !item.getParameters().isEmpty()) {
                return;
              }
              for (Map.Entry<PathItem.HttpMethod, Operation> entry :
                  item.readOperationsMap().entrySet()) {
                CompiledOperation.compile(template, entry.getValue(), compiler)
                    .ifPresent(
                        operation ->
                            byRoute.put(route(entry.getKey().name(), template), operation));
              }
            });
  }

  /** What the compiled check says of a request. */
  enum Verdict {
    /** The library would accept it. */
    ACCEPTED,
    /** The library might refuse it: ask it. */
    REFUSED,
    /** The route's operation is not compiled: only the library can tell. */
    UNJUDGED
  }

  /**
   * The verdict on a request to the route {@code method template} ({@code template} null: the
   * library finds the operation by the path), {@code contentType} and {@code tree} its JSON body
   * (both null without one).
   */
  Verdict judge(
      String method,
      String template,
      String path,
      Map<String, List<String>> query,
      String contentType,
      JsonNode tree) {
    if (template == null) {
      return Verdict.UNJUDGED;
    }
    CompiledOperation operation = byRoute.get(route(method, template));
    if (operation == null || !operations.usesTemplate(method, template)) {
      return Verdict.UNJUDGED;
    }
    return operation.accepts(path, query, contentType, tree) ? Verdict.ACCEPTED : Verdict.REFUSED;
  }

  /** How many operations are compiled, for tests. */
  int size() {
    return byRoute.size();
  }

  private static String route(String method, String template) {
    return method + ' ' + template;
  }
}
