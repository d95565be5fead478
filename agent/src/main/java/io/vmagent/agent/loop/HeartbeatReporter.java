package io.vmagent.agent.loop;

import io.vmagent.agent.libvirt.ConnectionState;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.LibvirtFacts;
import io.vmagent.agent.libvirt.VmState;
import io.vmagent.agent.spool.Spool;
import io.vmagent.agent.util.AgentVersion;
import io.vmagent.protocol.AgentVersions;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.LibvirtHealth;
import io.vmagent.protocol.VmSummary;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.libvirt.Connect;
import org.libvirt.Domain;

/** Builds the heartbeat: health and why it is degraded, versions, libvirt, spool, inventory. */
public final class HeartbeatReporter {
  /** Deadline of the libvirt calls a heartbeat makes, so a hung libvirt cannot delay it long. */
  static final Duration LIBVIRT_DEADLINE = Duration.ofSeconds(3);

  private final LibvirtConnectionManager libvirt;
  private final long startedNanos;
  private final boolean sslVerify;
  private final List<String> warnings;
  private final int intervalSeconds;
  private final LongSupplier spoolDepth;
  private final Supplier<String> newestKnownVersion;
  private final Supplier<List<String>> loopProblems;
  private final Supplier<List<String>> resourceProblems;
  private final ClockCheck clock;
  private final String prometheusEndpoint;
  private volatile String libvirtVersion;

  /**
   * @param warnings configuration warnings, repeated in every heartbeat
   * @param startedAt when the agent started; its uptime counts on the monotonic clock from here
   * @param loopProblems why loops are failing, as degradation reasons
   * @param resourceProblems the system resources past their thresholds, as degradation reasons
   * @param clock the host clock's offset and synchronisation
   * @param prometheusListen where the Prometheus endpoint listens, or null when it is off
   */
  public HeartbeatReporter(
      LibvirtConnectionManager libvirt,
      Instant startedAt,
      boolean sslVerify,
      List<String> warnings,
      int intervalSeconds,
      LongSupplier spoolDepth,
      Supplier<String> newestKnownVersion,
      Supplier<List<String>> loopProblems,
      Supplier<List<String>> resourceProblems,
      ClockCheck clock,
      InetSocketAddress prometheusListen) {
    this.libvirt = libvirt;
    // Uptime must not jump with the wall clock: the start is carried over to the monotonic clock.
    this.startedNanos =
        System.nanoTime() - Math.max(0, Duration.between(startedAt, Instant.now()).toNanos());
    this.sslVerify = sslVerify;
    this.warnings = List.copyOf(warnings);
    this.intervalSeconds = intervalSeconds;
    this.spoolDepth = spoolDepth;
    this.newestKnownVersion = newestKnownVersion;
    this.loopProblems = loopProblems;
    this.resourceProblems = resourceProblems;
    this.clock = clock;
    this.prometheusEndpoint = endpoint(prometheusListen);
  }

  /** {@code host:port} as the heartbeat names it; null when off or not nameable so. */
  static String endpoint(InetSocketAddress listen) {
    if (listen == null) {
      return null;
    }
    String host = listen.getHostString();
    String endpoint = (host.contains(":") ? "[" + host + "]" : host) + ":" + listen.getPort();
    return HeartbeatRequest.PROMETHEUS_ENDPOINT.matcher(endpoint).matches() ? endpoint : null;
  }

  /** Why {@code loops} are failing and whether the metrics spool dropped samples. */
  public static List<String> problems(List<PeriodicLoop> loops, Spool metrics) {
    List<String> problems = new ArrayList<>();
    for (PeriodicLoop loop : loops) {
      String error = loop.state().lastError();
      if (error != null) {
        problems.add(loop.state().name() + " failing: " + error);
      }
    }
    if (metrics.dropped() > 0) {
      problems.add("metrics spool full: " + metrics.dropped() + " oldest samples dropped");
    }
    return problems;
  }

  /** A heartbeat as of now; {@code goingOffline} for the last one at shutdown. */
  public HeartbeatRequest build(boolean goingOffline) {
    List<String> reasons = new ArrayList<>();
    LibvirtHealth health = libvirtHealth();
    List<VmSummary> vms = null;
    if (health.reachable()) {
      vms = inventory();
    } else {
      reasons.add("libvirt unreachable: " + health.error());
    }
    reasons.addAll(resourceProblems.get());
    reasons.addAll(loopProblems.get());
    clock.problem().ifPresent(reasons::add);
    if (goingOffline) {
      reasons.add(0, "going offline: the agent is shutting down");
    }
    List<String> allWarnings = new ArrayList<>(warnings);
    if (!sslVerify && allWarnings.stream().noneMatch(w -> w.contains("AGENT_SSL_VERIFY"))) {
      allWarnings.add("AGENT_SSL_VERIFY=false: the backend's certificate is not verified");
    }
    return new HeartbeatRequest(
        goingOffline
            ? HealthStatus.STOPPING
            : reasons.isEmpty() ? HealthStatus.HEALTHY : HealthStatus.DEGRADED,
        reasons.stream().map(HeartbeatReporter::cut).distinct().limit(32).toList(),
        Duration.ofNanos(System.nanoTime() - startedNanos).toSeconds(),
        new AgentVersions(
            AgentVersion.current(),
            System.getProperty("java.version"),
            libvirtVersion,
            null,
            cut(System.getProperty("os.name") + " " + System.getProperty("os.version"))),
        health,
        spoolDepth.getAsLong(),
        sslVerify,
        allWarnings.stream().map(HeartbeatReporter::cut).distinct().limit(32).toList(),
        newestKnownVersion.get(),
        intervalSeconds,
        vms,
        null,
        clock.offset().map(Duration::toMillis).orElse(null),
        clock.synchronised(),
        prometheusEndpoint);
  }

  private LibvirtHealth libvirtHealth() {
    if (libvirt.state() != ConnectionState.CONNECTED) {
      String error = libvirt.lastError();
      return new LibvirtHealth(
          false, libvirt.uri(), cut(error == null ? "not connected" : error), null);
    }
    long start = System.nanoTime();
    try {
      long version =
          libvirt.withConnection("heartbeat check", LIBVIRT_DEADLINE, Connect::getLibVersion);
      libvirtVersion = LibvirtFacts.version(version);
      return new LibvirtHealth(true, libvirt.uri(), null, (System.nanoTime() - start) / 1_000_000);
    } catch (RuntimeException e) {
      return new LibvirtHealth(false, libvirt.uri(), cut(e.getMessage()), null);
    }
  }

  private List<VmSummary> inventory() {
    try {
      return libvirt.withConnection(
          "heartbeat inventory",
          LIBVIRT_DEADLINE,
          connect -> {
            List<VmSummary> vms = new ArrayList<>();
            for (int id : connect.listDomains()) {
              vms.add(summary(connect.domainLookupByID(id)));
            }
            for (String name : connect.listDefinedDomains()) {
              vms.add(summary(connect.domainLookupByName(name)));
            }
            return vms.size() > 4096 ? vms.subList(0, 4096) : vms;
          });
    } catch (RuntimeException e) {
      return null; // the inventory is optional; libvirt health above already says what is wrong
    }
  }

  private static VmSummary summary(Domain domain) throws org.libvirt.LibvirtException {
    VmState state = VmState.of(domain.getInfo().state);
    return new VmSummary(domain.getName(), domain.getUUIDString(), state.wire());
  }

  private static String cut(String text) {
    if (text == null) {
      return null;
    }
    return text.length() <= 256 ? text : text.substring(0, 253) + "...";
  }
}
