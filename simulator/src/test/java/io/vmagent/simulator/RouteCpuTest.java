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
      """;
  private static final String AFTER =
      """
      vm_backend_http_requests_total{method="POST",route="/api/v1/agents/{agentId}/heartbeat",\
      status="200"} 1010.0
      vm_backend_http_requests_total{method="POST",route="/api/v1/agents/{agentId}/heartbeat",\
      status="401"} 2.0
      vm_backend_http_request_cpu_seconds_total{method="POST",\
      route="/api/v1/agents/{agentId}/heartbeat"} 0.512
      vm_backend_http_request_cpu_seconds_total{method="GET",route="/metrics"} 0.001
      """;

  @Test
  void theCpuOfEachRouteIsDividedByTheRequestsItAnsweredInTheWindow() {
    var costs = RouteCpu.between(RouteCpu.parse(BEFORE), RouteCpu.parse(AFTER));
    assertThat(costs)
        .containsOnlyKeys("POST /api/v1/agents/{agentId}/heartbeat")
        .containsEntry("POST /api/v1/agents/{agentId}/heartbeat", new RouteCpu.Cost(1_000, 500.0));
  }

  @Test
  void aBackendWithoutTheCounterGivesNoFigures() {
    assertThat(RouteCpu.between(RouteCpu.Totals.NONE, RouteCpu.parse("up 1\n"))).isEmpty();
  }
}
