package io.vmagent.agent.operation;

import io.vmagent.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Every operation this agent runs, by name: the dispatcher, the capabilities sent at registration
 * and the documentation's table all read this one list.
 */
public final class OperationRegistry {
  private final Map<String, Operation<?>> byName;

  public OperationRegistry(Collection<? extends Operation<?>> operations) {
    Map<String, Operation<?>> sorted = new TreeMap<>();
    for (Operation<?> operation : operations) {
      if (sorted.put(operation.name(), operation) != null) {
        throw new IllegalArgumentException("operation " + operation.name() + " registered twice");
      }
    }
    this.byName = new LinkedHashMap<>(sorted);
  }

  /** A registry of {@code first}'s operations and {@code more}. */
  public static OperationRegistry of(List<? extends Operation<?>> first, Operation<?>... more) {
    List<Operation<?>> all = new ArrayList<>(first);
    all.addAll(List.of(more));
    return new OperationRegistry(all);
  }

  /** The names of the operations, sorted: the agent's capabilities. */
  public Set<String> names() {
    return byName.keySet();
  }

  /**
   * Each operation's name and parameter-set version, sorted by name: the versioned capabilities.
   */
  public Map<String, Integer> versions() {
    Map<String, Integer> versions = new LinkedHashMap<>();
    byName.forEach((name, operation) -> versions.put(name, operation.version()));
    return versions;
  }

  /** Every operation, sorted by name. */
  public Collection<Operation<?>> operations() {
    return byName.values();
  }

  /** The operation called {@code name}, if there is one. */
  public Optional<Operation<?>> find(String name) {
    return name == null ? Optional.empty() : Optional.ofNullable(byName.get(name));
  }

  /**
   * The operation called {@code name}.
   *
   * @throws OperationFailure {@code UNKNOWN_OPERATION}, naming the operations there are
   */
  public Operation<?> require(String name) {
    return find(name).orElseThrow(() -> unknown(name));
  }

  private OperationFailure unknown(String name) {
    return new OperationFailure(
        ErrorCode.UNKNOWN_OPERATION,
        "unknown operation '"
            + printable(name)
            + "'; this agent runs "
            + String.join(", ", names()));
  }

  /** {@code text} cut to 64 characters with control characters replaced, for messages. */
  static String printable(String text) {
    if (text == null) {
      return "";
    }
    String cut = text.length() > 64 ? text.substring(0, 64) + "..." : text;
    return cut.replaceAll("\\p{Cntrl}", "?");
  }
}
