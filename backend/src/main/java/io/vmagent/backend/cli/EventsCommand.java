package io.vmagent.backend.cli;

import io.vmagent.backend.client.OperatorClient;
import io.vmagent.protocol.EventList;
import io.vmagent.protocol.StoredEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vm-backend events}: the VM lifecycle events the agents reported. */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description = "VM lifecycle events the agents reported.",
    subcommands = {EventsCommand.ListEvents.class, HelpCommand.class})
final class EventsCommand extends CommandGroup {
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List events, newest first.")
  static final class ListEvents extends ListCommand<StoredEvent> {
    @Option(names = "--agent", paramLabel = "ID", description = "Only this agent's events.")
    String agent;

    @Option(names = "--vm", paramLabel = "NAME", description = "Only this VM's events.")
    String vm;

    @Option(names = "--type", paramLabel = "TYPE", description = "Only this type (started...).")
    String type;

    @Option(
        names = "--since",
        paramLabel = "TIME",
        description = "At or after this time (2026-12-06T10:00:00Z).")
    Instant since;

    @Option(names = "--until", paramLabel = "TIME", description = "Before this time.")
    Instant until;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "100",
        description = "Most events listed, 1 to 100000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    void checkArguments() {
      if (limit < 1 || limit > 100_000) {
        throw new IllegalArgumentException("--limit must be 1 to 100000, got " + limit);
      }
    }

    @Override
    List<StoredEvent> list(OperatorClient client) throws Exception {
      List<StoredEvent> all = new ArrayList<>();
      String after = null;
      do {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("agent_id", agent);
        query.put("vm", vm);
        query.put("type", type);
        query.put("since", since == null ? null : since.toString());
        query.put("until", until == null ? null : until.toString());
        query.put("after", after);
        query.put("limit", String.valueOf(Math.min(EventList.MAX_PAGE, limit - all.size())));
        EventList page = client.listEvents(query);
        all.addAll(page.events());
        after = page.next();
      } while (after != null && all.size() < limit);
      return all;
    }

    @Override
    List<String> header() {
      return List.of("TIME", "AGENT", "VM", "EVENT", "DETAIL");
    }

    @Override
    List<Object> row(StoredEvent event) {
      return Output.row(
          event.timestamp(), event.agentId(), event.vmName(), event.eventType(), event.detail());
    }
  }
}
