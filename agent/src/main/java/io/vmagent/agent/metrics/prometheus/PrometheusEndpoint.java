package io.vmagent.agent.metrics.prometheus;

import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The opt-in Prometheus text endpoint ({@code AGENT_PROMETHEUS_LISTEN}): the Prometheus client's
 * own HTTP server on the configured address, serving {@code /metrics} from one registry, on one
 * named thread (scrapes are rare and cheap).
 */
public final class PrometheusEndpoint implements AutoCloseable {
  private final HTTPServer server;
  private final ExecutorService executor;

  private PrometheusEndpoint(HTTPServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts serving {@code registry} on {@code listen}; port 0 picks a free port.
   *
   * @throws IOException when the address cannot be bound (in use, not local)
   */
  public static PrometheusEndpoint start(InetSocketAddress listen, PrometheusRegistry registry)
      throws IOException {
    Objects.requireNonNull(listen, "listen == null");
    Objects.requireNonNull(registry, "registry == null");
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(64),
            r -> {
              Thread t = new Thread(r, "prometheus-http-" + count.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    try {
      HTTPServer server =
          HTTPServer.builder()
              .hostname(listen.getHostString())
              .port(listen.getPort())
              .registry(registry)
              .executorService(executor)
              .buildAndStart();
      return new PrometheusEndpoint(server, executor);
    } catch (IOException | RuntimeException e) {
      executor.shutdownNow();
      throw new IOException(
          "cannot serve Prometheus metrics on "
              + listen.getHostString()
              + ":"
              + listen.getPort()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** The port actually bound. */
  public int port() {
    return server.getPort();
  }

  /** Stops the server and its thread. */
  @Override
  public void close() {
    server.close();
    executor.shutdownNow();
  }
}
