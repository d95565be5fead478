package io.vmagent.backend.http;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import io.vmagent.protocol.FieldViolation;
import io.vmagent.protocol.ProtocolPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks each request against the protocol's OpenAPI document, the contract's single source, so the
 * backend accepts exactly what the document allows. Credentials are checked by the backend itself
 * (401/403), not here.
 */
final class RequestValidator {
  // Parsing the document takes a noticeable fraction of a second and it never changes, so every
  // backend in the JVM shares one validator (it keeps no per-request state).
  private static volatile OpenApiInteractionValidator shared;

  private final OpenApiInteractionValidator validator;

  RequestValidator() {
    this.validator = sharedValidator();
  }

  private static OpenApiInteractionValidator sharedValidator() {
    OpenApiInteractionValidator current = shared;
    if (current == null) {
      synchronized (RequestValidator.class) {
        current = shared;
        if (current == null) {
          current = build();
          shared = current;
        }
      }
    }
    return current;
  }

  private static OpenApiInteractionValidator build() {
    return OpenApiInteractionValidator.createForInlineApiSpecification(loadSpec())
        .withLevelResolver(
            LevelResolver.create()
                .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
                .build())
        .build();
  }

  static String loadSpec() {
    try (InputStream in = ProtocolPaths.class.getResourceAsStream(ProtocolPaths.OPENAPI_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the OpenAPI document is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the OpenAPI document", e);
    }
  }

  /** The request's violations of the document; empty when it conforms. */
  List<FieldViolation> violations(
      String method,
      String path,
      Map<String, List<String>> query,
      String contentType,
      String body) {
    SimpleRequest.Builder request = new SimpleRequest.Builder(Request.Method.valueOf(method), path);
    query.forEach((name, values) -> request.withQueryParam(name, values));
    if (body != null) {
      request.withContentType(contentType).withBody(body);
    }
    ValidationReport report = validator.validateRequest(request.build());
    List<FieldViolation> violations = new ArrayList<>();
    for (ValidationReport.Message message : report.getMessages()) {
      if (message.getLevel() != ValidationReport.Level.ERROR) {
        continue;
      }
      String pointer =
          message
              .getContext()
              .flatMap(ValidationReport.MessageContext::getPointers)
              .map(ValidationReport.MessageContext.Pointers::getInstance)
              .filter(p -> !p.isEmpty())
              .orElse(
                  message
                      .getContext()
                      .flatMap(ValidationReport.MessageContext::getParameter)
                      .map(p -> p.getName())
                      .orElse(null));
      violations.add(new FieldViolation(pointer, message.getMessage()));
    }
    return violations;
  }
}
