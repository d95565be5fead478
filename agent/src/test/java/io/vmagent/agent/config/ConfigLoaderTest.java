package io.vmagent.agent.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
  @TempDir Path dir;
  private Path envFile;
  private Map<String, String> env;

  @BeforeEach
  void setUp() throws IOException {
    envFile = dir.resolve("agent.env");
    writeEnvFile("# empty");
    env = new HashMap<>();
    env.put("AGENT_CONFIG_FILE", envFile.toString());
    env.put("AGENT_STATE_DIR", dir.resolve("state").toString());
  }

  private AgentConfig load(Map<String, String> cli) throws ConfigException {
    return new ConfigLoader(cli, env).load();
  }

  private void writeEnvFile(String... lines) throws IOException {
    Files.writeString(envFile, String.join("\n", lines));
    Files.setPosixFilePermissions(envFile, PosixFilePermissions.fromString("rw-r-----"));
  }

  @Test
  void defaultsMatchTheSpecification() throws Exception {
    env.put("AGENT_BACKEND_URL", "https://backend.example.com");
    AgentConfig config = load(Map.of());

    assertThat(config.libvirtUri()).isEqualTo("qemu:///system");
    assertThat(config.agentName()).isEqualTo(HostName.local());
    assertThat(config.sslVerify()).isTrue();
    assertThat(config.metricsInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.apiTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.retryAttempts()).isEqualTo(3);
    assertThat(config.retryBackoff()).isEqualTo(2.0);
    assertThat(config.logLevel()).isEqualTo(LogLevel.INFO);
    assertThat(config.logFile()).isEmpty();
    assertThat(config.autoRegister()).isTrue();
    assertThat(config.updateCheckInterval()).isEqualTo(Duration.ofHours(1));
    assertThat(config.stopTimeout()).isEqualTo(Duration.ofSeconds(60));
    assertThat(config.prometheusListen()).isEmpty();
    assertThat(config.resourceThresholds()).isEqualTo(new ResourceThresholds(5, 5, 5, 50, 2.0));
    assertThat(config.origin(ConfigKey.AGENT_LIBVIRT_URI).source()).isEqualTo(ConfigSource.DEFAULT);
    assertThat(config.warnings()).isEmpty();
  }

  @Test
  void commandLineBeatsEnvironmentBeatsEnvFileBeatsDefault() throws Exception {
    writeEnvFile(
        "AGENT_BACKEND_URL=https://from-file.example.com",
        "AGENT_NAME=from-file",
        "AGENT_LIBVIRT_URI=test:///from-file",
        "AGENT_METRICS_INTERVAL=120");
    env.put("AGENT_NAME", "from-env");
    env.put("AGENT_LIBVIRT_URI", "test:///from-env");

    AgentConfig config = load(Map.of("AGENT_LIBVIRT_URI", "test:///from-cli"));

    assertThat(config.libvirtUri()).isEqualTo("test:///from-cli");
    assertThat(config.origin(ConfigKey.AGENT_LIBVIRT_URI).source())
        .isEqualTo(ConfigSource.COMMAND_LINE);
    assertThat(config.agentName()).isEqualTo("from-env");
    assertThat(config.origin(ConfigKey.AGENT_NAME).source()).isEqualTo(ConfigSource.ENVIRONMENT);
    assertThat(config.metricsInterval()).isEqualTo(Duration.ofMinutes(2));
    assertThat(config.origin(ConfigKey.AGENT_METRICS_INTERVAL).source())
        .isEqualTo(ConfigSource.ENV_FILE);
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.origin(ConfigKey.AGENT_HEARTBEAT_INTERVAL).source())
        .isEqualTo(ConfigSource.DEFAULT);
  }

  @Test
  void anEmptyValueFallsThroughToTheNextSource() throws Exception {
    writeEnvFile(
        "AGENT_BACKEND_URL=https://b.example.com", "AGENT_LOG_FILE=", "AGENT_NAME=file-name");
    env.put("AGENT_NAME", "");
    AgentConfig config = load(Map.of());
    assertThat(config.logFile()).isEmpty();
    assertThat(config.agentName()).isEqualTo("file-name");
  }

  @Test
  void everyProblemIsReportedAtOnceWithKeyValueAndExpectation() {
    env.put("AGENT_BACKEND_URL", "http://backend.example.com");
    env.put("AGENT_HEARTBEAT_INTERVAL", "0");
    env.put("AGENT_METRICS_INTERVAL", "often");
    env.put("AGENT_LOG_LEVEL", "LOUD");
    env.put("AGENT_SSL_CERT_PATH", envFile.toString());
    env.put("AGENT_RETRY_BACKOFF", "0.5");

    ConfigException e =
        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> load(Map.of())).actual();

    assertThat(e.problems())
        .extracting(ConfigProblem::key)
        .containsExactlyInAnyOrder(
            "AGENT_BACKEND_URL",
            "AGENT_HEARTBEAT_INTERVAL",
            "AGENT_METRICS_INTERVAL",
            "AGENT_LOG_LEVEL",
            "AGENT_SSL_KEY_PATH",
            "AGENT_RETRY_BACKOFF");
    assertThat(e.getMessage())
        .contains("AGENT_BACKEND_URL=http://backend.example.com: must use https://")
        .contains("AGENT_HEARTBEAT_INTERVAL=0: must be positive")
        .contains(
            "AGENT_METRICS_INTERVAL=often: expected a whole number of seconds between 5 and 86400")
        .contains("AGENT_LOG_LEVEL=LOUD: expected one of DEBUG, INFO, WARNING, ERROR, CRITICAL")
        .contains("AGENT_SSL_KEY_PATH: is required when AGENT_SSL_CERT_PATH is set");
  }

  @ParameterizedTest
  @CsvSource({
    "AGENT_HEARTBEAT_INTERVAL, 864000",
    "AGENT_HEARTBEAT_INTERVAL, -5",
    "AGENT_HEARTBEAT_INTERVAL, 4",
    "AGENT_METRICS_INTERVAL, 0",
    "AGENT_API_TIMEOUT, 1.5",
    "AGENT_RETRY_ATTEMPTS, 0",
    "AGENT_RETRY_ATTEMPTS, 100",
    "AGENT_UPDATE_CHECK_INTERVAL, 10",
    "AGENT_STOP_TIMEOUT, abc",
    "AGENT_SSL_VERIFY, maybe",
    "AGENT_AUTO_REGISTER, 2",
    "AGENT_LOG_FORMAT, xml",
    "AGENT_PROMETHEUS_LISTEN, 127.0.0.1:99999",
    "AGENT_PROMETHEUS_LISTEN, localhost:http",
    "AGENT_DEFINE_ALLOWED_PATHS, relative/dir",
    "AGENT_DEFINE_ALLOWED_PATHS, /srv/boot:/srv/../etc",
    "AGENT_DEFINE_ALLOWED_PATHS, /",
    "AGENT_LIBVIRT_URI, no-scheme",
    "AGENT_BACKEND_URL, ftp://backend.example.com",
    "AGENT_BACKEND_URL, https://backend.example.com/?token=x",
    "AGENT_ID, ../../etc/passwd",
    "AGENT_NAME, ''",
    "AGENT_HEALTH_DISK_FREE_PERCENT, 101",
    "AGENT_HEALTH_INODES_FREE_PERCENT, 5%",
    "AGENT_HEALTH_MEMORY_AVAILABLE_PERCENT, NaN",
    "AGENT_HEALTH_SWAP_USED_PERCENT, -1",
    "AGENT_HEALTH_LOAD_PER_CORE, high",
  })
  void refusesValuesOutOfBoundsOrOfTheWrongType(String key, String value) {
    env.put("AGENT_BACKEND_URL", "https://backend.example.com");
    env.put(key, value);
    if (value.isEmpty()) {
      return; // an empty value means unset, covered by anEmptyValueFallsThroughToTheNextSource
    }
    ConfigException e =
        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> load(Map.of())).actual();
    assertThat(e.problems()).extracting(ConfigProblem::key).containsExactly(key);
  }

  @Test
  void resourceThresholdsAreReadAsDecimalsAndAWrongOneSaysWhatIsExpected() throws Exception {
    env.put("AGENT_BACKEND_URL", "https://backend.example.com");
    env.put("AGENT_HEALTH_DISK_FREE_PERCENT", "2.5");
    env.put("AGENT_HEALTH_LOAD_PER_CORE", "0");
    assertThat(load(Map.of()).resourceThresholds())
        .isEqualTo(new ResourceThresholds(2.5, 5, 5, 50, 0));

    env.put("AGENT_HEALTH_SWAP_USED_PERCENT", "150");
    ConfigException e =
        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> load(Map.of())).actual();
    assertThat(e.problems())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.key()).isEqualTo("AGENT_HEALTH_SWAP_USED_PERCENT");
              assertThat(p.shownValue()).isEqualTo("150");
              assertThat(p.expected()).isEqualTo("expected a number between 0.0 and 100.0");
            });
  }

  @Test
  void plainHttpIsAllowedOnlyExplicitlyAndThenWarns() throws Exception {
    env.put("AGENT_BACKEND_URL", "http://backend.example.com");
    env.put("AGENT_ALLOW_INSECURE_HTTP", "true");
    AgentConfig config = load(Map.of());
    assertThat(config.backendUrl())
        .hasValueSatisfying(u -> assertThat(u.getScheme()).isEqualTo("http"));
    assertThat(config.warnings()).anySatisfy(w -> assertThat(w).contains("plain http"));
  }

  @Test
  void credentialsInTheBackendUrlAreRefusedWithoutShowingThem() {
    env.put("AGENT_BACKEND_URL", "https://admin:hunter22@backend.example.com");
    ConfigException e =
        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> load(Map.of())).actual();
    assertThat(e.getMessage()).contains("must not carry credentials").doesNotContain("hunter22");
  }

  @Test
  void sslVerifyOffIsAcceptedWithAWarning() throws Exception {
    env.put("AGENT_BACKEND_URL", "https://backend.example.com");
    env.put("AGENT_SSL_VERIFY", "false");
    AgentConfig config = load(Map.of());
    assertThat(config.sslVerify()).isFalse();
    assertThat(config.warnings()).anySatisfy(w -> assertThat(w).contains("AGENT_SSL_VERIFY=false"));
  }

  @Test
  void aPrivateKeyReadableByOthersIsRefused() throws Exception {
    Path cert = Files.writeString(dir.resolve("cert.pem"), "cert");
    Path key = Files.writeString(dir.resolve("key.pem"), "key");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    env.put("AGENT_BACKEND_URL", "https://backend.example.com");
    env.put("AGENT_SSL_CERT_PATH", cert.toString());
    env.put("AGENT_SSL_KEY_PATH", key.toString());

    ConfigException e =
        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> load(Map.of())).actual();
    assertThat(e.getMessage())
        .contains("AGENT_SSL_KEY_PATH=" + key)
        .contains("readable by every user");

    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    assertThat(load(Map.of()).sslKeyPath()).contains(key);
  }

  @Test
  void anEnvFileHoldingTheTokenMustNotBeWorldReadable() throws Exception {
    writeEnvFile("AGENT_BACKEND_URL=https://b.example.com", "AGENT_TOKEN=bootstrap-secret-1234");
    Files.setPosixFilePermissions(envFile, PosixFilePermissions.fromString("rw-r--r--"));
    ConfigException e =
        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> load(Map.of())).actual();
    assertThat(e.getMessage())
        .contains("AGENT_CONFIG_FILE")
        .contains("holds AGENT_TOKEN")
        .doesNotContain("bootstrap-secret-1234");
  }

  @Test
  void secretsAreMaskedInProblemsAndInTheRedactedView() throws Exception {
    env.put("AGENT_BACKEND_URL", "https://backend.example.com");
    env.put("AGENT_TOKEN", "tok-very-secret-value");
    AgentConfig config = load(Map.of());
    assertThat(config.token())
        .hasValueSatisfying(t -> assertThat(t.reveal()).isEqualTo("tok-very-secret-value"));
    assertThat(config.token().orElseThrow().toString()).isEqualTo("***");
    assertThat(config.redacted()).containsEntry("AGENT_TOKEN", "***");
    assertThat(config.toString()).doesNotContain("tok-very-secret-value");
  }

  @Test
  void unknownAgentKeysWarnWithTheClosestKnownKey() throws Exception {
    writeEnvFile("AGENT_BACKEND_URL=https://b.example.com", "AGENT_HEARTBEAT_INTERVALL=10");
    env.put("AGENT_LOG_LEVL", "DEBUG");
    env.put("PATH", "/usr/bin");
    AgentConfig config = load(Map.of());
    assertThat(config.warnings())
        .anySatisfy(
            w -> assertThat(w).contains("AGENT_LOG_LEVL").contains("did you mean AGENT_LOG_LEVEL?"))
        .anySatisfy(
            w ->
                assertThat(w)
                    .contains("AGENT_HEARTBEAT_INTERVALL")
                    .contains("did you mean AGENT_HEARTBEAT_INTERVAL?"))
        .noneSatisfy(w -> assertThat(w).contains("PATH"));
  }

  @Test
  void anUnknownKeyOnTheCommandLineIsAnError() {
    env.put("AGENT_BACKEND_URL", "https://b.example.com");
    ConfigException e =
        assertThatExceptionOfType(ConfigException.class)
            .isThrownBy(() -> load(Map.of("AGENT_HEARTBEAT", "10")))
            .actual();
    assertThat(e.getMessage())
        .contains("AGENT_HEARTBEAT: unknown key; did you mean AGENT_HEARTBEAT_INTERVAL?");
  }

  @Test
  void anExplicitConfigFileThatDoesNotExistIsAnError() throws IOException {
    Files.delete(envFile);
    env.put("AGENT_BACKEND_URL", "https://b.example.com");
    ConfigException e =
        assertThatExceptionOfType(ConfigException.class).isThrownBy(() -> load(Map.of())).actual();
    assertThat(e.getMessage()).contains("AGENT_CONFIG_FILE=" + envFile + ": file does not exist");
  }

  @Test
  void theBackendUrlIsOptionalForLocalCommands() throws Exception {
    AgentConfig config = new ConfigLoader(Map.of(), env).requireBackend(false).load();
    assertThat(config.backendUrl()).isEmpty();
  }

  @Test
  void aGeneratedAgentIdIsPersistedAndReusedAcrossStarts() throws Exception {
    env.put("AGENT_BACKEND_URL", "https://b.example.com");
    writeEnvFile("AGENT_NAME=x");
    AgentConfig first = new ConfigLoader(Map.of(), env).persistAgentId(true).load();
    assertThat(first.agentId()).isPresent();
    assertThat(first.origin(ConfigKey.AGENT_ID).source()).isEqualTo(ConfigSource.GENERATED);
    Path idFile = dir.resolve("state").resolve("agent-id");
    assertThat(idFile).content().isEqualToIgnoringNewLines(first.agentId().get());

    AgentConfig second = new ConfigLoader(Map.of(), env).persistAgentId(true).load();
    assertThat(second.agentId()).isEqualTo(first.agentId());
    assertThat(second.origin(ConfigKey.AGENT_ID).source()).isEqualTo(ConfigSource.STATE_DIR);
  }

  @Test
  void anExplicitAgentIdWinsOverThePersistedOneAndIsNotWritten() throws Exception {
    env.put("AGENT_BACKEND_URL", "https://b.example.com");
    env.put("AGENT_ID", "host-42");
    writeEnvFile("AGENT_NAME=x");
    AgentConfig config = new ConfigLoader(Map.of(), env).persistAgentId(true).load();
    assertThat(config.agentId()).contains("host-42");
    assertThat(dir.resolve("state").resolve("agent-id")).doesNotExist();
  }

  @Test
  void aCheckWithoutPersistingDoesNotWriteTheStateDirectory() throws Exception {
    env.put("AGENT_BACKEND_URL", "https://b.example.com");
    writeEnvFile("AGENT_NAME=x");
    AgentConfig config = new ConfigLoader(Map.of(), env).load();
    assertThat(config.agentId()).isEmpty();
    assertThat(dir.resolve("state")).doesNotExist();
  }

  @Test
  void aCorruptPersistedAgentIdIsReportedNotReplaced() throws Exception {
    env.put("AGENT_BACKEND_URL", "https://b.example.com");
    writeEnvFile("AGENT_NAME=x");
    Files.createDirectories(dir.resolve("state"));
    Files.writeString(dir.resolve("state/agent-id"), "not a valid id!\n");
    ConfigException e =
        assertThatExceptionOfType(ConfigException.class)
            .isThrownBy(() -> new ConfigLoader(Map.of(), env).persistAgentId(true).load())
            .actual();
    assertThat(e.getMessage()).contains("AGENT_ID").contains("no valid agent id");
    assertThat(dir.resolve("state/agent-id")).content().isEqualTo("not a valid id!\n");
  }

  @Test
  void logLevelsOfTheSpecMapOntoSlf4j() {
    assertThat(LogLevel.parse("warning")).contains(LogLevel.WARNING);
    assertThat(LogLevel.parse("WARN")).contains(LogLevel.WARNING);
    assertThat(LogLevel.WARNING.slf4jLevel()).isEqualTo("WARN");
    assertThat(LogLevel.CRITICAL.slf4jLevel()).isEqualTo("ERROR");
    assertThat(LogLevel.parse("TRACE")).isEmpty();
  }

  @Test
  void prometheusListenDefaultsToLoopbackWhenOnlyAPortIsGiven() throws Exception {
    Map<String, String> cli = new HashMap<>();
    cli.put("AGENT_PROMETHEUS_LISTEN", "9177");
    env.put("AGENT_BACKEND_URL", "https://b.example.com");
    AgentConfig config = load(cli);
    assertThat(config.prometheusListen())
        .hasValueSatisfying(
            a -> {
              assertThat(a.getHostString()).isEqualTo("127.0.0.1");
              assertThat(a.getPort()).isEqualTo(9177);
            });
  }

  @Test
  void defineAllowedPathsAreColonSeparatedDirectories() throws Exception {
    env.put("AGENT_BACKEND_URL", "https://b.example.com");
    assertThat(load(Map.of()).defineAllowedPaths()).isEmpty();

    env.put("AGENT_DEFINE_ALLOWED_PATHS", "/srv/boot:/var/lib/images/");

    assertThat(load(Map.of()).defineAllowedPaths())
        .containsExactly(Path.of("/srv/boot"), Path.of("/var/lib/images"));
  }
}
