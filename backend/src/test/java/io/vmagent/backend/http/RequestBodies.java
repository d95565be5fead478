package io.vmagent.backend.http;

import java.util.List;

/**
 * Valid request bodies of every route that takes one, shaped like what the project's agent and
 * fleet simulator send (and what operators send), as JSON text.
 */
final class RequestBodies {
  /** One route with a body: its template, a request path on it, and a valid body. */
  record Sample(String template, String path, String body) {}

  static final String UUID_1 = "6f1c1f0e-5d7a-4a53-9d8e-0c3c0b7b9a11";
  static final String KEY =
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3y0X+vJq1w5rQ8mYbq2G7Yb8m3C2n0r9x2Zq0Q1v5p0Xn8t4cS2uW6aJ"
          + "q3Lb1Yh7r0E8k9m2T4fP6dV0sA1wBg==";

  private RequestBodies() {}

  static String heartbeat(int vms, boolean firstAfterStart) {
    StringBuilder json =
        new StringBuilder(
            "{\"status\":\"healthy\",\"reasons\":[],\"uptime_seconds\":86400,"
                + "\"versions\":{\"agent\":\"0.1.0\",\"java\":\"17.0.15\",\"libvirt\":\"9.0.0\","
                + "\"hypervisor\":\"9.0.0\",\"os\":\"Debian GNU/Linux 12\"},"
                + "\"libvirt\":{\"reachable\":true,\"uri\":\"test:///default\",\"latency_ms\":1},"
                + "\"spool_depth\":0,\"ssl_verify\":true,\"warnings\":[],"
                + "\"heartbeat_interval_seconds\":30");
    if (firstAfterStart) {
      json.append(
          ",\"operations\":[{\"name\":\"start\",\"version\":1},{\"name\":\"migrate\",\"version\":2}]"
              + ",\"protocol_version\":4,\"clock_offset_ms\":-12,\"clock_synchronized\":true"
              + ",\"prometheus_endpoint\":\"[::1]:9100\",\"newest_known_version\":\"0.2.0-rc.1\"");
    }
    if (vms >= 0) {
      json.append(",\"vms\":[");
      for (int i = 0; i < vms; i++) {
        json.append(i == 0 ? "" : ",")
            .append("{\"name\":\"sim-vm-")
            .append(i)
            .append(i % 2 == 0 ? "\",\"uuid\":\"" + UUID_1 : "")
            .append("\",\"state\":\"")
            .append(i % 3 == 0 ? "running" : "shut_off")
            .append("\"}");
      }
      json.append(']');
    }
    return json.append('}').toString();
  }

  static String metrics(int domains) {
    StringBuilder json =
        new StringBuilder(
            "{\"samples\":[{\"timestamp\":\"2026-12-06T10:00:00.123Z\",\"clock_offset_ms\":3,"
                + "\"snapshot\":{\"schema_version\":1,\"collected_at\":\"2026-12-06T10:00:00.100Z\","
                + "\"host\":{\"hostname\":\"host-1.fleet.test\",\"uptime_seconds\":86400,"
                + "\"cpus\":8},\"system\":{\"cpu\":{\"usage_percent\":31.25},\"load\":null},"
                + "\"domains\":[");
    for (int i = 0; i < domains; i++) {
      json.append(i == 0 ? "" : ",")
          .append("{\"name\":\"vm-")
          .append(i)
          .append("\",\"cpu_percent\":1.5,\"memory_bytes\":1073741824}");
    }
    return json.append("]}},{\"timestamp\":\"2026-12-06T10:00:30Z\",\"snapshot\":{}}]}").toString();
  }

