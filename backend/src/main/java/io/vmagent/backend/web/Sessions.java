package io.vmagent.backend.web;

import io.vmagent.backend.auth.Secrets;
import io.vmagent.backend.service.ApiException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dashboard's sessions, kept in this backend's memory: each began with an operator login, ends
 * at logout, after {@link #IDLE} unused or {@link #ABSOLUTE} after login, whichever comes first,
 * and carries the CSRF token every request that changes something must send back.
 */
public final class Sessions {
  /** The session cookie's name. */
  public static final String COOKIE = "vmb_session";

  /** The request header that carries the session's CSRF token. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  /** How long a session lasts unused. */
  public static final Duration IDLE = Duration.ofMinutes(30);

  /** How long a session lasts at most, used or not: the cookie's {@code Max-Age}. */
  public static final Duration ABSOLUTE = Duration.ofHours(12);

  /** Sessions kept at most; past it the least recently used one ends. */
  public static final int MAX_SESSIONS = 1000;

  private static final String SESSION_PREFIX = "vms_";
  private static final String CSRF_PREFIX = "vmc_";

  /** A session as the store keeps it: never the cookie's value, only its hash. */
  public record Session(String csrfToken, Instant createdAt, Instant expiresAt) {
    /** Whether {@code given} is this session's CSRF token (compared in constant time). */
    public boolean csrfMatches(String given) {
      return given != null
          && MessageDigest.isEqual(
              csrfToken.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A new session and the cookie value that names it (given to the browser only). */
  public record Created(String cookieValue, Session session) {}

  private final Clock clock;
  // Access order: the eldest entry is the least recently used session.
  private final LinkedHashMap<String, Entry> byHash = new LinkedHashMap<>(16, 0.75f, true);

  private static final class Entry {
    final Session session;
    Instant lastUsed;

    Entry(Session session, Instant lastUsed) {
      this.session = session;
      this.lastUsed = lastUsed;
    }
  }

  /** Sessions timed by {@code clock}. */
  public Sessions(Clock clock) {
    this.clock = clock;
  }

  /** Begins a session (the caller proved to be the operator). */
  public synchronized Created create() {
    Instant now = clock.instant();
    String value = Secrets.newToken(SESSION_PREFIX);
    Session session = new Session(Secrets.newToken(CSRF_PREFIX), now, now.plus(ABSOLUTE));
    byHash.put(Secrets.hash(value), new Entry(session, now));
    Iterator<Map.Entry<String, Entry>> eldest = byHash.entrySet().iterator();
    while (byHash.size() > MAX_SESSIONS && eldest.hasNext()) {
      eldest.next();
      eldest.remove();
    }
    return new Created(value, session);
  }

  /** The live session the cookie value names, marking it used; empty when none or ended. */
  public synchronized Optional<Session> find(String cookieValue) {
    if (cookieValue == null || !cookieValue.startsWith(SESSION_PREFIX)) {
      return Optional.empty();
    }
    String hash = Secrets.hash(cookieValue);
    Entry entry = byHash.get(hash);
    if (entry == null) {
      return Optional.empty();
    }
    Instant now = clock.instant();
    if (!now.isBefore(entry.session.expiresAt()) || !now.isBefore(entry.lastUsed.plus(IDLE))) {
      byHash.remove(hash);
      return Optional.empty();
    }
    entry.lastUsed = now;
    return Optional.of(entry.session);
  }

  /** Ends the session the cookie value names, if any. */
  public synchronized void end(String cookieValue) {
    if (cookieValue != null) {
      byHash.remove(Secrets.hash(cookieValue));
    }
  }

  /** How many sessions are kept now (ended ones not yet noticed included). */
  public synchronized int size() {
    return byHash.size();
  }

  /**
   * Whether a request without a bearer token is the operator's by its session cookie: false when it
   * sends no session cookie (the caller then needs a token); 401 for an unknown or ended session;
   * 403 when a method other than GET or HEAD comes without the session's CSRF token.
   */
  public boolean admits(String cookieValue, String method, String csrfHeader) {
    if (cookieValue == null) {
      return false;
    }
    Session session =
        find(cookieValue)
            .orElseThrow(() -> ApiException.unauthorized("the session has ended; log in again"));
    if (!method.equals("GET") && !method.equals("HEAD") && !session.csrfMatches(csrfHeader)) {
      throw ApiException.forbidden(
          "a request that changes something needs the session's CSRF token in the "
              + CSRF_HEADER
              + " header");
    }
    return true;
  }
}
