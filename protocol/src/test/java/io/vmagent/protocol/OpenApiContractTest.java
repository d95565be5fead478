package io.vmagent.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The records, serialised by the protocol's mapper, are what the OpenAPI document describes. */
class OpenApiContractTest {
  private static final ObjectMapper MAPPER = ProtocolJson.strictMapper();
  private static OpenApiInteractionValidator validator;
  private static String spec;

  @BeforeAll
  static void loadSpec() throws IOException {
    try (InputStream in = ProtocolPaths.class.getResourceAsStream(ProtocolPaths.OPENAPI_RESOURCE)) {
      assertThat(in).as("OpenAPI document on the classpath").isNotNull();
      spec = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    validator = OpenApiInteractionValidator.createForInlineApiSpecification(spec).build();
  }

  private static String json(Object value) throws IOException {
    return MAPPER.writeValueAsString(value);
  }

  private static ValidationReport exchange(
      Request.Method method, String path, Object body, int status, Object answer)
      throws IOException {
    String[] pathAndQuery = path.split("\\?", 2);
    SimpleRequest.Builder request =
        new SimpleRequest.Builder(method, pathAndQuery[0]).withHeader("Authorization", "Bearer t");
    if (pathAndQuery.length == 2) {
      for (String pair : pathAndQuery[1].split("&", -1)) {
        String[] kv = pair.split("=", 2);
        request.withQueryParam(kv[0], kv[1]);
      }
    }
    if (body != null) {
      request.withContentType("application/json").withBody(json(body));
    }
    SimpleResponse response =
        SimpleResponse.Builder.status(status)
            .withContentType(status >= 400 ? Problem.MEDIA_TYPE : "application/json")
            .withBody(json(answer))
            .build();
    return validator.validate(request.build(), response);
  }

  private static void assertValid(ValidationReport report) {
    assertThat(report.getMessages()).as("OpenAPI validation messages").isEmpty();
  }

  @Test
  void everyFlowOfTheRecordsMatchesTheDocument() throws IOException {
    Instant t = ContractFixtures.T0;
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.REGISTER,
            ContractFixtures.register(),
            200,
            new RegisterResponse("host-01", "a.b.c", t, "r", t.plusSeconds(86400))));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.REGISTER,
            ContractFixtures.registerWithProof(),
            200,
            new RegisterResponse(
                "host-01",
                "a.b.c",
                t,
                "r",
                t.plusSeconds(86400),
                ProtocolPaths.PROTOCOL_VERSION,
                "-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n",
                t.plusSeconds(259200))));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.challenge("host-01"),
            null,
            200,
            new IdentityChallenge("vmc_4f6b2c1d0e9a8b7c6d5e4f3a2b1c0d9e", t.plusSeconds(60))));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.certificate("host-01"),
            null,
            200,
            new ClientCertificate("-----BEGIN CERTIFICATE-----\n", t.plusSeconds(259200))));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.REFRESH,
            new RefreshRequest("r", ContractFixtures.PUBLIC_KEY),
            200,
            new TokenPair("a.b.c", t, "r2", t)));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.REFRESH,
            new RefreshRequest("r"),
            200,
            new TokenPair("a.b.c", t, "r2", t)));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.heartbeat("host-01"),
            ContractFixtures.heartbeat(),
            200,
            new HeartbeatResponse(t, 2, "0.2.0")));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.heartbeat("host-01"),
            ContractFixtures.heartbeat().withOperations(ContractFixtures.operations()),
            200,
            new HeartbeatResponse(t, 2, "0.2.0")));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.commands("host-01", 30),
            null,
            200,
            new CommandBatch(List.of(ContractFixtures.command()))));
    // Protocol 4: cancel requests in the answers, the clock offset on events and samples.
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.heartbeat("host-01"),
            ContractFixtures.heartbeat()
                .withOperations(ContractFixtures.operations())
                .withProtocolVersion(4),
            200,
            new HeartbeatResponse(t, 0, null, List.of(ContractFixtures.COMMAND_ID))));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.commands("host-01", 30),
            null,
            200,
            new CommandBatch(List.of(), t, List.of(ContractFixtures.COMMAND_ID))));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.results("host-01"),
            ContractFixtures.cancelledResult(),
            200,
            new ResultAck(ContractFixtures.COMMAND_ID, false)));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.metrics("host-01"),
            ContractFixtures.metricsWithOffset(),
            200,
            new IngestAck(1, 0)));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.events("host-01"),
            ContractFixtures.eventsWithOffset(),
            200,
            new IngestAck(1, 0)));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.results("host-01"),
            ContractFixtures.result(),
            200,
            new ResultAck(ContractFixtures.COMMAND_ID, false)));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.results("host-01"),
            ContractFixtures.failedResult(),
            200,
            new ResultAck(ContractFixtures.COMMAND_ID, true)));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.metrics("host-01"),
            ContractFixtures.metrics(),
            200,
            new IngestAck(1, 0)));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.events("host-01"),
            ContractFixtures.events(),
            200,
            new IngestAck(0, 1)));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.agentStatus("host-01"),
            null,
            200,
            ContractFixtures.agentStatus()));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.latestVersion("0.1.0"),
            null,
            200,
            new UpdateInfo("0.2.0", "0.1.0", true)));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.STATUS_OVERVIEW,
            null,
            200,
            new StatusOverview(t, "0.1.0", 1, 1, 0, List.of(ContractFixtures.agentStatus()))));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.HEALTH,
            null,
            200,
            new ServiceHealth("ok", t, "0.1.0")));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.HEALTH,
            null,
            200,
            new ServiceHealth("ok", t, "0.2.0", ProtocolPaths.PROTOCOL_VERSION)));
    for (BootstrapTokenCheck check :
        List.of(
            new BootstrapTokenCheck(false, t.plusSeconds(3600), 4),
            new BootstrapTokenCheck(true, null, null))) {
      assertValid(
          exchange(Request.Method.GET, ProtocolPaths.BOOTSTRAP_TOKEN_CHECK, null, 200, check));
    }
  }

  @Test
  void operatorRecordsMatchTheDocument() throws IOException {
    Instant t = ContractFixtures.T0;
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.OPERATOR_COMMANDS,
            new QueueCommandRequest("host-01", "stop", Map.of("vm", "web-1", "force", "true"), 60),
            201,
            ContractFixtures.commandView()));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.operatorCommand(ContractFixtures.COMMAND_ID) + "?wait=5",
            null,
            200,
            ContractFixtures.commandView()));
    CommandView view = ContractFixtures.commandView();
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.operatorCommand(ContractFixtures.COMMAND_ID),
            null,
            200,
            new CommandView(
                view.id(),
                view.agentId(),
                view.operation(),
                view.params(),
                CommandState.EXPIRED,
                view.createdAt(),
                view.deadline(),
                view.leaseExpiresAt(),
                1,
                null,
                ContractFixtures.result())));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.OPERATOR_AGENTS,
            null,
            200,
            new AgentList(List.of(ContractFixtures.agentStatus()))));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.operatorAgents("host-00", 1),
            null,
            200,
            new AgentList(List.of(ContractFixtures.agentStatus()), "host-01")));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.operatorAgentRevoke("host-01"),
            null,
            200,
            ContractFixtures.agentStatus()));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.OPERATOR_VMS + "?agent_id=host-01",
            null,
            200,
            new VmList(
                List.of(
                    new VmView("host-01", "web-1", null, "running", t),
                    new VmView(
                        "host-01",
                        "web-2",
                        "6695eb01-f6a4-8304-79aa-97f2502e193f",
                        "running",
                        t,
                        List.of(
                            new VmInterface(
                                "52:54:00:00:00:01",
                                "network",
                                "default",
                                List.of(new VmAddress("192.168.122.14", 24, "ipv4", "lease")))),
                        t,
                        Connectivity.OFFLINE)))));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.OPERATOR_TOKENS,
            new CreateBootstrapTokenRequest("rack 4", true, 3600L),
            201,
            new BootstrapTokenCreated(
                "0e6b7a8c-3f0d-4a52-9d47-2d7d8e9f0a1b",
                "secret",
                "rack 4",
                true,
                t,
                t.plusSeconds(3600))));
    assertValid(
        exchange(
            Request.Method.GET,
            ProtocolPaths.OPERATOR_TOKENS,
            null,
            200,
            new BootstrapTokenList(
                List.of(
                    new BootstrapTokenInfo(
                        "0e6b7a8c-3f0d-4a52-9d47-2d7d8e9f0a1b",
                        "rack 4",
                        true,
                        t,
                        null,
                        t,
                        "host-01",
                        false,
                        10,
                        1)))));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.OPERATOR_TOKENS,
            new CreateBootstrapTokenRequest("rack 4", false, null, 40),
            201,
            new BootstrapTokenCreated(
                "0e6b7a8c-3f0d-4a52-9d47-2d7d8e9f0a1b", "secret", "rack 4", false, t, null)));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.operatorAgentReset("host-01"),
            null,
            200,
            ContractFixtures.agentStatus()));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.operatorAgentRevoke("host-01") + "?keep_token=true",
            null,
            200,
            ContractFixtures.agentStatus()));
  }

  @Test
  void problemDocumentsMatchTheDocument() throws IOException {
    Problem problem =
        Problem.of(
            ErrorCode.BAD_REQUEST,
            "name: must not be empty",
            "/api/v1/agents/register",
            List.of(new FieldViolation("/name", "must not be empty")));
    assertValid(
        exchange(
            Request.Method.POST,
            ProtocolPaths.REGISTER,
            ContractFixtures.register(),
            400,
            problem));
  }

  @Test
  void documentRejectsUnknownMembersAndWrongTypes() throws IOException {
    String unknown = json(ContractFixtures.register()).replace("{", "{\"colour\":\"red\",");
    ValidationReport report =
        validator.validateRequest(
            SimpleRequest.Builder.post(ProtocolPaths.REGISTER)
                .withHeader("Authorization", "Bearer t")
                .withContentType("application/json")
                .withBody(unknown)
                .build());
    assertThat(report.hasErrors()).isTrue();

    String wrongType =
        json(ContractFixtures.heartbeat()).replace("\"spool_depth\":12", "\"spool_depth\":\"12\"");
    ValidationReport typeReport =
        validator.validateRequest(
            SimpleRequest.Builder.post(ProtocolPaths.heartbeat("host-01"))
                .withHeader("Authorization", "Bearer t")
                .withContentType("application/json")
                .withBody(wrongType)
                .build());
    assertThat(typeReport.hasErrors()).isTrue();
  }

  @Test
  void everyPathConstantIsInTheDocument() throws IllegalAccessException {
    List<String> missing = new ArrayList<>();
    for (Field field : ProtocolPaths.class.getFields()) {
      if (Modifier.isStatic(field.getModifiers())
          && field.getType() == String.class
          && ((String) field.get(null)).startsWith("/api/")
          && !field.getName().equals("API_V1")) {
        String path = (String) field.get(null);
        if (!spec.contains("\n  " + path + ":\n")) {
          missing.add(field.getName() + "=" + path);
        }
      }
    }
    assertThat(missing).isEmpty();
  }

  @Test
  void errorCodeEnumInTheDocumentIsTheJavaEnum() {
    List<String> missing = new ArrayList<>();
    for (ErrorCode code : ErrorCode.values()) {
      if (!spec.contains("        - " + code.name() + "\n")) {
        missing.add(code.name());
      }
    }
    assertThat(missing).isEmpty();
  }
}
