package io.vmagent.backend.http;

import com.atlassian.oai.validator.interaction.ApiOperationResolver;
import com.atlassian.oai.validator.model.ApiOperation;
import com.atlassian.oai.validator.model.ApiOperationMatch;
import com.atlassian.oai.validator.model.NormalisedPathImpl;
import com.atlassian.oai.validator.model.Request;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.servers.Server;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The document's operation for each route, found once per route instead of on every request (the
 * library otherwise matches the request's path against every path of the document, compiling a
 * regex for each templated part, on each request).
 */
final class RouteOperations {
  private final ApiOperationResolver resolver;
  private final String basePath;
  private final Map<String, Optional<ApiOperation>> byRoute = new ConcurrentHashMap<>();

  RouteOperations(OpenAPI api) {
    // as the library's validator builds its own: no base path override, no strict matching
    this.resolver = new ApiOperationResolver(api, null, false);
    List<Server> servers = api.getServers();
    String url = servers == null || servers.isEmpty() ? "/" : servers.get(0).getUrl();
    String path = URI.create(url).getPath();
    this.basePath = path == null || path.isEmpty() ? "/" : path;
  }

  /**
   * The operation a request to {@code path} on the route {@code method template} is checked
   * against, or empty when the document's path for it is not the route's template itself (then the
   * library matches the path as before).
   */
  Optional<ApiOperation> forRequest(String method, String template, String path) {
    return byRoute
        .computeIfAbsent(method + ' ' + template, route -> find(method, template))
        .map(
            operation ->
                new ApiOperation(
                    operation.getApiPath(),
                    new NormalisedPathImpl(path, basePath),
                    operation.getMethod(),
                    operation.getOperation()));
  }

  /**
   * Whether the library checks a request to the route {@code method template} against the
   * document's operation at that very path (the one {@link #forRequest} hands it).
   */
  boolean usesTemplate(String method, String template) {
    return byRoute
        .computeIfAbsent(method + ' ' + template, route -> find(method, template))
        .isPresent();
  }

  private Optional<ApiOperation> find(String method, String template) {
    ApiOperationMatch match = resolver.findApiOperation(template, Request.Method.valueOf(method));
    if (!match.isPathFound() || !match.isOperationAllowed()) {
      return Optional.empty();
    }
    ApiOperation operation = match.getApiOperation();
    // The shortcut holds only where the document's path is the template, and where this base path
    // normalises a path as the library's own resolver does.
    boolean same =
        operation.getApiPath().original().equals(template)
            && operation
                .getRequestPath()
                .normalised()
                .equals(new NormalisedPathImpl(template, basePath).normalised());
    return same ? Optional.of(operation) : Optional.empty();
  }
}
