package io.vmagent.backend.http;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Body;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import com.atlassian.oai.validator.schema.SwaggerV20Library;
import com.atlassian.oai.validator.util.OpenApiLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.fge.jsonschema.cfg.ValidationConfiguration;
import com.github.fge.jsonschema.core.report.ListReportProvider;
import com.github.fge.jsonschema.core.report.LogLevel;
import com.github.fge.jsonschema.library.Library;
import com.github.fge.jsonschema.main.JsonSchemaFactory;
import com.github.fge.msgsimple.load.MessageBundles;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.vmagent.protocol.FieldViolation;
import io.vmagent.protocol.ProtocolPaths;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Checks each request against the protocol's OpenAPI document, the contract's single source, so the
 * backend accepts exactly what the document allows. Credentials are checked by the backend itself
 * (401/403), not here. The document's operations are compiled once ({@link CompiledRequests}) and
 * decide first: a request they accept is accepted without the OpenAPI library; any other goes to
 * the library, whose report is the answer, word for word.
 */
final class RequestValidator {
  // Parsing the document takes a noticeable fraction of a second and it never changes, so every
  // backend in the JVM shares one (it keeps no per-request state).
  private static volatile Checks shared;

  private final Checks checks;

  RequestValidator() {
    this(sharedChecks());
  }

  /**
   * The library alone, its schemas compiled by {@code schemaFactory}, without the compiled check in
   * front: for comparing factories, and as the reference the compiled check is compared with.
   */
  RequestValidator(Supplier<JsonSchemaFactory> schemaFactory) {
    this(new Checks(schemaFactory, false));
  }

  private RequestValidator(Checks checks) {
    this.checks = checks;
  }

  private static Checks sharedChecks() {
    Checks current = shared;
    if (current == null) {
      synchronized (RequestValidator.class) {
        current = shared;
        if (current == null) {
          current = new Checks(RequestValidator::schemaFactory, true);
          shared = current;
        }
      }
    }
    return current;
  }

  /**
   * The checks of one document, built from one parse of it: the library's whole validator, which
   * finds a request's operation by its path, and the request checks it runs once it has found it,
   * used directly for a route whose operation {@link RouteOperations} knows; in front of them, the
   * document's operations compiled (null: the library alone).
   */
  private static final class Checks {
    private final OpenApiInteractionValidator whole;
    private final com.atlassian.oai.validator.interaction.request.RequestValidator onOperation;
    private final RouteOperations operations;
    private final CompiledRequests compiled;
    // requests the compiled check refused and the library then accepted: only spellings it leaves
    // to the library on purpose (" 25" for an integer) should ever count here
    private final LongAdder disagreements = new LongAdder();

    Checks(Supplier<JsonSchemaFactory> schemaFactory, boolean compile) {
      // the options and levels the library's builder uses for an inline document, once
      ParseOptions options = new ParseOptions();
      options.setResolve(true);
      options.setResolveFully(true);
      options.setResolveCombinators(false);
      OpenAPI api =
          new OpenApiLoader()
              .loadApi(
                  OpenApiInteractionValidator.SpecSource.inline(loadSpec()), List.of(), options);
      LevelResolver levels =
          LevelResolver.create()
              .withLevel("validation.request.security", ValidationReport.Level.IGNORE)
              .build();
      this.whole =
          OpenApiInteractionValidator.createFor(api)
              .withSchemaFactorySupplier(schemaFactory)
              .withLevelResolver(levels)
              .build();
      MessageResolver messages = new MessageResolver(levels);
      this.onOperation =
          new com.atlassian.oai.validator.interaction.request.RequestValidator(
              new SchemaValidator(api, messages, schemaFactory), messages, api, List.of());
      this.operations = new RouteOperations(api);
      this.compiled =
          compile
              ? new CompiledRequests(
                  api,
                  operations,
                  new SchemaCompiler(
                      api, !messages.isIgnored(SchemaValidator.ADDITIONAL_PROPERTIES_KEY)))
              : null;
    }

    CompiledRequests.Verdict judge(
        String method,
        String template,
        String path,
        Map<String, List<String>> query,
        String contentType,
        JsonNode tree) {
      return compiled == null
          ? CompiledRequests.Verdict.UNJUDGED
          : compiled.judge(method, template, path, query, contentType, tree);
    }

    ValidationReport validate(Request request, String template) {
      if (template == null) {
        return whole.validateRequest(request);
      }
      return operations
          .forRequest(request.getMethod().name(), template, request.getPath())
          .map(operation -> onOperation.validateRequest(request, operation))
          .orElseGet(() -> whole.validateRequest(request));
    }
  }

