package io.vmagent.e2e;

import io.vmagent.backend.RunningBackend;
import io.vmagent.testing.TestPki;
import java.nio.file.Path;
import java.util.Map;

/** A {@link FaultProxy} with its own CA in front of a backend, and agent settings that use it. */
final class ProxiedBackend implements AutoCloseable {
  final FaultProxy proxy;
  final Path proxyCa;

  ProxiedBackend(RunningBackend backend, Path dir) throws Exception {
    TestPki pki = TestPki.create("proxy-ca");
    proxyCa = dir.resolve("proxy-ca.pem");
    TestPki.writeCertificates(proxyCa, pki.ca);
    proxy =
        new FaultProxy(
            backend.baseUrl(),
            backend.caCertificatePath(),
            TestPki.serverContext(pki.issue("proxy", TestPki.ec()), null));
  }

  /** Points agent settings at the proxy. */
  Map<String, String> route(Map<String, String> settings) {
    settings.put("AGENT_BACKEND_URL", proxy.url().toString());
    settings.put("AGENT_SSL_CA_PATH", proxyCa.toString());
    return settings;
  }

  @Override
  public void close() {
    proxy.close();
  }
}
