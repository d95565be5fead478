package io.vmagent.backend;

import io.vmagent.backend.client.TlsTrust;
import io.vmagent.backend.tls.Pem;
import io.vmagent.protocol.ClientCertificate;
import io.vmagent.protocol.IdentityChallenge;
import io.vmagent.protocol.IdentityProof;
import io.vmagent.protocol.ProtocolPaths;
import io.vmagent.protocol.RegisterRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * A protocol-2 agent in tests: its own P-256 key, registrations with that key (and proofs of it),
 * and clients that present the certificate the backend issued for it.
 */
final class KeyedAgent {
  final String agentId;
  final KeyPair keys;
  private final URI baseUrl;
  private final Path caPem;
  private final Path dir;
  String accessToken;
  String refreshToken;
  String certificatePem;

  KeyedAgent(String agentId, URI baseUrl, Path caPem, Path dir) {
    this.agentId = agentId;
    this.keys = newKeys();
    this.baseUrl = baseUrl;
    this.caPem = caPem;
    this.dir = dir;
  }

  static KeyPair newKeys() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  String publicKey() {
    return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
  }

  /** The registration request with this agent's key and, when not null, a proof. */
  RegisterRequest request(IdentityProof proof) {
    return TestAgent.identity(agentId, null)
        .withKey(ProtocolPaths.PROTOCOL_VERSION, publicKey(), proof);
  }

  /** A proof over a fresh challenge, signed with {@code signer}. */
  IdentityProof proof(ContractClient client, PrivateKey signer) {
    IdentityChallenge challenge =
        client.post(ProtocolPaths.challenge(agentId), null, null).as(IdentityChallenge.class);
    return new IdentityProof(challenge.challenge(), sign(signer, agentId, challenge.challenge()));
  }

  static String sign(PrivateKey key, String agentId, String challenge) {
    try {
      Signature signer = Signature.getInstance(IdentityProof.ALGORITHM);
      signer.initSign(key);
      signer.update(IdentityProof.signedText(agentId, challenge).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Registers with a bootstrap token (and no proof); keeps the tokens and certificate. */
  ContractClient.Answer register(ContractClient client, String bootstrapToken) {
    return keep(client.post(ProtocolPaths.REGISTER, bootstrapToken, request(null)));
  }

  /** Registers with a proof of its key and no bootstrap token. */
  ContractClient.Answer registerWithProof(ContractClient client) {
    return keep(
        client.post(ProtocolPaths.REGISTER, null, request(proof(client, keys.getPrivate()))));
  }

  private ContractClient.Answer keep(ContractClient.Answer answer) {
    if (answer.status() == 200) {
      var json = answer.json();
      accessToken = json.get("access_token").asText();
      refreshToken = json.get("refresh_token").asText();
      certificatePem = json.path("client_certificate").asText(null);
    }
    return answer;
  }

  /** Renews the certificate over the authenticated endpoint. */
  ClientCertificate renew(ContractClient client) {
    ClientCertificate renewed =
        client
            .post(ProtocolPaths.certificate(agentId), accessToken, null)
            .as(ClientCertificate.class);
    certificatePem = renewed.certificate();
    return renewed;
  }

  /** A client presenting {@code certificate} (PEM) with this agent's key. */
  ContractClient presenting(String certificate) {
    return presenting(certificate, keys.getPrivate(), "cert-" + System.nanoTime());
  }

  /** A client presenting the agent's current certificate. */
  ContractClient withCertificate() {
    return presenting(certificatePem);
  }

  ContractClient presenting(String certificate, PrivateKey key, String name) {
    try {
      Path cert = dir.resolve(agentId + "-" + name + ".pem");
      Path keyFile = dir.resolve(agentId + "-" + name + "-key.pem");
      Files.writeString(cert, certificate, StandardCharsets.US_ASCII);
      Files.writeString(keyFile, Pem.privateKey(key), StandardCharsets.US_ASCII);
      return new ContractClient(baseUrl, TlsTrust.context(caPem, cert, keyFile));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