  static List<Sample> all() {
    String agent = "/api/v1/agents/agent-1";
    String register =
        "{\"agent_id\":\"agent-1\",\"name\":\"simulated agent 1\","
            + "\"hostname\":\"sim-host-1.fleet.test\",\"agent_version\":\"0.1.0\","
            + "\"libvirt_uri\":\"test:///default\",\"hypervisor\":{\"driver\":\"Test\","
            + "\"hypervisor_version\":\"9.0.0\",\"libvirt_version\":\"9.0.0\","
            + "\"cpu_model\":\"Simulated CPU\",\"cpus\":8,\"memory_bytes\":34359738368,"
            + "\"arch\":\"x86_64\"},\"capabilities\":[\"start\",\"stop\",\"restart\",\"pause\","
            + "\"resume\",\"delete\",\"list\",\"info\",\"snapshot\",\"health_check\","
            + "\"collect_metrics\",\"agent_info\"],\"heartbeat_interval_seconds\":30";
    return List.of(
        new Sample("/api/v1/agents/register", "/api/v1/agents/register", register + "}"),
        new Sample(
            "/api/v1/agents/register",
            "/api/v1/agents/register",
            register
                + ",\"protocol_version\":4,\"public_key\":\""
                + KEY
                + "\",\"operations\":[{\"name\":\"start\",\"version\":1}],"
                + "\"migration\":{\"uri\":\"qemu+tls://host-1/system\","
                + "\"stream_uri\":\"tcp://host-1:49152\"}}"),
        new Sample(
            "/api/v1/agents/register",
            "/api/v1/agents/register",
            register
                + ",\"protocol_version\":2,\"public_key\":\""
                + KEY
                + "\",\"proof\":{\"challenge\":\"c2VjcmV0LWNoYWxsZW5nZQ\","
                + "\"signature\":\"MEUCIQDx0r3k9QhY8bq2e5tS+1w/7ZkTe1ml2w==\"}}"),
        new Sample(
            "/api/v1/auth/refresh",
            "/api/v1/auth/refresh",
            "{\"refresh_token\":\"r.abc-def_123\",\"public_key\":\"" + KEY + "\"}"),
        new Sample(
            "/api/v1/agents/{agentId}/heartbeat", agent + "/heartbeat", heartbeat(20, false)),
        new Sample("/api/v1/agents/{agentId}/heartbeat", agent + "/heartbeat", heartbeat(3, true)),
        new Sample(
            "/api/v1/agents/{agentId}/heartbeat", agent + "/heartbeat", heartbeat(-1, false)),
        new Sample("/api/v1/agents/{agentId}/metrics", agent + "/metrics", metrics(20)),
        new Sample(
            "/api/v1/agents/{agentId}/results",
            agent + "/results",
            "{\"command_id\":\""
                + UUID_1
                + "\",\"status\":\"succeeded\",\"result\":{\"name\":\"vm-7\","
                + "\"state\":\"running\",\"operation\":\"start\"},"
                + "\"started_at\":\"2026-12-06T10:00:00.123Z\","
                + "\"finished_at\":\"2026-12-06T10:00:01.456789Z\"}"),
        new Sample(
            "/api/v1/agents/{agentId}/results",
            agent + "/results",
            "{\"command_id\":\""
                + UUID_1
                + "\",\"status\":\"failed\",\"error\":{\"code\":\"VM_NOT_FOUND\","
                + "\"message\":\"no domain vm-9\"},\"started_at\":\"2026-12-06T10:00:00Z\","
                + "\"finished_at\":\"2026-12-06T10:00:01+01:00\"}"),
        new Sample(
            "/api/v1/agents/{agentId}/events",
            agent + "/events",
            "{\"events\":[{\"sequence\":0,\"timestamp\":\"2026-12-06T10:00:00Z\","
                + "\"vm_name\":\"vm-1\",\"vm_uuid\":\""
                + UUID_1
                + "\",\"event_type\":\"started\",\"detail\":\"booted\",\"clock_offset_ms\":-5},"
                + "{\"sequence\":9007199254740993,\"timestamp\":\"2026-12-06T10:00:01.5Z\","
                + "\"vm_name\":\"vm-1\",\"event_type\":\"other\"}]}"),
        new Sample(
            "/api/v1/operator/commands",
            "/api/v1/operator/commands",
            "{\"agent_id\":\"agent-1\",\"operation\":\"start\",\"params\":{\"vm\":\"vm-1\"},"
                + "\"deadline_seconds\":300}"),
        new Sample(
            "/api/v1/operator/migrations",
            "/api/v1/operator/migrations",
            "{\"vm\":\"vm-1\",\"source_agent\":\"agent-1\",\"destination_agent\":\"agent-2\","
                + "\"options\":{\"live\":\"true\",\"bandwidth_mib\":\"100\"}}"),
        new Sample(
            "/api/v1/operator/agents/{agentId}/drain",
            "/api/v1/operator/agents/agent-1/drain",
            "{\"to\":\"agent-2\",\"parallel\":2,\"options\":{\"live\":\"true\"}}"),
        new Sample(
            "/api/v1/operator/agents/{agentId}/drain",
            "/api/v1/operator/agents/agent-1/drain",
            "{}"),
        new Sample(
            "/api/v1/operator/tokens",
            "/api/v1/operator/tokens",
            "{\"description\":\"rack 7\",\"single_use\":true,\"expires_in_seconds\":3600,"
                + "\"max_agents\":10}"));
  }
}
