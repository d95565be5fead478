package io.vmagent.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * An attacker's long polls from a source address of its own (the JDK's HTTP client cannot choose
 * one): each of {@code loops} threads keeps a TLS connection, sends the poll again the moment it is
 * answered, and connects again when the backend closes or refuses it, until a time. Answers are
 * counted by status, failures by the kind of their cause.
 */
public final class RawPollFlood {
  private final Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  private final List<Thread> threads = new ArrayList<>();

  private RawPollFlood() {}

  /** Starts {@code loops} poll loops from {@code source} on {@code path} with this bearer token. */
  public static RawPollFlood start(
      URI base,
      SSLSocketFactory tls,
      String source,
      String path,
      String token,
      int loops,
      Instant until) {
    RawPollFlood flood = new RawPollFlood();
    byte[] request =
        ("GET "
                + path
                + " HTTP/1.1\r\nHost: "
                + base.getHost()
                + "\r\nAuthorization: Bearer "
                + token
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    for (int i = 0; i < loops; i++) {
      Thread thread =
          new Thread(
              null,
              () -> flood.loop(base, tls, source, request, until),
              "poll-flood-" + i,
              256 << 10);
      thread.setDaemon(true);
      thread.start();
      flood.threads.add(thread);
    }
    return flood;
  }

  /** Waits for every loop to end. */
  public void join() throws InterruptedException {
    for (Thread thread : threads) {
      thread.join();
    }
  }

  /** Answers by status. */
  public Map<Integer, AtomicInteger> statuses() {
    return statuses;
  }

  /** Failures to get an answer, by the kind of their cause. */
  public Map<String, AtomicInteger> failures() {
    return failures;
  }

  private void loop(URI base, SSLSocketFactory tls, String source, byte[] request, Instant until) {
    while (Instant.now().isBefore(until)) {
      try (Socket plain = new Socket()) {
        plain.bind(new InetSocketAddress(source, 0));
        plain.connect(new InetSocketAddress(base.getHost(), base.getPort()), 30_000);
        plain.setSoTimeout(90_000);
        try (SSLSocket socket =
            (SSLSocket) tls.createSocket(plain, base.getHost(), base.getPort(), true)) {
          OutputStream out = socket.getOutputStream();
          InputStream in = new BufferedInputStream(socket.getInputStream());
          boolean open = true;
          while (open && Instant.now().isBefore(until)) {
            out.write(request);
            out.flush();
            open = readAnswer(in);
          }
        }
      } catch (IOException e) {
        failures
            .computeIfAbsent(e.getClass().getSimpleName(), k -> new AtomicInteger())
            .incrementAndGet();
        pause();
      }
    }
  }

  /** Reads one answer and counts it; whether the connection stays open. */
  private boolean readAnswer(InputStream in) throws IOException {
    String head = readHead(in);
    int status = Integer.parseInt(head.substring(9, 12));
    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
    long length = 0;
    boolean close = false;
    boolean chunked = false;
    for (String line : head.lines().toList()) {
      String lower = line.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring("content-length:".length()).strip());
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        close = true;
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      }
    }
    if (chunked) {
      skipChunks(in);
    } else {
      in.skipNBytes(length);
    }
    return !close;
  }

  private static void skipChunks(InputStream in) throws IOException {
    while (true) {
      long size = Long.parseLong(readLine(in).strip(), 16);
      in.skipNBytes(size);
      readLine(in);
      if (size == 0) {
        return;
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    for (String line = readLine(in); !line.isEmpty(); line = readLine(in)) {
      head.append(line).append('\n');
    }
    return head.toString();
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int b;
    while ((b = in.read()) != '\n') {
      if (b < 0) {
        throw new java.io.EOFException("closed in the middle of an answer");
      }
      if (b != '\r') {
        line.write(b);
      }
    }
    return line.toString(StandardCharsets.US_ASCII);
  }

  private static void pause() {
    try {
      Thread.sleep(100); // as an HTTP client would before connecting again
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
