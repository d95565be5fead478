package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.VmBackend;
import io.vmagent.backend.auth.AccessTokens;
import io.vmagent.backend.auth.SigningKey;
import io.vmagent.protocol.AgentVersions;
import io.vmagent.protocol.CommandError;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.CreateBootstrapTokenRequest;
import io.vmagent.protocol.DrainRequest;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.EventBatch;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.LibvirtHealth;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.MigrateRequest;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.QueueCommandRequest;
import io.vmagent.protocol.RefreshRequest;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.protocol.RegisterResponse;
import io.vmagent.protocol.VmEvent;
import io.vmagent.protocol.VmEventType;
import io.vmagent.protocol.VmSummary;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Every request the backend accepts from agents and operators, broken on purpose: malformed JSON,
 * wrong types, unknown members, huge strings, deep nesting, hostile path and query values, and
 * forged, unsigned ({@code alg: none}), expired, foreign-key and other-agent tokens. Each must get
 * a 4xx problem document naming an error code, leave every database row as it was, and leave the
 * backend answering normal requests.
 */
class BackendBadInputProperties {
  static final AtomicLong TRIED = new AtomicLong();
  static final AtomicLong CRASHES = new AtomicLong();
  static final AtomicLong STATE_CHANGES = new AtomicLong();
  static final Map<Integer, AtomicLong> STATUSES = new java.util.concurrent.ConcurrentHashMap<>();

  static Path dir;
  static RunningBackend backend;
  static Api api;
  static String agentA;
  static String tokenA;
  static String refreshA;
  static String agentB;
  static String tokenB;
  static String bootstrap;
  static String commandOfA;
  static Map<String, String> forgedTokens;

  /** One request the backend accepts, in its valid form, with the credential it needs. */
  record Endpoint(String name, String method, String path, String token, JsonNode template) {
    @Override
    public String toString() {
      return method + " " + name;
    }
  }

  @BeforeContainer
  static void start() throws Exception {
    dir = Files.createTempDirectory("vmagent-badinput-");
    backend =
        VmBackend.builder()
            .dataDir(dir)
            .listen("127.0.0.1", 0)
            .pollRecheckInterval(Duration.ofMillis(200))
            .build()
            .start();
    api = new Api(backend.baseUrl(), backend.caCertificatePath());
    bootstrap = backend.createBootstrapToken(false, null);
    RegisterResponse a = register("fuzz-agent-a");
    RegisterResponse b = register("fuzz-agent-b");
    agentA = a.agentId();
    tokenA = a.accessToken();
    refreshA = a.refreshToken();
    agentB = b.agentId();
    tokenB = b.accessToken();
    commandOfA = backend.queueCommand(agentA, "list", Map.of()).id();
    forgedTokens = forgedTokens();
  }

  @AfterContainer
  static void stop() throws Exception {
    Figures.record(
        "bad input, backend",
        TRIED.get()
            + " requests tried, "
            + CRASHES.get()
            + " crashes (5xx or no answer), "
            + STATE_CHANGES.get()
            + " state changes; statuses "
            + new java.util.TreeMap<>(STATUSES)
            + " (-2: connection closed on an"
            + " over-limit body)");
    try {
      Harness.stop(backend);
    } finally {
      Harness.deleteTree(dir);
    }
  }

  @Property
  void malformedJsonIsRefusedOnEveryEndpoint(
      @ForAll("bodyEndpoints") Endpoint endpoint, @ForAll("malformed") byte[] body)
      throws Exception {
    check(endpoint.method(), endpoint.path(), endpoint.token(), "application/json", body);
  }

  @Property
  void deeplyNestedJsonIsRefusedOnEveryEndpoint(
      @ForAll("bodyEndpoints") Endpoint endpoint, @ForAll("deep") byte[] body) throws Exception {
    check(endpoint.method(), endpoint.path(), endpoint.token(), "application/json", body);
  }

  @Property
  void aWrongTypeAnywhereIsRefused(@ForAll("wrongTyped") Map.Entry<Endpoint, JsonNode> input)
      throws Exception {
    Endpoint endpoint = input.getKey();
    check(
        endpoint.method(),
        endpoint.path(),
        endpoint.token(),
        "application/json",
        bytes(input.getValue()));
  }

