package io.vmagent.backend.cli;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.Connectivity;
import io.vmagent.protocol.VmView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vm-backend vms}: VMs as their agents last reported them. */
@Command(
    name = "vms",
    mixinStandardHelpOptions = true,
    description = "VMs as their agents last reported them.",
    subcommands = {VmsCommand.ListVms.class, HelpCommand.class})
final class VmsCommand extends CommandGroup {
  @Command(name = "list", mixinStandardHelpOptions = true, description = "List VMs.")
  static final class ListVms extends ListCommand<VmView> {
    @Option(names = "--agent", paramLabel = "ID", description = "Only this agent's VMs.")
    String agent;

    @Override
    List<VmView> list(OperatorClient client) throws Exception {
      return client.listVms(agent);
    }

    @Override
    List<String> header() {
      return List.of("AGENT", "NAME", "UUID", "STATE", "REPORTED", "ADDRESSES");
    }

    @Override
    List<Object> row(VmView vm) {
      return Output.row(
          vm.agentId(), vm.name(), vm.uuid(), state(vm), vm.reportedAt(), addresses(vm));
    }

    /** The state, marked as only the last known one while the agent is not online. */
    private static String state(VmView vm) {
      Connectivity agent = vm.agentConnectivity();
      if (agent == null || agent == Connectivity.ONLINE) {
        return vm.state();
      }
      Duration age = Duration.between(vm.reportedAt(), Instant.now());
      return vm.state() + "? (agent " + agent.wire() + "; reported " + Durations.ago(age) + ")";
    }

    /** Every address of the VM with its source, or null when none was reported. */
    private static String addresses(VmView vm) {
      if (vm.interfaces() == null) {
        return null;
      }
      String joined =
          vm.interfaces().stream()
              .flatMap(nic -> nic.addresses().stream())
              .map(a -> a.address() + "/" + a.prefix() + " (" + a.source() + ")")
              .collect(Collectors.joining(", "));
      return joined.isEmpty() ? null : joined;
    }
  }
}
