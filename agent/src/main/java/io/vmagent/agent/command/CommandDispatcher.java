package io.vmagent.agent.command;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.agent.libvirt.VmOperationException;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandError;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ErrorCode;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands with an exactly-once effect over at-least-once delivery: a command already in the
 * {@link CommandJournal} is answered from it; an unknown operation or bad parameters get an error
 * result; a command past its deadline is not started; otherwise it is journaled as started, run,
 * and its result journaled before it is returned for reporting.
 */
public final class CommandDispatcher {
  private static final Logger log = LoggerFactory.getLogger(CommandDispatcher.class);

  /** The message of a command the agent was running when it died. */
  static final String INTERRUPTED_MESSAGE =
      "the agent stopped while running this command; it is not run again because its effect is"
          + " unknown: check the VM's state";

  private final Map<String, OperationSpec> operations;
  private final CommandJournal journal;
  private final Clock clock;
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  private final List<BiConsumer<String, CommandResult>> listeners = new CopyOnWriteArrayList<>();

  public CommandDispatcher(List<OperationSpec> operations, CommandJournal journal, Clock clock) {
    Map<String, OperationSpec> byName = new LinkedHashMap<>();
    for (OperationSpec spec : operations) {
      if (byName.put(spec.name(), spec) != null) {
        throw new IllegalArgumentException("operation " + spec.name() + " registered twice");
      }
    }
    this.operations = Map.copyOf(byName);
    this.journal = Objects.requireNonNull(journal, "journal == null");
    this.clock = Objects.requireNonNull(clock, "clock == null");
  }

  /**
   * Tells {@code listener} the operation and result of every command this dispatcher runs or
   * refuses (not of repeats answered from the journal).
   */
  public void onFinished(BiConsumer<String, CommandResult> listener) {
    listeners.add(Objects.requireNonNull(listener, "listener == null"));
  }

  /** The names of the operations this agent runs, sorted. */
  public Set<String> capabilities() {
    return new TreeSet<>(operations.keySet());
  }

  /** How many commands are running right now. */
  public int runningCount() {
    return running.size();
  }

  /**
   * Handles one delivery of a command.
   *
   * @return the result to report, or empty when this same command is already running here (the
   *     running one reports)
   * @throws IOException the journal could not be written: the command was not started
   */
  public Optional<CommandResult> handle(Command command) throws IOException {
    String id = command.id();
    if (!CommandJournal.acceptableId(id)) {
      log.warn(
          "command with an unusable id refused: {}", id == null ? "null" : id.length() + " chars");
      return Optional.empty();
    }
    if (!running.add(id)) {
      log.info("command {} delivered again while it runs; its result follows when done", id);
      return Optional.empty();
    }
    try {
      Optional<JournalEntry> known = journal.find(id);
      if (known.isPresent()) {
        return Optional.of(answerFromJournal(command, known.get()));
      }
      return Optional.of(run(command));
    } finally {
      running.remove(id);
    }
  }

  private CommandResult answerFromJournal(Command command, JournalEntry entry) throws IOException {
    if (entry.finished()) {
      log.info(
          "command {} ({}) delivered again (delivery {}): answered from the journal, not run again",
          command.id(),
          command.operation(),
          command.delivery());
      return entry.result();
    }
    return interrupted(entry).result();
  }

  /** Finishes a journal entry whose command was cut short by an agent crash. */
  public JournalEntry interrupted(JournalEntry entry) throws IOException {
    log.warn(
        "command {} ({}) was running when the agent stopped; reported as failed, not run again",
        entry.commandId(),
        entry.operation());
    CommandResult result =
        CommandResult.failed(
            entry.commandId(),
            new CommandError(ErrorCode.OPERATION_FAILED, INTERRUPTED_MESSAGE),
            entry.startedAt(),
            clock.instant());
    return journal.finished(entry.commandId(), entry.operation(), entry.startedAt(), result);
  }

