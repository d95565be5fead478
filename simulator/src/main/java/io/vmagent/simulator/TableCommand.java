package io.vmagent.simulator;

import io.vmagent.protocol.ProtocolJson;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code vm-fleet-sim table}: the Markdown table of several JSON reports, in the order given. */
@Command(
    name = "table",
    mixinStandardHelpOptions = true,
    description = "Prints the Markdown table of the given JSON reports.")
final class TableCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "REPORT", description = "JSON reports from run.")
  List<Path> files = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    List<FleetReport> reports = new ArrayList<>();
    for (Path file : files) {
      reports.add(ProtocolJson.tolerantMapper().readValue(file.toFile(), FleetReport.class));
    }
    System.out.print(ReportTable.render(reports));
    return 0;
  }
}