  @Property
  void unknownMembersAreRefused(
      @ForAll("bodyEndpoints") Endpoint endpoint,
      @ForAll("memberNames") String member,
      @ForAll("anyJson") JsonNode value)
      throws Exception {
    ObjectNode body = (ObjectNode) endpoint.template().deepCopy();
    if (body.has(member)) {
      return;
    }
    body.set(member, value);
    check(endpoint.method(), endpoint.path(), endpoint.token(), "application/json", bytes(body));
  }

  @Property
  void hugeStringsAreRefused(
      @ForAll("textFields") Map.Entry<Endpoint, List<Object>> field,
      @ForAll("hugeLengths") int length)
      throws Exception {
    Endpoint endpoint = field.getKey();
    JsonNode body =
        Hostile.replaced(
            endpoint.template(),
            field.getValue(),
            Api.JSON.getNodeFactory().textNode("Z".repeat(length)));
    check(endpoint.method(), endpoint.path(), endpoint.token(), "application/json", bytes(body));
  }

  @Property
  void anyJsonValueOfTheWrongShapeIsRefused(
      @ForAll("bodyEndpoints") Endpoint endpoint, @ForAll("anyJson") JsonNode body)
      throws Exception {
    if (body.isObject() && body.size() == 0) {
      return; // {} is the valid body of a few operator calls
    }
    check(endpoint.method(), endpoint.path(), endpoint.token(), "application/json", bytes(body));
  }

  @Property
  void forgedExpiredUnsignedAndOtherAgentsTokensAreRefused(
      @ForAll("protectedEndpoints") Endpoint endpoint, @ForAll("badTokens") String tokenName)
      throws Exception {
    String token = forgedTokens.get(tokenName);
    if (endpoint.path().startsWith(ProtocolPaths.API_V1 + "/operator")
        && tokenName.equals("operator")) {
      return; // the right credential
    }
    if (endpoint.name().equals("register") && tokenName.startsWith("bootstrap")) {
      return; // the right credential
    }
    if (endpoint.name().equals("status") && tokenName.equals("operator")) {
      return; // operators may read any agent's status
    }
    byte[] body = endpoint.template() == null ? null : bytes(endpoint.template());
    check(
        endpoint.method(), endpoint.path(), token, body == null ? null : "application/json", body);
  }

  @Property
  void hostilePathAndQueryValuesAreRefused(
      @ForAll("hostileSegments") String segment, @ForAll("pathShapes") String shape)
      throws Exception {
    String encoded =
        java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    String path = shape.replace("{x}", encoded).replace("{a}", agentA);
    String token = shape.contains("/operator/") ? backend.operatorToken() : tokenA;
    if (shape.contains("?agent_id=") || shape.contains("?current=")) {
      // Lookups: an unknown agent or version may simply match nothing; never a 5xx or a change.
      lookup(path, token);
      return;
    }
    check("GET", path, token, null, null);
  }

  @net.jqwik.api.Example
  void uriJettyRefusesBeforeRoutingGetsAProblemDocumentToo() throws Exception {
    check(
        "GET",
        ProtocolPaths.API_V1 + "/operator/agents/a%2F..%2Fb",
        backend.operatorToken(),
        null,
        null);
    check("GET", ProtocolPaths.API_V1 + "/agents/a%25%0A/status", tokenA, null, null);
  }

  @Property
  void wrongContentTypesAreRefused(
      @ForAll("bodyEndpoints") Endpoint endpoint, @ForAll("contentTypes") String contentType)
      throws Exception {
    byte[] body = bytes(endpoint.template());
    check(endpoint.method(), endpoint.path(), endpoint.token(), contentType, body);
  }

  // ---- the check every input goes through ------------------------------------------------------

  static void check(String method, String path, String token, String contentType, byte[] body)
      throws Exception {
    String before = DbFingerprint.of(backend.dataSource());
    Api.Answer answer = api.send(method, path, token, contentType, body);
    TRIED.incrementAndGet();
    STATUSES.computeIfAbsent(answer.status(), s -> new AtomicLong()).incrementAndGet();
    if (answer.status() == -1) {
      return; // refused by the client library itself: nothing reached the backend
    }
    if (answer.status() >= 500) {
      CRASHES.incrementAndGet();
    }
    String after = DbFingerprint.of(backend.dataSource());
    if (answer.status() == Api.CLOSED) {
      assertThat(after)
          .as("database unchanged by an oversized %s %s", method, path)
          .isEqualTo(before);
      assertHealthy();
      return;
    }
    if (!before.equals(after)) {
      STATE_CHANGES.incrementAndGet();
    }
    String shown =
        body == null ? "" : new String(body, 0, Math.min(body.length, 300), StandardCharsets.UTF_8);
    assertThat(answer.status())
        .as("%s %s with %s -> %s", method, path, shown, answer.body())
        .isBetween(400, 499);
    assertThat(answer.isClearProblem())
        .as("a problem document with a code: %s", answer.body())
        .isTrue();
    assertThat(after).as("database unchanged by %s %s %s", method, path, shown).isEqualTo(before);
    assertHealthy();
  }

