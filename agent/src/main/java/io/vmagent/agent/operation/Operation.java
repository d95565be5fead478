package io.vmagent.agent.operation;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * One operation the agent runs for a command: its wire name, the parameters it takes (read once
 * into a record {@code P}), whether it holds the VM's lock (one such operation at a time per VM, in
 * arrival order), how long it may take at most, and what runs.
 *
 * @param name the wire name, e.g. {@code pause}
 * @param accepted the parameter names it takes; any other is {@code INVALID_ARGUMENT}
 * @param parser reads the parameters into {@code P}, throwing {@code INVALID_ARGUMENT}
 * @param locksVm whether it runs in the VM's queue
 * @param deadline the longest it may wait and run before it is reported as {@code TIMEOUT}
 * @param body what runs; its output is sent as the result's {@code result} object
 * @param version the version of its parameter set, advertised with its name; raised when the
 *     parameters it takes change, so the backend can tell what an agent understands
 * @param aftermath what it left behind when the agent died running it, or null when it cannot tell
 */
public record Operation<P>(
    String name,
    Set<String> accepted,
    Parser<P> parser,
    boolean locksVm,
    Duration deadline,
    Body<P> body,
    int version,
    Aftermath aftermath) {

  /** Reads an operation's parameters. */
  @FunctionalInterface
  public interface Parser<P> {
    P parse(Params params);
  }

  /** Runs an operation with its parsed parameters. */
  @FunctionalInterface
  public interface Body<P> {
    /**
     * Runs the operation; its output is sent as the result's {@code result} object.
     *
     * @throws OperationFailure with the error code to report; any other exception is reported as
     *     {@code INTERNAL}
     */
    Object run(P params) throws Exception;
  }

  /**
   * Looks, after the agent died while the operation ran, at what the operation left behind, so the
   * command's result can name it.
   */
  @FunctionalInterface
  public interface Aftermath {
    /**
     * What is left on the host, in a sentence.
     *
     * @param vm the command's {@code vm} parameter, or null
     */
    String describe(String vm) throws Exception;
  }

  /**
   * A body that can stop cleanly when its command is cancelled: it checks or awaits {@code
   * cancellation} where stopping leaves nothing half done, and then throws {@link
   * OperationCancelled}. Run without a command (the command line), nobody cancels it.
   */
  @FunctionalInterface
  public interface CancellableBody<P> extends Body<P> {
    /** Runs the operation, stopping where it can when {@code cancellation} fires. */
    Object run(P params, Cancellation cancellation) throws Exception;

    @Override
    default Object run(P params) throws Exception {
      return run(params, Cancellation.none());
    }
  }

  /** An operation ready to run: its parameters were read and found good. */
  @FunctionalInterface
  public interface Call {
    Object run() throws Exception;
  }

  /** Parameters of an operation that takes none. */
  public record None() {}

  public Operation {
    Objects.requireNonNull(name, "name == null");
    accepted = Set.copyOf(new TreeSet<>(accepted));
    Objects.requireNonNull(parser, "parser == null");
    Objects.requireNonNull(deadline, "deadline == null");
    Objects.requireNonNull(body, "body == null");
    if (version < 1) {
      throw new IllegalArgumentException("version must be 1 or more: " + version);
    }
  }

  /** An operation that cannot tell what it left behind when the agent died running it. */
  public Operation(
      String name,
      Set<String> accepted,
      Parser<P> parser,
      boolean locksVm,
      Duration deadline,
      Body<P> body,
      int version) {
    this(name, accepted, parser, locksVm, deadline, body, version, null);
  }

  /** An operation whose parameter set is at its first version. */
  public Operation(
      String name,
      Set<String> accepted,
      Parser<P> parser,
      boolean locksVm,
      Duration deadline,
      Body<P> body) {
    this(name, accepted, parser, locksVm, deadline, body, 1);
  }

  /** This operation, telling with {@code aftermath} what it left when the agent died running it. */
  public Operation<P> withAftermath(Aftermath aftermath) {
    return new Operation<>(
        name,
        accepted,
        parser,
        locksVm,
        deadline,
        body,
        version,
        Objects.requireNonNull(aftermath, "aftermath == null"));
  }

  /** An operation without parameters that touches no VM (e.g. {@code agent_info}). */
  public static Operation<None> hostWide(String name, Duration deadline, Body<None> body) {
    return new Operation<>(name, Set.of(), p -> new None(), false, deadline, body);
  }

  /** Reads {@code raw} (the command's parameters) into {@code P}. */
  public P parse(Map<String, ?> raw) {
    return parser.parse(new Params(name, raw, accepted));
  }

  /** Reads {@code raw} and binds the result to the body; nothing runs yet. */
  public Call bind(Map<String, ?> raw) {
    return bind(raw, Cancellation.none());
  }

  /**
   * Reads {@code raw} and binds the result to the body, which stops where it can once {@code
   * cancellation} fires (a body that cannot stop cleanly ignores it); nothing runs yet.
   */
  public Call bind(Map<String, ?> raw, Cancellation cancellation) {
    P params = parse(raw);
    if (body instanceof CancellableBody<P> cancellable) {
      return () -> cancellable.run(params, cancellation);
    }
    return () -> body.run(params);
  }
}
