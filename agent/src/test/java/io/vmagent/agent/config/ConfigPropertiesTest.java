package io.vmagent.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

/** Random and hostile input never crashes the configuration code and never echoes a secret. */
class ConfigPropertiesTest {
  private static final Path FILE = Path.of("/etc/vm-agent/agent.env");

  @Property(tries = 2000)
  void anyTextParsesIntoValuesOrProblemsWithoutThrowing(
      @ForAll @StringLength(max = 400) String text) {
    EnvFile file = EnvFile.parse(FILE, text);
    assertThat(file.values().keySet()).allMatch(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*"));
    assertThat(file.problems()).allSatisfy(p -> assertThat(p.key()).startsWith(FILE + ":"));
  }

  @Property(tries = 1000)
  void wellFormedAssignmentsRoundTrip(
      @ForAll("keys") String key, @ForAll("plainValues") String value) {
    EnvFile file =
        EnvFile.parse(
            FILE, key + "=\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n");
    assertThat(file.problems()).isEmpty();
    assertThat(file.values()).containsEntry(key, value);
  }

  @Property(tries = 500)
  void anyValueOfAnyKeyGivesAConfigOrAListOfProblemsNeverAnotherException(
      @ForAll("knownKeys") ConfigKey key, @ForAll @StringLength(max = 200) String value) {
    Map<String, String> env = new HashMap<>();
    env.put("AGENT_BACKEND_URL", "https://backend.example.com");
    env.put("AGENT_STATE_DIR", "/nonexistent/vm-agent-state");
    env.put("AGENT_TOKEN", "the-bootstrap-secret-xyz");
    if (key != ConfigKey.AGENT_CONFIG_FILE) {
      env.put(key.name(), value);
    }
    try {
      AgentConfig config = new ConfigLoader(Map.of(), env).load();
      assertThat(config.toString()).doesNotContain("the-bootstrap-secret-xyz");
    } catch (ConfigException e) {
      assertThat(e.problems()).isNotEmpty();
      assertThat(e.getMessage()).doesNotContain("the-bootstrap-secret-xyz");
    }
  }

  @Provide
  Arbitrary<String> keys() {
    return Arbitraries.strings()
        .withCharRange('A', 'Z')
        .ofMinLength(1)
        .ofMaxLength(20)
        .map(s -> "K_" + s);
  }

  @Provide
  Arbitrary<String> plainValues() {
    return Arbitraries.strings()
        .ascii()
        .ofMaxLength(60)
        .filter(s -> !s.contains("\n") && !s.contains("\r"));
  }

  @Provide
  Arbitrary<ConfigKey> knownKeys() {
    return Arbitraries.of(ConfigKey.class);
  }
}
