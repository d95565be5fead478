package io.vmagent.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.protocol.AgentVersions;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.HealthStatus;
import io.vmagent.protocol.HeartbeatRequest;
import io.vmagent.protocol.HypervisorFacts;
import io.vmagent.protocol.LibvirtHealth;
import io.vmagent.protocol.MetricsBatch;
import io.vmagent.protocol.MetricsSample;
import io.vmagent.protocol.RegisterRequest;
import io.vmagent.protocol.VmSummary;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The bodies a simulated agent sends, shaped like the real agent's: identity, heartbeat with a VM
 * inventory, a metrics snapshot with system figures and one entry per VM, and command results.
 */
final class Payloads {
  static final String AGENT_VERSION = "0.1.0";
  static final String LIBVIRT_URI = "test:///default";
  static final List<String> CAPABILITIES =
      List.of(
          "start",
          "stop",
          "restart",
          "pause",
          "resume",
          "delete",
          "list",
          "info",
          "snapshot",
          "health_check",
          "collect_metrics",
          "agent_info");

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final AgentVersions VERSIONS =
      new AgentVersions(AGENT_VERSION, "17.0.15", "9.0.0", "9.0.0", "Debian GNU/Linux 12");
  private static final LibvirtHealth LIBVIRT = new LibvirtHealth(true, LIBVIRT_URI, null, 1L);

  private final int vmsPerAgent;
  private final int heartbeatSeconds;

  Payloads(int vmsPerAgent, int heartbeatSeconds) {
    this.vmsPerAgent = vmsPerAgent;
    this.heartbeatSeconds = heartbeatSeconds;
  }

  static String vmName(int i) {
    return "sim-vm-" + i;
  }

  RegisterRequest register(String agentId, int index) {
    return new RegisterRequest(
        agentId,
        "simulated agent " + index,
        "sim-host-" + index + ".fleet.test",
        AGENT_VERSION,
        LIBVIRT_URI,
        new HypervisorFacts(
            "Test", "9.0.0", "9.0.0", "Simulated CPU", 8, 34_359_738_368L, "x86_64"),
        CAPABILITIES,
        heartbeatSeconds);
  }

  HeartbeatRequest heartbeat(long uptimeSeconds, boolean withInventory) {
    List<VmSummary> vms = null;
    if (withInventory) {
      vms = new ArrayList<>(vmsPerAgent);
      for (int i = 0; i < vmsPerAgent; i++) {
        vms.add(new VmSummary(vmName(i), null, "running"));
      }
    }
    return new HeartbeatRequest(
        HealthStatus.HEALTHY,
        List.of(),
        uptimeSeconds,
        VERSIONS,
        LIBVIRT,
        0,
        true,
        List.of(),
        null,
        heartbeatSeconds,
        vms);
  }

  MetricsBatch metrics(String hostname, long uptimeSeconds) {
    Instant now = Instant.now();
    return new MetricsBatch(
        List.of(new MetricsSample(now, snapshot(hostname, now, uptimeSeconds))));
  }

  CommandResult result(Command command, Instant startedAt) {
    ObjectNode result = NODES.objectNode();
    String vm = command.vm();
    if (vm != null) {
      result.put("name", vm);
      result.put("state", "running");
    }
    result.put("operation", command.operation());
    return CommandResult.succeeded(command.id(), result, startedAt, Instant.now());
  }

  /** A snapshot with the layout of the agent's metrics (schema 1), with random figures. */
  private ObjectNode snapshot(String hostname, Instant now, long uptimeSeconds) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    ObjectNode s = NODES.objectNode();
    s.put("schema_version", 1);
    s.put("collected_at", now.toString());
    ObjectNode host = s.putObject("host");
    host.put("hostname", hostname);
    host.put("uptime_seconds", uptimeSeconds);
    host.put("cpus", 8);
    system(s.putObject("system"), r);
    domains(s.putArray("domains"), r);
    collectors(s.putArray("collectors"), r);
    return s;
  }

  private static void system(ObjectNode system, ThreadLocalRandom r) {
    ObjectNode cpu = system.putObject("cpu");
    cpu.put("usage_percent", r.nextDouble(0, 100));
    cpu.put("user_percent", r.nextDouble(0, 60));
    cpu.put("system_percent", r.nextDouble(0, 20));
    cpu.put("iowait_percent", r.nextDouble(0, 5));
    ObjectNode load = system.putObject("load");
    load.put("one", r.nextDouble(0, 8));
    load.put("five", r.nextDouble(0, 8));
    load.put("fifteen", r.nextDouble(0, 8));
    ObjectNode memory = system.putObject("memory");
    memory.put("total_bytes", 34_359_738_368L);
    memory.put("available_bytes", r.nextLong(1L << 30, 34_359_738_368L));
    memory.put("used_percent", r.nextDouble(0, 100));
    ArrayNode fs = system.putArray("filesystems");
    ObjectNode root = fs.addObject();
    root.put("mount", "/");
    root.put("total_bytes", 107_374_182_400L);
    root.put("used_bytes", r.nextLong(1L << 30, 107_374_182_400L));
    ArrayNode nets = system.putArray("network");
    ObjectNode eth = nets.addObject();
    eth.put("interface", "eth0");
    eth.put("rx_bytes_per_second", r.nextDouble(0, 1e8));
    eth.put("tx_bytes_per_second", r.nextDouble(0, 1e8));
  }

  private void domains(ArrayNode domains, ThreadLocalRandom r) {
    for (int i = 0; i < vmsPerAgent; i++) {
      ObjectNode d = domains.addObject();
      d.put("name", vmName(i));
      d.put("state", "running");
      d.put("vcpus", 2);
      d.put("cpu_percent", r.nextDouble(0, 200));
      d.put("memory_bytes", 4_294_967_296L);
      d.put("memory_used_bytes", r.nextLong(1L << 28, 4_294_967_296L));
      d.put("disk_read_bytes_per_second", r.nextDouble(0, 1e7));
      d.put("disk_write_bytes_per_second", r.nextDouble(0, 1e7));
      d.put("net_rx_bytes_per_second", r.nextDouble(0, 1e7));
      d.put("net_tx_bytes_per_second", r.nextDouble(0, 1e7));
    }
  }

  private static void collectors(ArrayNode collectors, ThreadLocalRandom r) {
    for (String name : List.of("cpu", "load", "memory", "filesystems", "network", "domains")) {
      ObjectNode c = collectors.addObject();
      c.put("name", name);
      c.put("success", true);
      c.put("duration_ms", r.nextDouble(0, 5));
    }
  }
}