  /**
   * The library's own schema factory ({@link SwaggerV20Library#schemaFactory()}: the same keywords,
   * formats, messages and report levels) with {@code pattern} on {@link java.util.regex} instead of
   * Rhino; the validator compiles each operation's schemas with it once and keeps them.
   */
  static JsonSchemaFactory schemaFactory() {
    Library library =
        SwaggerV20Library.get()
            .thaw()
            .removeKeyword(EcmaPattern.KEYWORD)
            .addKeyword(EcmaPattern.DEFINITION)
            .freeze();
    return JsonSchemaFactory.newBuilder()
        .setValidationConfiguration(
            ValidationConfiguration.newBuilder()
                .setDefaultLibrary(SwaggerV20Library.OAI_V2_METASCHEMA_URI, library)
                .setSyntaxMessages(MessageBundles.getBundle(SwaggerV20Library.SyntaxBundle.class))
                .setValidationMessages(
                    MessageBundles.getBundle(SwaggerV20Library.ValidationBundle.class))
                .freeze())
        .setReportProvider(new ListReportProvider(LogLevel.ERROR, LogLevel.FATAL))
        .freeze();
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

  /**
   * The bodyless request's violations of the document; empty when it conforms. {@code template} is
   * the route's path template (null: the library finds the operation from {@code path} itself, as
   * it did on every request before), {@code path} the request's.
   */
  List<FieldViolation> violations(
      String method, String template, String path, Map<String, List<String>> query) {
    CompiledRequests.Verdict verdict = checks.judge(method, template, path, query, null, null);
    if (verdict == CompiledRequests.Verdict.ACCEPTED) {
      return List.of();
    }
    return violations(request(method, path, query).build(), template, verdict);
  }

  /**
   * The request's violations of the document, its JSON body already parsed: {@code tree} is {@code
   * text} parsed, or null when it did not parse (then the library parses {@code text} and describes
   * why it is not JSON, as it always did).
   */
  List<FieldViolation> violations(
      String method,
      String template,
      String path,
      Map<String, List<String>> query,
      String contentType,
      String text,
      JsonNode tree) {
    CompiledRequests.Verdict verdict =
        tree == null
            ? CompiledRequests.Verdict.UNJUDGED
            : checks.judge(method, template, path, query, contentType, tree);
    if (verdict == CompiledRequests.Verdict.ACCEPTED) {
      return List.of();
    }
    SimpleRequest.Builder request = request(method, path, query).withContentType(contentType);
    if (tree == null) {
      request.withBody(text);
    } else {
      request.withBody(new ParsedBody(text, tree));
    }
    return violations(request.build(), template, verdict);
  }

  /** Whether the compiled check alone accepts the request, without asking the library. */
  boolean compiledAccepts(
      String method,
      String template,
      String path,
      Map<String, List<String>> query,
      String contentType,
      JsonNode tree) {
    return checks.judge(method, template, path, query, contentType, tree)
        == CompiledRequests.Verdict.ACCEPTED;
  }

  /** How many of the document's operations are compiled (zero for the library alone). */
  int compiledOperations() {
    return checks.compiled == null ? 0 : checks.compiled.size();
  }

  /**
   * How many requests the compiled check refused that the library then accepted (the library's
   * answer stands): a value the compiled check does not try to read (an integer with blanks around
   * it), or a place where the two read the document differently.
   */
  long disagreements() {
    return checks.disagreements.sum();
  }

  /** The library's report on a request the compiled check refused or could not judge. */
  private List<FieldViolation> violations(
      Request request, String template, CompiledRequests.Verdict verdict) {
    List<FieldViolation> violations = violations(request, template);
    if (violations.isEmpty() && verdict == CompiledRequests.Verdict.REFUSED) {
      checks.disagreements.increment();
    }
    return violations;
  }

  private static SimpleRequest.Builder request(
      String method, String path, Map<String, List<String>> query) {
    SimpleRequest.Builder request = new SimpleRequest.Builder(Request.Method.valueOf(method), path);
    query.forEach((name, values) -> request.withQueryParam(name, values));
    return request;
  }

  private List<FieldViolation> violations(Request request, String template) {
    ValidationReport report = checks.validate(request, template);
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

  /** A JSON body the backend has parsed once, handed to the library as the tree it would build. */
  private record ParsedBody(String text, JsonNode tree) implements Body {
    @Override
    public boolean hasBody() {
      return true;
    }

    @Override
    public JsonNode toJsonNode() {
      return tree;
    }

    @Override
    public String toString(Charset charset) {
      return text;
    }
  }
}
