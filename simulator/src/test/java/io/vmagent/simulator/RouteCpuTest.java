package io.vmagent.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouteCpuTest {
  private static final String BEFORE =
      """
      # HELP vm_backend_http_requests_total HTTP requests answered
      # TYPE vm_backend_http_requests_total counter
      vm_backend_http_requests_total{method="POST",route="/api/v1/agents/{agentId}/heartbeat",\
      status="200"} 10.0
      vm_backend_http_requests_total{method="POST",route="/api/v1/agents/{agentId}/heartbeat",\
      status="401"} 2.0
      vm_backend_http_request_cpu_seconds_total{method="POST",\
      route="/api/v1/agents/{agentId}/heartbeat"} 0.012
      vm_backend_http_request_allocated_bytes_total{method="POST",\
      route="/api/v1/agents/{agentId}/heartbeat"} 1024.0
      """;
  private static final String AFTER =
      """
      vm_backend_http_requests_total{method="POST",route="/api/v1/agents/{agentId}/heartbeat",\
      status="200"} 1010.0
      vm_backend_http_requests_total{method="POST",route="/api/v1/agents/{agentId}/heartbeat",\
      status="401"} 2.0
      vm_backend_http_request_cpu_seconds_total{method="POST",\
      route="/api/v1/agents/{agentId}/heartbeat"} 0.512
      vm_backend_http_request_allocated_bytes_total{method="POST",\
      route="/api/v1/agents/{agentId}/heartbeat"} 20481024.0
      vm_backend_http_request_cpu_seconds_total{method="GET",route="/metrics"} 0.001
      """;

  @Test
  void theCpuOfEachRouteIsDividedByTheRequestsItAnsweredInTheWindow() {
    var costs = RouteCpu.between(RouteCpu.parse(BEFORE), RouteCpu.parse(AFTER));
    assertThat(costs)
        .containsOnlyKeys("POST /api/v1/agents/{agentId}/heartbeat")
        .containsEntry(
            "POST /api/v1/agents/{agentId}/heartbeat", new RouteCpu.Cost(1_000, 500.0, 20.0));
  }

  @Test
  void aBackendThatDoesNotCountAllocationGivesCpuAlone() {
    var costs =
        RouteCpu.between(
            RouteCpu.parse(BEFORE.replaceAll("(?m)^vm_backend_http_request_allocated.*\\n", "")),
            RouteCpu.parse(AFTER.replaceAll("(?m)^vm_backend_http_request_allocated.*\\n", "")));
    assertThat(costs.get("POST /api/v1/agents/{agentId}/heartbeat").cpuMicrosPerRequest())
        .isEqualTo(500.0);
    assertThat(costs.get("POST /api/v1/agents/{agentId}/heartbeat").kibPerRequest()).isNaN();
  }

  @Test
  void aBackendWithoutTheCounterGivesNoFigures() {
    assertThat(RouteCpu.between(RouteCpu.Totals.NONE, RouteCpu.parse("up 1\n"))).isEmpty();
  }
}
