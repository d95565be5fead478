package io.vmagent.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmagent.backend.RunningBackend;
import io.vmagent.backend.config.ClientAuth;
import io.vmagent.testing.AgentProcess;
import io.vmagent.testing.AgentProcess.Completed;
import io.vmagent.testing.TestPki;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jar as shipped ({@code agent/target/vm-agent.jar}, built in the package phase): its trimmed
 * BouncyCastle still holds every class the agent can reach, and it reads every PEM form and speaks
 * mutual TLS to a real backend. The other suites run the agent from its class path, with the whole
 * of BouncyCastle.
 */
class ShadedJarTest {
  private static final Path JAR =
      Path.of(System.getProperty("vmagent.agent.jar", "../agent/target/vm-agent.jar"));
  // An EC PARAMETERS block (prime256v1), as `openssl ecparam -genkey` writes before the key.
  private static final String EC_PARAMETERS =
      "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";

  // Only this test writes encrypted keys (OpenSSL's key derivation is BouncyCastle's provider's).
  private static final java.security.Provider WRITER_PROVIDER =
      new org.bouncycastle.jce.provider.BouncyCastleProvider();

  @TempDir Path dir;
  private RunningBackend backend;

  @BeforeAll
  static void jarIsBuilt() {
    // `mvn verify` (bin/test) always builds it first; a bare `mvn test` has no jar to check.
    assumeTrue(Files.isRegularFile(JAR), JAR + " is not built: run mvn verify");
  }

  @AfterEach
  void stop() throws Exception {
    E2e.close(backend);
  }

  @Test
  void everyBouncyCastleClassTheJarCanReachIsInIt() {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int exit =
        jdeps.run(
            new PrintStream(out, true, StandardCharsets.UTF_8),
            System.err,
            "--multi-release",
            "17",
            "-verbose:class",
            "-filter:none",
            JAR.toString());
    assertThat(exit).isZero();

    // Class -> the classes it names; the multi-release prefix (9/, 11/...) does not matter here.
    Pattern edge = Pattern.compile("^\\s+(?:\\d+/)?(\\S+)\\s+->\\s+(?:\\d+/)?(\\S+)\\s+\\S+");
    Map<String, Set<String>> references = new HashMap<>();
    for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
      Matcher m = edge.matcher(line);
      if (m.find()) {
        references.computeIfAbsent(m.group(1), k -> new HashSet<>()).add(m.group(2));
      }
    }
    // Everything outside BouncyCastle ships whole, so all of it is a root.
    ArrayDeque<String> todo = new ArrayDeque<>();
    Set<String> reached = new HashSet<>();
    references.keySet().stream()
        .filter(c -> !c.startsWith("org.bouncycastle."))
        .forEach(
            c -> {
              reached.add(c);
              todo.add(c);
            });
    Set<String> missing = new TreeSet<>();
    while (!todo.isEmpty()) {
      String from = todo.poll();
      for (String to : references.getOrDefault(from, Set.of())) {
        if (!to.startsWith("org.bouncycastle.")) {
          continue;
        }
        if (!references.containsKey(to)) {
          missing.add(to + " (named by " + from + ")");
        } else if (reached.add(to)) {
          todo.add(to);
        }
      }
    }

