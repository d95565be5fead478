package io.vmagent.agent.backend;

import io.vmagent.agent.state.StateDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's key and the client certificate the backend issues for it: kept in the state directory
 * ({@code agent-key.pem}, {@code agent-cert.pem}), presented on every new connection, and replaced
 * without an outage: a renewed certificate is used at once, the previous one is kept until a
 * request with the new one has worked, and brought back if the new one is refused. A certificate
 * configured by the operator ({@code AGENT_SSL_CERT_PATH}) takes precedence: then the issued one is
 * never presented.
 */
public final class Enrollment {
  /** The certificate's file name inside the state directory. */
  public static final String CERTIFICATE_FILE = "agent-cert.pem";

  private static final String PREVIOUS_FILE = "agent-cert.previous.pem";
  private static final Logger log = LoggerFactory.getLogger(Enrollment.class);

  private final Path stateDir;
  private final TlsSettings settings;
  private final HttpTransport transport;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final Object lock = new Object();
  private AgentKey key; // guarded by lock
  private EnrolledCertificate current; // guarded by lock
  private boolean unconfirmed; // guarded by lock
  private boolean withdrawn; // guarded by lock

  /**
   * Reads what the state directory holds; presents a kept, unexpired certificate at once. {@code
   * clock} only dates a kept certificate's file; lifetimes run on the monotonic clock.
   */
  public Enrollment(Path stateDir, TlsSettings settings, HttpTransport transport, Clock clock)
      throws IOException {
    this(stateDir, settings, transport, clock, System::nanoTime);
  }

  Enrollment(
      Path stateDir,
      TlsSettings settings,
      HttpTransport transport,
      Clock clock,
      LongSupplier nanoTime)
      throws IOException {
    this.stateDir = stateDir;
    this.settings = settings;
    this.transport = transport;
    this.clock = clock;
    this.nanoTime = nanoTime;
    this.current = read(stateDir.resolve(CERTIFICATE_FILE)).orElse(null);
    if (presentsIssuedCertificate() && current != null && !current.expired(nanoTime.getAsLong())) {
      present(current);
    }
  }

  /** Whether the issued certificate is presented (no operator-configured one takes precedence). */
  public boolean presentsIssuedCertificate() {
    return !settings.mutual();
  }

  /** Where the agent's key is kept. */
  public Path keyFile() {
    return stateDir.resolve(AgentKey.FILE_NAME);
  }

  /** Whether a key was kept from an earlier run, so the id may already be bound to it. */
  public boolean hasKey() {
    synchronized (lock) {
      return key != null || AgentKey.exists(stateDir);
    }
  }

  /** The agent's key, generated on first use. */
  public AgentKey key() throws IOException {
    synchronized (lock) {
      if (key == null) {
        boolean existed = AgentKey.exists(stateDir);
        key = AgentKey.loadOrCreate(stateDir);
        if (!existed) {
          log.info(
              "generated the agent's key in {} (mode 0600); the backend binds this agent's id to"
                  + " it",
              stateDir.resolve(AgentKey.FILE_NAME));
        }
      }
      return key;
    }
  }

  /** The issued certificate, if the agent has one. */
  public Optional<EnrolledCertificate> certificate() {
    synchronized (lock) {
      return Optional.ofNullable(current);
    }
  }

  /** Whether a certificate should be fetched now: none yet, or two thirds of its life used. */
  public boolean renewalDue(long nowNanos) {
    synchronized (lock) {
      return presentsIssuedCertificate() && (current == null || nowNanos >= current.renewAt());
    }
  }

  /**
   * From when on a certificate should be fetched ({@link #renewalDue} turns true, and {@link
   * #expired} only later), on the monotonic clock: {@link Long#MIN_VALUE} while there is none,
   * {@link Long#MAX_VALUE} when an operator-configured certificate is presented instead.
   */
  public long renewalAt() {
    synchronized (lock) {
      if (!presentsIssuedCertificate()) {
        return Long.MAX_VALUE;
      }
      return current == null ? Long.MIN_VALUE : current.renewAt();
    }
  }

  /** Whether the kept certificate expired (the agent was offline too long): register again. */
  public boolean expired(long nowNanos) {
    synchronized (lock) {
      return presentsIssuedCertificate() && current != null && current.expired(nowNanos);
    }
  }