  static void lookup(String path, String token) throws Exception {
    String before = DbFingerprint.of(backend.dataSource());
    Api.Answer answer = api.send("GET", path, token, null, null);
    TRIED.incrementAndGet();
    STATUSES.computeIfAbsent(answer.status(), s -> new AtomicLong()).incrementAndGet();
    if (answer.status() >= 500) {
      CRASHES.incrementAndGet();
    }
    assertThat(answer.status()).as("GET %s -> %s", path, answer.body()).isLessThan(500);
    assertThat(DbFingerprint.of(backend.dataSource())).isEqualTo(before);
    assertHealthy();
  }

  /** A normal request still works: health, and agent A's own status with its own token. */
  static void assertHealthy() {
    assertThat(api.get(ProtocolPaths.HEALTH, null).status()).isEqualTo(200);
    Api.Answer status = api.get(ProtocolPaths.agentStatus(agentA), tokenA);
    assertThat(status.status())
        .as("agent status after bad input: %s", status.body())
        .isEqualTo(200);
  }

  // ---- generators
  // --------------------------------------------------------------------------------

  @Provide
  Arbitrary<Endpoint> bodyEndpoints() {
    return Arbitraries.of(bodyEndpointList());
  }

  @Provide
  Arbitrary<Endpoint> protectedEndpoints() {
    List<Endpoint> all = new java.util.ArrayList<>(bodyEndpointList());
    all.removeIf(e -> e.name().equals("refresh"));
    all.add(new Endpoint("commands", "GET", ProtocolPaths.commands(agentA, 0), tokenA, null));
    all.add(new Endpoint("status", "GET", ProtocolPaths.agentStatus(agentA), tokenA, null));
    all.add(
        new Endpoint(
            "operator agents",
            "GET",
            ProtocolPaths.OPERATOR_AGENTS,
            backend.operatorToken(),
            null));
    all.add(
        new Endpoint(
            "operator command",
            "GET",
            ProtocolPaths.operatorCommand(commandOfA),
            backend.operatorToken(),
            null));
    all.add(
        new Endpoint(
            "operator revoke",
            "POST",
            ProtocolPaths.operatorAgentRevoke(agentB),
            backend.operatorToken(),
            null));
    all.add(
        new Endpoint(
            "operator commands list",
            "GET",
            ProtocolPaths.OPERATOR_COMMANDS + "?agent_id=" + agentA,
            backend.operatorToken(),
            null));
    all.add(
        new Endpoint(
            "operator events",
            "GET",
            ProtocolPaths.OPERATOR_EVENTS + "?agent_id=" + agentA,
            backend.operatorToken(),
            null));
    all.add(
        new Endpoint(
            "operator metrics history",
            "GET",
            ProtocolPaths.OPERATOR_METRICS_HISTORY + "?agent_id=" + agentA,
            backend.operatorToken(),
            null));
    all.add(
        new Endpoint(
            "operator drain",
            "GET",
            ProtocolPaths.operatorAgentDrain(agentB),
            backend.operatorToken(),
            null));
    return Arbitraries.of(all);
  }

