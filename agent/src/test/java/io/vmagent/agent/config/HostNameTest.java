package io.vmagent.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostNameTest {
  @TempDir Path dir;

  // The lookups below throw on purpose: a resolver that fails cannot be arranged on a test host.
  private static String unresolvable() throws UnknownHostException {
    throw new UnknownHostException("no address for this host (injected)");
  }

  @Test
  void agentNameDefaultsToTheHostName() throws Exception {
    Path envFile = dir.resolve("agent.env");
    Files.writeString(envFile, "");
    Files.setPosixFilePermissions(envFile, PosixFilePermissions.fromString("rw-r-----"));
    Map<String, String> env =
        Map.of("AGENT_CONFIG_FILE", envFile.toString(), "AGENT_STATE_DIR", dir.toString());

    AgentConfig config = new ConfigLoader(Map.of(), env).requireBackend(false).load();

    assertThat(config.agentName()).isEqualTo(InetAddress.getLocalHost().getHostName());
    assertThat(config.origin(ConfigKey.AGENT_NAME).source()).isEqualTo(ConfigSource.DEFAULT);
  }

  @Test
  void anUnresolvableHostIsNamedByEtcHostname() throws Exception {
    Path file = dir.resolve("hostname");
    Files.writeString(file, "hv-17\n");

    assertThat(HostName.resolve(HostNameTest::unresolvable, file)).isEqualTo("hv-17");
  }

  @Test
  void aBlankOrUnprintableNameIsNotUsed() throws Exception {
    Path file = dir.resolve("hostname");
    Files.writeString(file, "hv-18\n");

    assertThat(HostName.resolve(() -> " ", file)).isEqualTo("hv-18");
    assertThat(HostName.resolve(() -> "hv\u001b[31m", file)).isEqualTo("hv-18");
  }

  @Test
  void withNeitherTheNameIsVmAgent() {
    assertThat(HostName.resolve(HostNameTest::unresolvable, dir.resolve("absent")))
        .isEqualTo("vm-agent");
  }
}