  /**
   * Stops presenting a certificate that expired (the handshake would fail with it, before the agent
   * could register again); true when it did.
   */
  public boolean withdrawIfExpired(long nowNanos) throws IOException {
    synchronized (lock) {
      if (!expired(nowNanos) || withdrawn) {
        return false;
      }
      withdrawn = true;
      transport.useTls(TlsContexts.create(settings));
      log.warn(
          "the client certificate expired at {} while the agent was away; registering again with"
              + " the agent's key",
          current.leaf().getNotAfter().toInstant());
      return true;
    }
  }

  /**
   * Takes a certificate the backend issued: it must be for this agent's key. It is stored, the
   * previous one kept aside, and new connections present it from now on.
   *
   * @param serverTime the backend's clock in the answer that brought it; null from an older backend
   */
  public void accept(String pem, Instant serverTime) throws IOException {
    if (!presentsIssuedCertificate()) {
      return;
    }
    List<X509Certificate> chain = PemFiles.certificates(pem, "the backend's client certificate");
    synchronized (lock) {
      if (!chain.get(0).getPublicKey().equals(key().publicKey())) {
        throw new IOException(
            "the backend issued a client certificate for another key; it is not used");
      }
      Path file = stateDir.resolve(CERTIFICATE_FILE);
      if (Files.exists(file)) {
        Files.copy(
            file,
            stateDir.resolve(PREVIOUS_FILE),
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.COPY_ATTRIBUTES);
      }
      StateDir.writeAtomically(file, pem.getBytes(StandardCharsets.US_ASCII));
      current =
          new EnrolledCertificate(
              chain, nanoTime.getAsLong(), EnrolledCertificate.usableFor(chain.get(0), serverTime));
      unconfirmed = true;
      withdrawn = false;
      present(current);
      log.info(
          "client certificate {} stored in {}, valid until {}; renewal in {} s",
          chain.get(0).getSubjectX500Principal().getName(),
          file,
          chain.get(0).getNotAfter().toInstant(),
          (current.renewAt() - current.receivedNanos()) / 1_000_000_000L);
    }
  }

  /** A request with the newest certificate worked: the previous one is no longer needed. */
  public void confirm() {
    synchronized (lock) {
      if (!unconfirmed) {
        return;
      }
      unconfirmed = false;
      try {
        Files.deleteIfExists(stateDir.resolve(PREVIOUS_FILE));
      } catch (IOException e) {
        log.debug("cannot delete the previous client certificate: {}", e.toString());
      }
    }
  }

  /**
   * The backend refused the newest certificate's handshake: go back to the previous one while it is
   * valid. True when the previous one is presented again.
   */
  public boolean revert() throws IOException {
    synchronized (lock) {
      Path previous = stateDir.resolve(PREVIOUS_FILE);
      if (!unconfirmed || !Files.exists(previous)) {
        return false;
      }
      Optional<EnrolledCertificate> old = read(previous);
      if (old.isEmpty() || old.get().expired(nanoTime.getAsLong())) {
        return false;
      }
      Files.move(
          previous,
          stateDir.resolve(CERTIFICATE_FILE),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
      current = read(stateDir.resolve(CERTIFICATE_FILE)).orElseThrow();
      unconfirmed = false;
      present(current);
      log.warn("the backend refused the new client certificate; presenting the previous one again");
      return true;
    }
  }

  private void present(EnrolledCertificate certificate) throws IOException {
    transport.useTls(
        TlsContexts.create(settings, new TlsContexts.ClientIdentity(key(), certificate.chain())));
  }

  /**
   * A kept certificate: received when its file was written, as far as this host's clock can tell (a
   * file dated in the future counts as just received).
   */
  private Optional<EnrolledCertificate> read(Path file) throws IOException {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      List<X509Certificate> chain = PemFiles.certificates(file);
      Duration age = Duration.between(Files.getLastModifiedTime(file).toInstant(), clock.instant());
      long now = nanoTime.getAsLong();
      long received = age.isNegative() ? now : now - Math.min(age.toNanos(), Long.MAX_VALUE / 4);
      return Optional.of(
          new EnrolledCertificate(
              chain, received, EnrolledCertificate.usableFor(chain.get(0), null)));
    } catch (IOException e) {
      log.warn("{} is unreadable ({}); the agent gets a new certificate", file, e.getMessage());
      return Optional.empty();
    }
  }
}