  static List<Endpoint> bodyEndpointList() {
    Instant now = Instant.parse("2026-01-01T00:00:00Z");
    String op = backend.operatorToken();
    return List.of(
        new Endpoint(
            "register",
            "POST",
            ProtocolPaths.REGISTER,
            bootstrap,
            tree(
                new RegisterRequest(
                    "fuzz-new-agent",
                    "n",
                    "h",
                    "1.0.0",
                    "test:///default",
                    null,
                    List.of("list"),
                    30))),
        new Endpoint(
            "refresh", "POST", ProtocolPaths.REFRESH, null, tree(new RefreshRequest(refreshA))),
        new Endpoint(
            "heartbeat",
            "POST",
            ProtocolPaths.heartbeat(agentA),
            tokenA,
            tree(
                new HeartbeatRequest(
                    HealthStatus.HEALTHY,
                    List.of(),
                    5,
                    new AgentVersions("1.0.0", "17", "9.0.0", "9.0.0", "Linux"),
                    new LibvirtHealth(true, "test:///default", null, 1L),
                    0,
                    true,
                    List.of(),
                    null,
                    30,
                    List.of(new VmSummary("vm1", null, "running"))))),
        new Endpoint(
            "results",
            "POST",
            ProtocolPaths.results(agentA),
            tokenA,
            tree(
                CommandResult.failed(
                    commandOfA, new CommandError(ErrorCode.OPERATION_FAILED, "m"), now, now))),
        new Endpoint(
            "metrics",
            "POST",
            ProtocolPaths.metrics(agentA),
            tokenA,
            tree(
                new MetricsBatch(
                    List.of(new MetricsSample(now, Api.JSON.createObjectNode().put("k", 1)))))),
        new Endpoint(
            "events",
            "POST",
            ProtocolPaths.events(agentA),
            tokenA,
            tree(
                new EventBatch(
                    List.of(new VmEvent(1, now, "vm1", null, VmEventType.DEFINED, "booted"))))),
        new Endpoint(
            "queue command",
            "POST",
            ProtocolPaths.OPERATOR_COMMANDS,
            op,
            tree(new QueueCommandRequest(agentA, "info", Map.of("vm", "vm1"), 60))),
        new Endpoint(
            "create token",
            "POST",
            ProtocolPaths.OPERATOR_TOKENS,
            op,
            tree(new CreateBootstrapTokenRequest("d", true, 60L))),
        new Endpoint(
            "begin migration",
            "POST",
            ProtocolPaths.OPERATOR_MIGRATIONS,
            op,
            tree(new MigrateRequest("vm1", agentA, agentB, Map.of("live", "true")))),
        new Endpoint(
            "begin drain",
            "POST",
            ProtocolPaths.operatorAgentDrain(agentA),
            op,
            tree(new DrainRequest(agentB, 1, Map.of("live", "true")))));
  }

  @Provide
  Arbitrary<byte[]> malformed() {
    return Hostile.malformedJson();
  }

  @Provide
  Arbitrary<byte[]> deep() {
    return Hostile.deepNesting();
  }

  @Provide
  Arbitrary<JsonNode> anyJson() {
    return Hostile.anyJson();
  }

  @Provide
  Arbitrary<String> memberNames() {
    return Arbitraries.oneOf(
        Arbitraries.of(
            "__proto__",
            "constructor",
            "agent_id ",
            "AGENT_ID",
            "$where",
            "../x",
            "admin",
            "is_operator"),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(30));
  }

  @Provide
  Arbitrary<Map.Entry<Endpoint, JsonNode>> wrongTyped() {
    return Arbitraries.of(bodyEndpointList())
        .flatMap(
            endpoint -> {
              List<List<Object>> paths =
                  Hostile.paths(endpoint.template()).stream()
                      .filter(p -> acceptsNoOtherType(p))
                      .toList();
              return Arbitraries.of(paths)
                  .flatMap(
                      path ->
                          Hostile.wrongTypeFor(Hostile.at(endpoint.template(), path))
                              .map(
                                  value ->
                                      Map.entry(
                                          endpoint,
                                          Hostile.replaced(endpoint.template(), path, value))));
            });
  }

  // Free-form documents (a metrics snapshot, a result's output) take any JSON inside them.
  private static boolean acceptsNoOtherType(List<Object> path) {
    return !path.contains("snapshot") && !path.contains("result");
  }

  @Provide
  Arbitrary<Map.Entry<Endpoint, List<Object>>> textFields() {
    return Arbitraries.of(bodyEndpointList())
        .flatMap(
            endpoint -> {
              List<List<Object>> text =
                  Hostile.paths(endpoint.template()).stream()
                      .filter(p -> Hostile.at(endpoint.template(), p).isTextual())
                      .filter(p -> !p.contains("snapshot"))
                      .toList();
              return Arbitraries.of(text).map(p -> Map.entry(endpoint, p));
            });
  }

  @Provide
  Arbitrary<Integer> hugeLengths() {
    return Arbitraries.of(4_097, 70_000, 1_100_000, 3_000_000);
  }

  @Provide
  Arbitrary<String> badTokens() {
    return Arbitraries.of(forgedTokens.keySet().stream().sorted().toList());
  }

  @Provide
  Arbitrary<String> hostileSegments() {
    return Arbitraries.oneOf(
        Hostile.vmNames(), Arbitraries.of("-1", "99999999999999999999", "1e3", "0x1f", "NaN"));
  }

