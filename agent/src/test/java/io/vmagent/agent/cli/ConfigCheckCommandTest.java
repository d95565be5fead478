package io.vmagent.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.testing.TestPki;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ConfigCheckCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cli = VmAgentCommand.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }

  private Path envFile(String... lines) throws Exception {
    Path file = dir.resolve("agent.env");
    Files.writeString(file, String.join("\n", lines));
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    return file;
  }

  @Test
  void printsEveryValueWithItsSourceAndMasksSecrets() throws Exception {
    Path file =
        envFile(
            "AGENT_BACKEND_URL=https://backend.example.com", "AGENT_TOKEN=s3cret-bootstrap-token");

    int exit =
        run(
            "config",
            "check",
            "--config-file",
            file.toString(),
            "--state-dir",
            dir.toString(),
            "--set",
            "AGENT_HEARTBEAT_INTERVAL=10");

    assertThat(exit).isZero();
    assertThat(out.toString())
        .containsPattern("AGENT_BACKEND_URL\\s+https://backend.example.com\\s+env file")
        .containsPattern("AGENT_TOKEN\\s+\\*\\*\\*\\s+env file")
        .containsPattern("AGENT_HEARTBEAT_INTERVAL\\s+10\\s+command line")
        .containsPattern("AGENT_LIBVIRT_URI\\s+qemu:///system\\s+default")
        .containsPattern("AGENT_ID\\s+\\(generated at first run\\)")
        .contains("configuration is valid")
        .doesNotContain("cannot register")
        .doesNotContain("s3cret-bootstrap-token");
  }

  @Test
  void warnsWhenTheAgentHasNoTokenAndNoCredentialsToRegisterWith() throws Exception {
    Path file = envFile("AGENT_BACKEND_URL=https://backend.example.com");

    int exit =
        run("config", "check", "--config-file", file.toString(), "--state-dir", dir.toString());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains(
            "warning: AGENT_TOKEN is not set and no credentials are kept in "
                + dir.resolve("credentials.json")
                + ": the agent cannot register")
        .contains("configuration is valid");

    Files.writeString(dir.resolve("credentials.json"), "{}");
    out.getBuffer().setLength(0);
    run("config", "check", "--config-file", file.toString(), "--state-dir", dir.toString());
    assertThat(out.toString()).doesNotContain("cannot register");
  }

  @Test
  void exitsWith78AndListsEveryProblemWhenInvalid() throws Exception {
    Path file =
        envFile(
            "AGENT_BACKEND_URL=http://backend.example.com",
            "AGENT_TOKEN=s3cret-bootstrap-token",
            "AGENT_METRICS_INTERVAL=-1",
            "AGENT_LOG_LEVEL=VERBOSE");

    int exit =
        run("config", "check", "--config-file", file.toString(), "--state-dir", dir.toString());

    assertThat(exit).isEqualTo(78);
    assertThat(err.toString())
        .contains("AGENT_BACKEND_URL=http://backend.example.com")
        .contains("AGENT_METRICS_INTERVAL=-1")
        .contains("AGENT_LOG_LEVEL=VERBOSE")
        .doesNotContain("s3cret-bootstrap-token");
  }

  @Test
  void readsTheTlsFilesAndSaysWhatIsTrustedAndPresented() throws Exception {
    TestPki pki = TestPki.create("fleet-ca");
    TestPki.Issued client = pki.issue("host-17", TestPki.ec());
    Path ca = dir.resolve("ca.pem");
    Path cert = dir.resolve("agent-cert.pem");
    Path key = dir.resolve("agent-key.pem");
    TestPki.writeCertificates(ca, pki.ca);
    TestPki.writeCertificates(cert, client.certificate());
    TestPki.writeTraditionalKey(key, client.keys());
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    Path file =
        envFile(
            "AGENT_BACKEND_URL=https://backend.example.com",
            "AGENT_SSL_CA_PATH=" + ca,
            "AGENT_SSL_CERT_PATH=" + cert,
            "AGENT_SSL_KEY_PATH=" + key);

    int exit =
        run("config", "check", "--config-file", file.toString(), "--state-dir", dir.toString());

    assertThat(exit).as(err.toString()).isZero();
    assertThat(out.toString())
        .contains("TLS: trusts only the 1 CA certificate in " + ca)
        .contains("TLS: presents the client certificate CN=host-17 (EC key) from " + cert)
        // The test PKI issues for a day: within the 30 days an operator is warned about.
        .contains("warning: the client certificate CN=host-17 in " + cert + " expires on")
        .contains("configuration is valid");
  }

  @Test
  void aKeyOfAnotherPairIsA78NamingTheFilesAndNoKeyMaterial() throws Exception {
    TestPki pki = TestPki.create("fleet-ca");
    Path cert = dir.resolve("agent-cert.pem");
    Path key = dir.resolve("agent-key.pem");
    TestPki.writeCertificates(cert, pki.issue("host-17", TestPki.rsa()).certificate());
    TestPki.writeTraditionalKey(key, TestPki.rsa());
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    String keyText = Files.readAllLines(key).get(1);
    Path file =
        envFile(
            "AGENT_BACKEND_URL=https://backend.example.com",
            "AGENT_SSL_CERT_PATH=" + cert,
            "AGENT_SSL_KEY_PATH=" + key);

    int exit =
        run("config", "check", "--config-file", file.toString(), "--state-dir", dir.toString());

    assertThat(exit).isEqualTo(78);
    assertThat(err.toString())
        .contains("TLS files unusable: " + key + " is not the key of the certificate in " + cert)
        .doesNotContain(keyText);
    assertThat(out.toString()).doesNotContain("configuration is valid");
  }

  @Test
  void saysWhichIssuedCertificateIsPresentedFromWhereAndUntilWhen() throws Exception {
    Path file = envFile("AGENT_BACKEND_URL=https://backend.example.com");
    Path state = Files.createDirectories(dir.resolve("state"));

    assertThat(
            run(
                "config",
                "check",
                "--config-file",
                file.toString(),
                "--state-dir",
                state.toString()))
        .isZero();
    assertThat(out.toString()).contains("TLS: no client certificate yet");

    TestPki pki = TestPki.create("fleet-ca");
    TestPki.Issued issued = pki.issue("host-17", TestPki.ec());
    TestPki.writeCertificates(state.resolve("agent-cert.pem"), issued.certificate());
    out.getBuffer().setLength(0);
    assertThat(
            run(
                "config",
                "check",
                "--config-file",
                file.toString(),
                "--state-dir",
                state.toString()))
        .isZero();
    assertThat(out.toString())
        .contains(
            "TLS: presents the client certificate CN=host-17 issued for the agent's key at"
                + " enrollment, from "
                + state.resolve("agent-cert.pem")
                + ", valid until "
                + issued.certificate().getNotAfter().toInstant());
  }

  @Test
  void unknownOptionsAreAUsageError() {
    assertThat(run("config", "check", "--no-such-option")).isEqualTo(2);
  }

  @Test
  void versionPrintsTheAgentVersion() {
    assertThat(run("version")).isZero();
    assertThat(out.toString()).startsWith("vm-agent ").contains("java");
  }
}
