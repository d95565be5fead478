package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.agent.backend.BackendClient;
import io.vmagent.agent.backend.Credentials;
import io.vmagent.agent.backend.CredentialsStore;
import io.vmagent.agent.backend.Enrollment;
import io.vmagent.agent.backend.HttpTransport;
import io.vmagent.agent.backend.Session;
import io.vmagent.agent.backend.TlsSettings;
import io.vmagent.agent.command.CommandDispatcher;
import io.vmagent.agent.command.CommandJournal;
import io.vmagent.agent.config.Secret;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.operation.OperationRegistry;
import io.vmagent.agent.retry.Backoff;
import io.vmagent.agent.state.StateDir;
import io.vmagent.backend.client.TlsTrust;
import io.vmagent.protocol.AgentVersions;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandBatch;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.LibvirtHealth;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.protocol.RegisterResponse;
import io.vmagent.protocol.ResultStatus;
import io.vmagent.protocol.TokenPair;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.libvirt.Domain;

/**
 * Every message the agent accepts from the backend, from a hostile backend over real HTTPS: command
 * batches (malformed JSON, deep nesting, wrong types, unknown operations, hostile VM names and
 * command ids, past deadlines), heartbeat and ingest answers, registration and refresh answers. The
 * agent's real transport, session, dispatcher, journal and libvirt operations (on libvirt's test
 * host) handle them: each gives a clear error (an IOException with a message, or a FAILED result
 * with an error code), no VM changes, and a normal command still works afterwards.
 */
class AgentBadInputProperties {
  static final AtomicLong TRIED = new AtomicLong();
  static final AtomicLong REFUSED = new AtomicLong();
  static final AtomicLong COMMANDS_REFUSED = new AtomicLong();
  static final AtomicLong CRASHES = new AtomicLong();
  static final AtomicLong STATE_CHANGES = new AtomicLong();
  static final List<String> OPERATIONS =
      List.of(
          "start",
          "stop",
          "restart",
          "pause",
          "resume",
          "delete",
          "snapshot",
          "info",
          "list",
          "health_check",
          "collect_metrics");

  static Path dir;
  static HostileBackend hostile;
  static HttpTransport transport;
  static BackendClient client;
  static LibvirtConnectionManager libvirt;
  static CommandDispatcher dispatcher;

  @BeforeContainer
  static void start() throws Exception {
    dir = Files.createTempDirectory("vmagent-agent-badinput-");
    hostile = new HostileBackend(dir);
    transport =
        new HttpTransport(
            hostile.url(),
            TlsTrust.trusting(hostile.caPath()),
            Duration.ofSeconds(5),
            Backoff.of(1, 2.0));
    Path state = Files.createDirectories(dir.resolve("state"));
    Instant far = Instant.now().plus(Duration.ofDays(1));
    new CredentialsStore(state)
        .save(
            new Credentials(
                hostile.url().toString(),
                "fuzz-agent",
                "access",
                far,
                "refresh",
                far,
                Instant.now()));
    client = new BackendClient(transport, session(state));
    libvirt = new LibvirtConnectionManager(Libvirt.HOST);
    libvirt.start();
    dispatcher =
        new CommandDispatcher(
            new OperationRegistry(
                new io.vmagent.agent.libvirt.VmOperations(libvirt, Duration.ofSeconds(5))
                    .operations()),
            new CommandJournal(new StateDir(state)),
            Clock.systemUTC());
  }

  @AfterContainer
  static void stop() throws Exception {
    Figures.record(
        "bad input, agent",
        TRIED.get()
            + " backend answers tried ("
            + COMMANDS_REFUSED.get()
            + " hostile commands"
            + " dispatched), "
            + REFUSED.get()
            + " refused with an IOException, "
            + CRASHES.get()
            + " crashes, "
            + STATE_CHANGES.get()
            + " VM state changes");
    if (libvirt != null) {
      libvirt.close();
    }
    if (transport != null) {
      transport.close();
    }
    if (hostile != null) {
      hostile.close();
    }
    Harness.deleteTree(dir);
  }

