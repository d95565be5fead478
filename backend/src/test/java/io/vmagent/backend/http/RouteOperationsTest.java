package io.vmagent.backend.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.model.ApiOperation;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.parser.OpenAPIV3Parser;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteOperationsTest {
  private static final OpenAPI API =
      new OpenAPIV3Parser().readContents(RequestValidator.loadSpec()).getOpenAPI();

  @Test
  void everyOperationOfTheDocumentIsFoundByItsTemplate() {
    RouteOperations operations = new RouteOperations(API);

    for (Map.Entry<String, PathItem> entry : API.getPaths().entrySet()) {
      String template = entry.getKey();
      String path = template.replaceAll("\\{[A-Za-z]+\\}", "x1");
      for (PathItem.HttpMethod method : entry.getValue().readOperationsMap().keySet()) {
        Optional<ApiOperation> operation = operations.forRequest(method.name(), template, path);

        assertThat(operation).as("%s %s", method, template).isPresent();
        assertThat(operation.get().getRequestPath().original()).isEqualTo(path);
        assertThat(operation.get().getApiPath().original()).isEqualTo(template);
      }
    }
  }

  @Test
  void aTemplateTheDocumentDoesNotHaveIsLeftToTheLibrary() {
    RouteOperations operations = new RouteOperations(API);

    assertThat(operations.forRequest("GET", "/api/v1/agents/{id}/none", "/api/v1/agents/a/none"))
        .isEmpty();
    assertThat(operations.forRequest("DELETE", "/api/v1/health", "/api/v1/health")).isEmpty();
  }
}
