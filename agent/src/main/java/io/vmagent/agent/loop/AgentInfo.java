package io.vmagent.agent.loop;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.agent.config.AgentConfig;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.operation.Operation;
import io.vmagent.agent.spool.Spool;
import io.vmagent.agent.util.AgentVersion;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The {@code agent_info} operation's answer: version, configuration with secrets as {@code ***},
 * uptime, host facts, libvirt, each loop's state, spool depths, running commands, last contact.
 *
 * @param agentId the registered id, if registered
 * @param spools the results, events and metrics spools, in that order
 * @param running how many commands run now
 */
public record AgentInfo(
    AgentConfig config,
    LibvirtConnectionManager libvirt,
    Supplier<Optional<String>> agentId,
    Loops loops,
    List<Spool> spools,
    IntSupplier running,
    BackendContact contact) {

  /**
   * The {@code agent_info} operation, answering with {@code info}'s {@link #build()} (given late:
   * the registry exists before the parts the answer describes).
   */
  public static Operation<Operation.None> operation(Supplier<ObjectNode> info) {
    return Operation.hostWide("agent_info", Duration.ofMinutes(1), p -> info.get());
  }

  /** The answer as of now. */
  public ObjectNode build() {
    ObjectNode info = JsonNodeFactory.instance.objectNode();
    info.put("agent_version", AgentVersion.current());
    info.put("agent_id", agentId.get().orElse(config.agentId().orElse(null)));
    info.put("hostname", AgentIdentity.hostname());
    Instant startedAt = loops.startedAt();
    info.put("started_at", startedAt.toString());
    info.put("uptime_seconds", Duration.between(startedAt, Instant.now()).toSeconds());
    host(info.putObject("host"));
    libvirt(info.putObject("libvirt"));
    ObjectNode cfg = info.putObject("config");
    config.redacted().forEach(cfg::put);
    ArrayNode loopStates = info.putArray("loops");
    loops.states().forEach(loop -> loopStates.add(loop.toJson()));
    spool(info.putObject("spool"));
    info.put("commands_running", running.getAsInt());
    info.put("newest_known_version", loops.versions().newest());
    Instant last = contact.last();
    info.put("last_backend_contact", last == null ? null : last.toString());
    info.put("ssl_verify", config.sslVerify());
    return info;
  }

  private static void host(ObjectNode host) {
    host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    host.put("arch", System.getProperty("os.arch"));
    host.put("cpus", Runtime.getRuntime().availableProcessors());
    host.put("java", System.getProperty("java.version"));
  }

  private void libvirt(ObjectNode lv) {
    lv.put("uri", libvirt.uri());
    lv.put("state", libvirt.state().name().toLowerCase(Locale.ROOT));
    lv.put("last_error", libvirt.lastError());
    lv.put("reconnects", libvirt.reconnects());
  }

  private void spool(ObjectNode spool) {
    Spool metrics = spools.get(2);
    spool.put("results", spools.get(0).depth());
    spool.put("events", spools.get(1).depth());
    spool.put("metrics", metrics.depth());
    spool.put("metrics_bytes", metrics.bytes());
    spool.put("metrics_dropped", metrics.dropped());
  }
}