  private CommandResult run(Command command) throws IOException {
    Instant now = clock.instant();
    OperationSpec spec = spec(command);
    Optional<CommandError> refusal = refusal(command, spec, now);
    if (refusal.isPresent()) {
      CommandResult result = CommandResult.failed(command.id(), refusal.get(), now, now);
      log.warn(
          "command {} ({}) refused: {}",
          command.id(),
          command.operation(),
          refusal.get().message());
      journal.finished(command.id(), command.operation(), now, result);
      notify(command, result);
      return result;
    }
    journal.started(command.id(), command.operation(), now);
    log.info("command {} ({}{}) started", command.id(), command.operation(), vmSuffix(command));
    CommandResult result;
    try {
      ObjectNode output = spec.operation().run(command.params());
      result = CommandResult.succeeded(command.id(), output, now, clock.instant());
    } catch (OperationException e) {
      result = failed(command, new CommandError(e.code(), e.getMessage()), now);
    } catch (VmOperationException e) {
      result = failed(command, new CommandError(e.code(), e.getMessage()), now);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      result = failed(command, new CommandError(ErrorCode.OPERATION_FAILED, "interrupted"), now);
    } catch (Exception e) {
      log.error("command {} ({}) failed unexpectedly", command.id(), command.operation(), e);
      result = failed(command, new CommandError(ErrorCode.INTERNAL, e.toString()), now);
    }
    journal.finished(command.id(), command.operation(), now, result);
    notify(command, result);
    long millis = result.finishedAt().toEpochMilli() - now.toEpochMilli();
    if (result.error() == null) {
      log.info(
          "command {} ({}{}) done in {} ms",
          command.id(),
          command.operation(),
          vmSuffix(command),
          millis);
    } else {
      log.warn(
          "command {} ({}{}) failed in {} ms: {} {}",
          command.id(),
          command.operation(),
          vmSuffix(command),
          millis,
          result.error().code(),
          result.error().message());
    }
    return result;
  }

  private void notify(Command command, CommandResult result) {
    String operation = spec(command) == null ? "unknown" : command.operation();
    for (BiConsumer<String, CommandResult> listener : listeners) {
      listener.accept(operation, result);
    }
  }

  private OperationSpec spec(Command command) {
    return command.operation() == null ? null : operations.get(command.operation());
  }

  private CommandResult failed(Command command, CommandError error, Instant startedAt) {
    return CommandResult.failed(command.id(), error, startedAt, clock.instant());
  }

  private Optional<CommandError> refusal(Command command, OperationSpec spec, Instant now) {
    if (spec == null) {
      return Optional.of(
          new CommandError(
              ErrorCode.UNKNOWN_OPERATION,
              "unknown operation '"
                  + printable(command.operation())
                  + "'; this agent runs "
                  + String.join(", ", capabilities())));
    }
    if (command.deadline() != null && now.isAfter(command.deadline())) {
      return Optional.of(
          new CommandError(
              ErrorCode.DEADLINE_EXCEEDED,
              "the command's deadline " + command.deadline() + " passed before it could start"));
    }
    if (spec.checksOwnParams()) {
      return Optional.empty();
    }
    for (String name : spec.required()) {
      String value = command.params().get(name);
      if (value == null || value.isBlank()) {
        return Optional.of(
            new CommandError(
                ErrorCode.INVALID_ARGUMENT, spec.name() + " needs the parameter '" + name + "'"));
      }
    }
    for (String name : command.params().keySet()) {
      if (!spec.required().contains(name) && !spec.optional().contains(name)) {
        return Optional.of(
            new CommandError(
                ErrorCode.INVALID_ARGUMENT,
                spec.name()
                    + " does not take the parameter '"
                    + printable(name)
                    + "'; it takes "
                    + (spec.accepted().isEmpty() ? "none" : String.join(", ", spec.accepted()))));
      }
    }
    return Optional.empty();
  }

  private static String vmSuffix(Command command) {
    return command.vm() == null ? "" : " " + command.vm();
  }

  private static String printable(String text) {
    if (text == null) {
      return "";
    }
    String cut = text.length() > 64 ? text.substring(0, 64) + "..." : text;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
