package io.vmagent.agent.command;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmagent.agent.operation.Cancellation;
import io.vmagent.agent.operation.Operation;
import io.vmagent.agent.operation.OperationCancelled;
import io.vmagent.agent.operation.OperationFailure;
import io.vmagent.agent.operation.OperationRegistry;
import io.vmagent.protocol.Command;
import io.vmagent.protocol.CommandError;
import io.vmagent.protocol.CommandResult;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.ProtocolJson;
import io.vmagent.protocol.ResultStatus;
import io.vmagent.protocol.text.Printable;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs commands with an exactly-once effect over at-least-once delivery: a command already in the
 * {@link CommandJournal} is answered from it; an operation not in the {@link OperationRegistry},
 * bad parameters or a deadline already passed get an error result and nothing runs; otherwise it is
 * journaled as started, run, and its result journaled before it is returned for reporting. A
 * command an operator cancels ({@link #cancel}) is not started if it has not been, and an operation
 * that can stop cleanly stops; either reports {@code CANCELLED} once, like any result.
 */
public final class CommandDispatcher {
  private static final Logger log = LoggerFactory.getLogger(CommandDispatcher.class);
  private static final ObjectMapper JSON = ProtocolJson.tolerantMapper();

  /** The message of a command the agent was running when it died. */
  static final String INTERRUPTED_MESSAGE =
      "the agent stopped while running this command; it is not run again because its effect is"
          + " unknown: check the VM's state";

  /** The start of that message when the operation tells what it left. */
  static final String INTERRUPTED_LEFT =
      "the agent stopped while running this command; it is not run again; what it left: ";

  private final OperationRegistry operations;
  private final CommandJournal journal;
  private final Clock clock;
  private final Set<String> running = ConcurrentHashMap.newKeySet();
  // The cancellation token of each command received and not yet done, by id.
  private final Map<String, Cancellation> cancellations = new ConcurrentHashMap<>();
  private final List<BiConsumer<String, CommandResult>> listeners = new CopyOnWriteArrayList<>();

  public CommandDispatcher(OperationRegistry operations, CommandJournal journal, Clock clock) {
    this.operations = Objects.requireNonNull(operations, "operations == null");
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
    return operations.names();
  }

  /** Each operation's name and parameter-set version, sorted by name. */
  public Map<String, Integer> operationVersions() {
    return operations.versions();
  }

  /** How a result counts in the health metrics: success, timeout, refused or failure. */
  public static String outcome(CommandResult result) {
    if (result.error() == null) {
      return "success";
    }
    return switch (result.error().code()) {
      case TIMEOUT -> "timeout";
      case DEADLINE_EXCEEDED, UNKNOWN_OPERATION, INVALID_ARGUMENT -> "refused";
      default -> "failure";
    };
  }

  /**
   * Notes a command about to be handed to a worker, so a cancel request that arrives before the
   * worker starts it still reaches it.
   */
  public void received(String commandId) {
    if (CommandJournal.acceptableId(commandId)) {
      cancellations.computeIfAbsent(commandId, id -> new Cancellation());
    }
  }

  /**
   * An operator asked to cancel these commands (a poll or heartbeat answer named them; they may be
   * named again until their results are in). One this agent has received and not finished does not
   * start, or stops where its operation can stop cleanly; others are ignored.
   */
  public void cancel(Collection<String> commandIds) {
    if (commandIds == null) {
      return;
    }
    for (String id : commandIds) {
      Cancellation cancellation = cancellations.get(id);
      if (cancellation == null) {
        log.debug("cancel request for command {} ignored: it is not running here", id);
      } else if (cancellation.cancel()) {
        log.info(
            "command {} cancelled by an operator: it stops if it can stop cleanly, else it"
                + " finishes and reports as usual",
            id);
      }
    }
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
      return Optional.of(run(command, cancellations.computeIfAbsent(id, k -> new Cancellation())));
    } finally {
      cancellations.remove(id);
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

  /**
   * Finishes a journal entry whose command was cut short by an agent crash; the result names what
   * the command left when its operation can tell ({@link Operation#aftermath()}).
   */
  public JournalEntry interrupted(JournalEntry entry) throws IOException {
    String message = interruptedMessage(entry);
    log.warn(
        "command {} ({}) was running when the agent stopped; reported as failed, not run again: {}",
        entry.commandId(),
        entry.operation(),
        message);
    CommandResult result =
        CommandResult.failed(
            entry.commandId(),
            new CommandError(ErrorCode.OPERATION_FAILED, message),
            entry.startedAt(),
            clock.instant());
    return journal.finished(entry.commandId(), entry.operation(), entry.startedAt(), result);
  }

  private String interruptedMessage(JournalEntry entry) {
    Operation.Aftermath aftermath =
        operations.find(entry.operation()).map(Operation::aftermath).orElse(null);
    if (aftermath == null) {
      return INTERRUPTED_MESSAGE;
    }
    try {
      return INTERRUPTED_LEFT + aftermath.describe(entry.vm());
    } catch (Exception e) {
      return INTERRUPTED_MESSAGE
          + " (what it left could not be checked: "
          + Printable.escape(String.valueOf(e.getMessage()))
          + ")";
    }
  }

  private CommandResult run(Command command, Cancellation cancellation) throws IOException {
    Instant now = clock.instant();
    Operation.Call call;
    try {
      call = prepare(command, now, cancellation);
    } catch (OperationFailure refusal) {
      return refuse(command, new CommandError(refusal.code(), refusal.getMessage()), now);
    }
    if (cancellation.cancelled()) {
      return refuse(
          command,
          new CommandError(
              ErrorCode.CANCELLED, "cancelled by an operator before it started; nothing was run"),
          now);
    }
    journal.started(command.id(), command.operation(), command.vm(), now);
    log.info("command {} ({}{}) started", command.id(), command.operation(), vmSuffix(command));
    CommandResult result = execute(command, call, now);
    journal.finished(command.id(), command.operation(), now, result);
    notify(command, result);
    logOutcome(command, result, now);
    return result;
  }

  /** The operation bound to the command's parameters, or the reason it must not run. */
  private Operation.Call prepare(Command command, Instant now, Cancellation cancellation) {
    Operation<?> operation = operations.require(command.operation());
    if (command.deadline() != null && now.isAfter(command.deadline())) {
      throw new OperationFailure(
          ErrorCode.DEADLINE_EXCEEDED,
          "the command's deadline " + command.deadline() + " passed before it could start");
    }
    return operation.bind(command.params(), cancellation);
  }

  private CommandResult refuse(Command command, CommandError refusal, Instant now)
      throws IOException {
    CommandResult result = CommandResult.failed(command.id(), refusal, now, now);
    log.warn("command {} ({}) refused: {}", command.id(), command.operation(), refusal.message());
    journal.finished(command.id(), command.operation(), now, result);
    notify(command, result);
    return result;
  }

  private CommandResult execute(Command command, Operation.Call call, Instant startedAt) {
    try {
      ObjectNode output = JSON.valueToTree(call.run());
      return CommandResult.succeeded(command.id(), output, startedAt, clock.instant());
    } catch (OperationCancelled e) {
      ObjectNode output = e.output() == null ? null : JSON.valueToTree(e.output());
      return new CommandResult(
          command.id(),
          ResultStatus.FAILED,
          output,
          new CommandError(e.code(), e.getMessage()),
          startedAt,
          clock.instant());
    } catch (OperationFailure e) {
      return failed(command, new CommandError(e.code(), e.getMessage()), startedAt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return failed(
          command, new CommandError(ErrorCode.OPERATION_FAILED, "interrupted"), startedAt);
    } catch (Exception e) {
      log.error("command {} ({}) failed unexpectedly", command.id(), command.operation(), e);
      return failed(command, new CommandError(ErrorCode.INTERNAL, e.toString()), startedAt);
    }
  }

  private void logOutcome(Command command, CommandResult result, Instant startedAt) {
    long millis = result.finishedAt().toEpochMilli() - startedAt.toEpochMilli();
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
  }

  private void notify(Command command, CommandResult result) {
    String operation =
        operations.find(command.operation()).isPresent() ? command.operation() : "unknown";
    for (BiConsumer<String, CommandResult> listener : listeners) {
      listener.accept(operation, result);
    }
  }

  private CommandResult failed(Command command, CommandError error, Instant startedAt) {
    return CommandResult.failed(command.id(), error, startedAt, clock.instant());
  }

  private static String vmSuffix(Command command) {
    return command.vm() == null ? "" : " " + command.vm();
  }
}
