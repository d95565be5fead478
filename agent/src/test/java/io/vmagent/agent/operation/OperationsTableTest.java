package io.vmagent.agent.operation;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmagent.agent.config.ResourceThresholds;
import io.vmagent.agent.health.HealthCheck;
import io.vmagent.agent.health.HostResources;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.VmOperations;
import io.vmagent.agent.loop.AgentInfo;
import io.vmagent.agent.loop.MetricsTick;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The operations table of docs/agent.md is the registry's, row for row. */
class OperationsTableTest {
  private static final Path DOC = Path.of("..", "docs", "agent.md");

  @Test
  void docsTableListsEveryOperationWithItsParametersLockAndDeadline() throws Exception {
    LibvirtConnectionManager libvirt =
        new LibvirtConnectionManager(
            "test:///default",
            Duration.ofSeconds(5),
            1,
            Duration.ofMillis(50),
            Duration.ofMillis(500));
    try (VmOperations vm = new VmOperations(libvirt, Duration.ofSeconds(5), 1)) {
      OperationRegistry registry =
          OperationRegistry.of(
              vm.operations(),
              new MetricsTick(libvirt, Duration.ofSeconds(5)).operation(),
              AgentInfo.operation(() -> null),
              new HealthCheck(
                      libvirt,
                      new HostResources(
                          Path.of("/"),
                          new ResourceThresholds(5, 5, 5, 50, 2),
                          libvirt,
                          Duration.ofSeconds(5)))
                  .operation());

      assertThat(documentedRows()).containsExactlyElementsOf(rows(registry));
    } finally {
      libvirt.close();
    }
  }

  private static List<String> rows(OperationRegistry registry) {
    List<String> rows = new ArrayList<>();
    for (Operation<?> operation : registry.operations()) {
      String params =
          operation.accepted().isEmpty()
              ? "none"
              : operation.accepted().stream()
                  .sorted()
                  .map(name -> "`" + name + "`")
                  .collect(Collectors.joining(", "));
      rows.add(
          "| `%s` | %s | %s | %s |"
              .formatted(
                  operation.name(),
                  params,
                  operation.locksVm() ? "yes" : "no",
                  human(operation.deadline())));
    }
    return rows;
  }

  private static String human(Duration deadline) {
    return deadline.toMinutes() % 60 == 0
        ? deadline.toHours() + " h"
        : deadline.toMinutes() + " min";
  }

  /** The table's rows, without the notes in parentheses (where the parameters change a cell). */
  private static List<String> documentedRows() throws Exception {
    List<String> lines = Files.readAllLines(DOC);
    int header = lines.indexOf("| operation | parameters | VM lock | deadline |");
    assertThat(header).as("the operations table in %s", DOC).isNotNegative();
    List<String> rows = new ArrayList<>();
    for (String line : lines.subList(header + 2, lines.size())) {
      if (!line.startsWith("|")) {
        break;
      }
      rows.add(line.replaceAll(" \\([^)]*\\)", ""));
    }
    return rows;
  }
}