  @Provide
  Arbitrary<String> pathShapes() {
    return Arbitraries.of(
        ProtocolPaths.API_V1 + "/agents/{x}/status",
        ProtocolPaths.API_V1 + "/agents/{a}/commands?wait={x}",
        ProtocolPaths.API_V1 + "/agents/{a}/commands?wait=0&max={x}",
        ProtocolPaths.API_V1 + "/operator/commands/{x}",
        ProtocolPaths.API_V1 + "/operator/agents/{x}",
        ProtocolPaths.API_V1 + "/operator/vms?agent_id={x}",
        ProtocolPaths.API_V1 + "/updates/latest?current={x}",
        ProtocolPaths.API_V1 + "/{x}");
  }

  @Provide
  Arbitrary<String> contentTypes() {
    return Arbitraries.of(
        "text/plain",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x");
  }

  // ---- fixtures
  // ----------------------------------------------------------------------------------

  static JsonNode tree(Object value) {
    return ProtocolJson.strictMapper().valueToTree(value);
  }

  static byte[] bytes(JsonNode node) throws Exception {
    return Api.JSON.writeValueAsBytes(node);
  }

  static RegisterResponse register(String id) throws Exception {
    Api.Answer answer =
        api.post(
            ProtocolPaths.REGISTER,
            bootstrap,
            new RegisterRequest(
                id, id, "host", "1.0.0", "test:///default", null, List.of("list", "info"), 30));
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return Api.JSON.readValue(answer.body(), RegisterResponse.class);
  }

  /** Every kind of credential an attacker or a confused client could present instead of A's. */
  static Map<String, String> forgedTokens() throws Exception {
    Instant now = Instant.now();
    JWTClaimsSet valid =
        new JWTClaimsSet.Builder()
            .issuer(AccessTokens.ISSUER)
            .audience(AccessTokens.AUDIENCE)
            .subject(agentA)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plusSeconds(600)))
            .jwtID(UUID.randomUUID().toString())
            .build();
    String realKid = SignedJWT.parse(tokenA).getHeader().getKeyID();
    ECKey foreign = new ECKeyGenerator(Curve.P_256).keyID(realKid).generate();
    SignedJWT foreignSigned =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(realKid)
                .type(new JOSEObjectType("at+jwt"))
                .build(),
            valid);
    foreignSigned.sign(new ECDSASigner(foreign));
    String[] parts = tokenA.split("\\.", -1);
    String otherSubject =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8)
                    .replace(agentA, agentB)
                    .getBytes(StandardCharsets.UTF_8));
    // Expired, but signed with the backend's own key: only the expiry is wrong.
    AccessTokens pastIssuer =
        new AccessTokens(
            SigningKey.loadOrCreate(dir),
            kid -> Optional.empty(),
            Duration.ofMinutes(1),
            Clock.fixed(now.minus(Duration.ofHours(1)), ZoneOffset.UTC));
    String expired = pastIssuer.issue(agentA, "family").token();
    String none = new PlainJWT(valid).serialize();
    String noneHeader =
        Base64.getUrlEncoder()
            .withoutPadding()
            .encodeToString(
                "{\"alg\":\"none\",\"typ\":\"at+jwt\"}".getBytes(StandardCharsets.UTF_8));
    Map<String, String> tokens = new java.util.TreeMap<>();
    tokens.put("none", null);
    tokens.put("empty", "");
    tokens.put("garbage", "not-a-token");
    tokens.put("alg none", none);
    tokens.put("alg none with real payload", noneHeader + "." + parts[1] + ".");
    tokens.put("real header, no signature", parts[0] + "." + parts[1] + ".");
    tokens.put("signed by a foreign key under the real kid", foreignSigned.serialize());
    tokens.put("payload swapped to another agent", parts[0] + "." + otherSubject + "." + parts[2]);
    tokens.put("expired, real key", expired);
    tokens.put("other agent's valid token", tokenB);
    tokens.put("refresh token as access token", refreshA);
    tokens.put("bootstrap token as access token", bootstrap);
    tokens.put("operator", backend.operatorToken());
    tokens.put("operator token with one character changed", flip(backend.operatorToken()));
    tokens.put("agent token with one character changed", flip(tokenA));
    return tokens;
  }

  private static String flip(String token) {
    char[] chars = token.toCharArray();
    int i = chars.length / 2;
    chars[i] = chars[i] == 'A' ? 'B' : 'A';
    return new String(chars);
  }
}