  static Session session(Path state) {
    return new Session(
        transport,
        new CredentialsStore(state),
        Optional.of(Secret.of("bootstrap-token")),
        true,
        () ->
            new RegisterRequest(
                "fuzz-agent", "fuzz", "host", "1.0.0", Libvirt.HOST, null, List.of("list"), 30),
        enrollment(state),
        Clock.systemUTC());
  }

  private static Enrollment enrollment(Path state) {
    try {
      return new Enrollment(
          state,
          new TlsSettings(true, Optional.empty(), Optional.empty(), Optional.empty()),
          transport,
          Clock.systemUTC());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Property
  void hostileCommandBatchesGetClearErrorsAndChangeNoVm(@ForAll("batches") byte[] body)
      throws Exception {
    String before = vmFingerprint();
    hostile.answer(200, body);
    TRIED.incrementAndGet();
    CommandBatch batch;
    try {
      batch = client.pollCommands(0, 4);
    } catch (IOException refused) {
      REFUSED.incrementAndGet();
      assertThat(refused.getMessage()).isNotBlank();
      assertHealthy(before);
      return;
    } catch (RuntimeException crash) {
      CRASHES.incrementAndGet();
      throw crash;
    }
    for (Command command : batch.commands()) {
      COMMANDS_REFUSED.incrementAndGet();
      Optional<CommandResult> result;
      try {
        result = dispatcher.handle(command);
      } catch (RuntimeException crash) {
        CRASHES.incrementAndGet();
        throw new AssertionError("dispatching " + command + " crashed", crash);
      }
      if (result.isPresent() && result.get().status() == ResultStatus.FAILED) {
        assertThat(result.get().error().code()).as("error code of %s", command).isNotNull();
        assertThat(result.get().error().message()).isNotBlank();
      }
    }
    assertHealthy(before);
  }

  @Property
  void brokenAnswersToHeartbeatsAndDeliveriesAreRefusedClearly(
      @ForAll("answers") byte[] body, @ForAll("calls") String call, @ForAll("statuses") int status)
      throws Exception {
    String before = vmFingerprint();
    hostile.answer(status, body);
    TRIED.incrementAndGet();
    try {
      switch (call) {
        case "heartbeat" -> client.heartbeat(heartbeat());
        case "result" ->
            client.submitResult(
                CommandResult.succeeded(
                    UUID.randomUUID().toString(),
                    Api.JSON.createObjectNode(),
                    Instant.now(),
                    Instant.now()));
        case "metrics" -> client.submitMetrics(new MetricsBatch(List.of()));
        case "events" -> client.submitEvents(new EventBatch(List.of()));
        default -> client.latestVersion("1.0.0");
      }
    } catch (IOException refused) {
      REFUSED.incrementAndGet();
      assertThat(refused.getMessage()).isNotBlank();
    } catch (RuntimeException crash) {
      CRASHES.incrementAndGet();
      throw crash;
    }
    assertHealthy(before);
  }

  @Property
  void brokenRegistrationAnswersLeaveNoUnusableCredentialsBehind(
      @ForAll("registrationAnswers") byte[] body) throws Exception {
    Path state = Files.createTempDirectory(dir, "register-");
    Session session = session(state);
    hostile.answer(200, body);
    TRIED.incrementAndGet();
    try {
      var credentials = session.credentials();
      // Accepted: then it must be a usable identity, not a path or a null.
      assertThat(credentials.agentId()).matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
      assertThat(credentials.accessToken()).isNotBlank();
      assertThat(credentials.refreshToken()).isNotBlank();
      assertThat(credentials.accessTokenExpiresAt()).isNotNull();
    } catch (IOException refused) {
      REFUSED.incrementAndGet();
      assertThat(refused.getMessage()).isNotBlank();
      assertThat(state.resolve(CredentialsStore.FILE_NAME))
          .as("no credentials kept from a refused answer")
          .doesNotExist();
    } catch (RuntimeException crash) {
      CRASHES.incrementAndGet();
      throw crash;
    }
  }

  // ---- checks --------------------------------------------------------------------------------

  /** No VM changed, and a normal command still runs. */
  static void assertHealthy(String before) throws Exception {
    String after = vmFingerprint();
    if (!after.equals(before)) {
      STATE_CHANGES.incrementAndGet();
    }
    assertThat(after).as("VMs unchanged").isEqualTo(before);
    Command list =
        new Command(
            UUID.randomUUID().toString(),
            "list",
            Map.of(),
            Instant.now().plusSeconds(60),
            Instant.now().plusSeconds(60),
            1,
            Instant.now());
    assertThat(dispatcher.handle(list).orElseThrow().status()).isEqualTo(ResultStatus.SUCCEEDED);
  }

  /** Every domain of the test host with its state, XML and snapshots. */
  static String vmFingerprint() throws Exception {
    return Libvirt.with(
        c -> {
          StringBuilder text = new StringBuilder();
          List<String> names = new ArrayList<>(List.of(c.listDefinedDomains()));
          for (int id : c.listDomains()) {
            names.add(c.domainLookupByID(id).getName());
          }
          names.sort(null);
          for (String name : names) {
            Domain d = c.domainLookupByName(name);
            text.append(name)
                .append(' ')
                .append(d.getInfo().state)
                .append(' ')
                .append(d.getXMLDesc(0))
                .append(' ')
                .append(String.join(",", d.snapshotListNames()))
                .append('\n');
          }
          return text.toString();
        });
  }

  static HeartbeatRequest heartbeat() {
    return new HeartbeatRequest(
        HealthStatus.HEALTHY,
        List.of(),
        1,
        new AgentVersions("1", "17", "9", "9", "Linux"),
        new LibvirtHealth(true, Libvirt.HOST, null, 1L),
        0,
        true,
        List.of(),
        null,
        30,
        null);
  }

  // ---- generators ----------------------------------------------------------------------------

  @Provide
  Arbitrary<byte[]> batches() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(1, Hostile.malformedJson()),
        net.jqwik.api.Tuple.of(1, Hostile.deepNesting().filter(b -> b.length < 200_000)),
        net.jqwik.api.Tuple.of(1, Hostile.anyJson().map(AgentBadInputProperties::bytes)),
        net.jqwik.api.Tuple.of(6, hostileBatch().map(AgentBadInputProperties::bytes)));
  }

