package io.vmagent.backend.cli;

import io.vmagent.protocol.VmView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code vm-backend vms}: VMs as their agents last reported them. */
@Command(
    name = "vms",
    mixinStandardHelpOptions = true,
    description = "VMs as their agents last reported them.",
    subcommands = {VmsCommand.ListVms.class})
final class VmsCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List VMs.")
  static final class ListVms implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Connection connection;

    @Option(names = "--agent", paramLabel = "ID", description = "Only this agent's VMs.")
    String agent;

    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      List<VmView> vms = connection.client().listVms(agent);
      var out = spec.commandLine().getOut();
      if (json) {
        Output.json(out, vms);
        return 0;
      }
      List<List<Object>> rows = new ArrayList<>();
      for (VmView vm : vms) {
        rows.add(Output.row(vm.agentId(), vm.name(), vm.uuid(), vm.state(), vm.reportedAt()));
      }
      Output.table(out, List.of("AGENT", "NAME", "UUID", "STATE", "REPORTED"), rows);
      return 0;
    }
  }
}
