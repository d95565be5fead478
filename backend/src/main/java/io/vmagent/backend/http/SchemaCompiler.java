package io.vmagent.backend.http;

import com.atlassian.oai.validator.schema.SwaggerV20Library;
import com.atlassian.oai.validator.schema.transform.AdditionalPropertiesInjectionTransformer;
import com.atlassian.oai.validator.schema.transform.RequiredFieldTransformer;
import com.atlassian.oai.validator.schema.transform.SchemaDefinitionsInjectionTransformer;
import com.atlassian.oai.validator.schema.transform.SchemaRefInjectionTransformer;
import com.atlassian.oai.validator.schema.transform.SchemaTransformationContext;
import com.atlassian.oai.validator.schema.transform.SchemaTransformer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.fge.msgsimple.load.MessageBundles;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import io.swagger.v3.core.util.Json;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.Schema;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * Compiles one schema of the document with networknt, once, from the very JSON the library
 * validates against: the schema as the library serialises it, with the library's own transformers
 * applied in its order ({@code additionalProperties: false} where the document says nothing and no
 * discriminator; read-only members not required in a request).
 */
final class SchemaCompiler {
  private static final List<SchemaTransformer> TRANSFORMERS =
      List.of(
          SchemaDefinitionsInjectionTransformer.getInstance(),
          SchemaRefInjectionTransformer.getInstance(),
          AdditionalPropertiesInjectionTransformer.getInstance(),
          RequiredFieldTransformer.getInstance());

  private final JsonNode definitions;
  private final boolean additionalProperties;
  private final SchemaRegistry registry;

  /**
   * {@code additionalProperties}: whether the library's level configuration leaves its check of
   * unknown members on, which is when it injects {@code additionalProperties: false}.
   */
  SchemaCompiler(OpenAPI api, boolean additionalProperties) {
    Object schemas = api.getComponents() == null ? null : api.getComponents().getSchemas();
    this.definitions =
        schemas == null
            ? Json.mapper().createObjectNode()
            : Json.mapper().convertValue(schemas, JsonNode.class);
    this.additionalProperties = additionalProperties;
    SchemaRegistryConfig config =
        SchemaRegistryConfig.builder()
            .regularExpressionFactory(new EcmaRegularExpressions())
            .formatAssertionsEnabled(true)
            .build();
    this.registry =
        SchemaRegistry.withDefaultDialect(
            LibraryDialect.of(
                SwaggerV20Library.get(),
                MessageBundles.getBundle(SwaggerV20Library.ValidationBundle.class)),
            builder -> builder.schemaRegistryConfig(config));
  }

  /**
   * The schema compiled, as the library checks a request body ({@code body}) or a parameter; empty
   * when it uses a keyword whose library check is not reproduced (a discriminator).
   */
  Optional<com.networknt.schema.Schema> compile(Schema<?> schema, boolean body) {
    ObjectNode node = Json.mapper().convertValue(schema, ObjectNode.class);
    SchemaTransformationContext context =
        SchemaTransformationContext.create()
            .forRequest(body)
            .forResponse(false)
            .withAdditionalPropertiesValidation(additionalProperties)
            .withDefinitions(definitions.deepCopy())
            .build();
    TRANSFORMERS.forEach(transformer -> transformer.apply(node, context));
    if (mentions(node, "discriminator")) {
      return Optional.empty();
    }
    // the library's marker for its own meta-schema, which networknt would try to load
    node.remove("$schema");
    com.networknt.schema.Schema compiled = registry.getSchema(node);
    compiled.initializeValidators();
    return Optional.of(compiled);
  }

  private static boolean mentions(JsonNode node, String keyword) {
    if (node.has(keyword)) {
      return true;
    }
    for (Iterator<JsonNode> children = node.elements(); children.hasNext(); ) {
      if (mentions(children.next(), keyword)) {
        return true;
      }
    }
    return false;
  }
}