  static Arbitrary<JsonNode> hostileBatch() {
    Arbitrary<JsonNode> command = hostileCommand();
    Arbitrary<JsonNode> batch =
        command
            .list()
            .ofMinSize(1)
            .ofMaxSize(4)
            .map(
                list -> {
                  ObjectNode root = Api.JSON.createObjectNode();
                  list.forEach(root.putArray("commands")::add);
                  return root;
                });
    // Sometimes one member of the valid-looking batch gets a wrong type.
    return batch.flatMap(
        root ->
            Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, Arbitraries.just(root)),
                net.jqwik.api.Tuple.of(
                    1,
                    Arbitraries.of(Hostile.paths(root))
                        .flatMap(
                            path ->
                                Hostile.wrongTypeFor(Hostile.at(root, path))
                                    .map(v -> Hostile.replaced(root, path, v))))));
  }

  static Arbitrary<JsonNode> hostileCommand() {
    Arbitrary<String> ids =
        Arbitraries.oneOf(
            Arbitraries.create(() -> UUID.randomUUID().toString()),
            Arbitraries.of(
                "../../../etc/passwd", "", "a/b", "x".repeat(300), ".hidden", "id\u0000x", "-rf"));
    Arbitrary<String> operations =
        Arbitraries.oneOf(
            Arbitraries.of(OPERATIONS),
            Arbitraries.of(
                "format_host",
                "shell",
                "exec",
                "rm",
                "START",
                "start ",
                "start;reboot",
                "",
                "agent_info\u0000"),
            Hostile.smallStrings());
    Arbitrary<Map<String, String>> params =
        Combinators.combine(
                Hostile.vmNames(),
                Arbitraries.maps(
                        Arbitraries.of(
                            "force",
                            "action",
                            "name",
                            "timeout",
                            "remove_storage",
                            "include_xml",
                            "description",
                            "vm ",
                            "$where",
                            "colour"),
                        Arbitraries.oneOf(
                            Arbitraries.of(
                                "true",
                                "false",
                                "create",
                                "revert",
                                "delete",
                                "-1",
                                "1e9",
                                "99999999999"),
                            Hostile.smallStrings()))
                    .ofMaxSize(3),
                Arbitraries.of(true, true, true, false))
            .as(
                (vm, extra, withVm) -> {
                  Map<String, String> p = new java.util.LinkedHashMap<>(extra);
                  if (withVm) {
                    p.put("vm", vm);
                  }
                  return p;
                });
    Arbitrary<Instant> deadlines =
        Arbitraries.of(
            Instant.now().plusSeconds(3600),
            Instant.parse("2000-01-01T00:00:00Z"),
            Instant.parse("9999-12-31T23:59:59Z"));
    return Combinators.combine(
            ids, operations, params, deadlines, Arbitraries.integers().between(-5, 1000))
        .as(
            (id, op, p, deadline, delivery) -> {
              ObjectNode c = Api.JSON.createObjectNode();
              c.put("id", id);
              c.put("operation", op);
              ObjectNode ps = c.putObject("params");
              p.forEach(ps::put);
              c.put("deadline", deadline.toString());
              c.put("lease_expires_at", Instant.now().plusSeconds(60).toString());
              c.put("delivery", delivery);
              c.put("created_at", Instant.now().toString());
              return c;
            });
  }

  @Provide
  Arbitrary<byte[]> answers() {
    return Arbitraries.oneOf(
        Hostile.malformedJson(),
        Hostile.deepNesting().filter(b -> b.length < 200_000),
        Hostile.anyJson().map(AgentBadInputProperties::bytes),
        Arbitraries.of(new byte[0]));
  }

  @Provide
  Arbitrary<String> calls() {
    return Arbitraries.of("heartbeat", "result", "metrics", "events", "update");
  }

  @Provide
  Arbitrary<Integer> statuses() {
    return Arbitraries.of(200, 200, 200, 201, 204, 301, 400, 404, 409, 413, 418, 422);
  }

  @Provide
  Arbitrary<byte[]> registrationAnswers() {
    Instant later = Instant.now().plus(Duration.ofHours(1));
    JsonNode valid =
        ProtocolJson.strictMapper()
            .valueToTree(
                new RegisterResponse(
                    "agent-1", "access", later, "refresh", later.plusSeconds(3600)));
    JsonNode pair =
        ProtocolJson.strictMapper().valueToTree(new TokenPair("access", later, "refresh", later));
    Arbitrary<JsonNode> hostileIds =
        Hostile.vmNames().map(id -> ((ObjectNode) valid.deepCopy()).put("agent_id", id));
    Arbitrary<JsonNode> nulls =
        Arbitraries.of(
                "agent_id",
                "access_token",
                "refresh_token",
                "access_token_expires_at",
                "refresh_token_expires_at")
            .map(field -> (JsonNode) ((ObjectNode) valid.deepCopy()).putNull(field));
    Arbitrary<JsonNode> missing =
        Arbitraries.of("agent_id", "access_token", "refresh_token", "access_token_expires_at")
            .map(
                field -> {
                  ObjectNode copy = valid.deepCopy();
                  copy.remove(field);
                  return (JsonNode) copy;
                });
    Arbitrary<JsonNode> wrongTypes =
        Arbitraries.of(Hostile.paths(valid))
            .flatMap(
                path ->
                    Hostile.wrongTypeFor(Hostile.at(valid, path))
                        .map(v -> Hostile.replaced(valid, path, v)));
    return Arbitraries.oneOf(
            hostileIds,
            nulls,
            missing,
            wrongTypes,
            Hostile.anyJson(),
            Arbitraries.just(pair),
            Arbitraries.of("", " ")
                .map(
                    blank -> (JsonNode) ((ObjectNode) valid.deepCopy()).put("access_token", blank)))
        .map(AgentBadInputProperties::bytes)
        .injectDuplicates(0.0);
  }

  static byte[] bytes(JsonNode node) {
    try {
      return Api.JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