    assertThat(reached)
        .as("BouncyCastle's PEM reader is reached")
        .contains("org.bouncycastle.openssl.PEMParser");
    assertThat(missing)
        .as("classes to add to the BouncyCastle includes of agent/pom.xml")
        .isEmpty();
  }

  @Test
  void configCheckOfTheShippedJarReadsEveryPemFormAndRefusesEncryptedKeys() throws Exception {
    TestPki pki = TestPki.create("fleet-ca");
    Path ca = dir.resolve("ca.pem");
    TestPki.writeCertificates(ca, pki.ca);
    for (Form form :
        List.of(
            new Form("rsa-pkcs1", TestPki.rsa(), "RSA key"),
            new Form("rsa-pkcs8", TestPki.rsa(), "RSA key"),
            new Form("ec-sec1-with-parameters", TestPki.ec(), "EC key"),
            new Form("ec-pkcs8", TestPki.ec(), "EC key"),
            new Form("rsa-legacy-encrypted", TestPki.rsa(), "encrypted private key"),
            new Form("ec-pkcs8-encrypted", TestPki.ec(), "encrypted private key"))) {
      Path cert = dir.resolve(form.name() + ".crt");
      Path key = dir.resolve(form.name() + ".key");
      TestPki.writeCertificates(cert, pki.issue("host-" + form.name(), form.keys()).certificate());
      writeKey(key, form);
      Path env = dir.resolve(form.name() + ".env");
      Files.writeString(
          env,
          "AGENT_BACKEND_URL=https://backend.example.com\nAGENT_SSL_CA_PATH="
              + ca
              + "\nAGENT_SSL_CERT_PATH="
              + cert
              + "\nAGENT_SSL_KEY_PATH="
              + key
              + "\n");

      Completed result =
          AgentProcess.run(
              AgentProcess.fromJar(JAR),
              Map.of(),
              "config",
              "check",
              "--config-file",
              env.toString(),
              "--state-dir",
              dir.toString());

      if (form.name().endsWith("encrypted")) {
        assertThat(result.exit()).as(result.output()).isEqualTo(78);
        assertThat(result.output()).contains(key + " holds an encrypted private key");
      } else {
        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output())
            .contains(
                "TLS: presents the client certificate CN=host-"
                    + form.name()
                    + " ("
                    + form.expected()
                    + ")")
            .contains("configuration is valid");
      }
    }
  }

  @Test
  void theShippedJarEnrollsItselfForMutualTlsAndStopsCleanly() throws Exception {
    backend = E2e.backend(dir.resolve("backend"), ClientAuth.REQUIRED, 0, b -> b);
    Map<String, String> settings =
        E2e.agentSettings(
            backend,
            dir.resolve("agent"),
            backend.createBootstrapToken(false, null),
            "test:///default");
    // No certificate configured: the shipped jar generates its key and enrolls itself.
    try (AgentProcess agent = AgentProcess.startJar(JAR, settings, dir.resolve("agent.log"))) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> Files.exists(dir.resolve("agent/state/agent-id")));
      String agentId = E2e.agentId(dir.resolve("agent"));
      await().atMost(Duration.ofSeconds(30)).until(() -> E2e.heartbeatSeen(backend, agentId));
      assertThat(dir.resolve("agent/state/agent-cert.pem")).exists();
      assertThat(backend.operator().showAgent(agentId).keyFingerprint()).isNotNull();

      assertThat(agent.terminate(Duration.ofSeconds(30))).isIn(0, 143);
      assertThat(agent.log()).doesNotContain("Exception").doesNotContain("NoClassDefFoundError");
    }
  }

  private static void writeKey(Path file, Form form) throws Exception {
    switch (form.name()) {
      case "rsa-pkcs1" -> TestPki.writeTraditionalKey(file, form.keys());
      case "ec-sec1-with-parameters" -> {
        TestPki.writeTraditionalKey(file, form.keys());
        Files.writeString(file, EC_PARAMETERS + Files.readString(file));
      }
      case "rsa-legacy-encrypted" -> {
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(file))) {
          writer.writeObject(
              form.keys(),
              new JcePEMEncryptorBuilder("AES-128-CBC")
                  .setProvider(WRITER_PROVIDER)
                  .build("not-the-agents-secret".toCharArray()));
        }
      }
      case "ec-pkcs8-encrypted" -> {
        try (JcaPEMWriter writer = new JcaPEMWriter(Files.newBufferedWriter(file))) {
          writer.writeObject(
              new JcaPKCS8Generator(
                  form.keys().getPrivate(),
                  new JceOpenSSLPKCS8EncryptorBuilder(JcaPKCS8Generator.AES_256_CBC)
                      .setProvider(WRITER_PROVIDER)
                      .setPassword("not-the-agents-secret".toCharArray())
                      .build()));
        }
      }
      default -> TestPki.writePkcs8Key(file, form.keys().getPrivate());
    }
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
  }

  private record Form(String name, KeyPair keys, String expected) {}
}
