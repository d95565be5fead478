package io.vmagent.agent.command;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * An operation with the parameters it takes: the dispatcher refuses a command that lacks a required
 * parameter or carries one the operation does not know, before anything runs.
 *
 * @param name the operation's wire name, e.g. {@code start}
 * @param required parameters that must be present and non-empty
 * @param optional parameters that may be present
 * @param operation what runs
 * @param checksOwnParams the operation validates its parameters itself (the sets are not used)
 */
public record OperationSpec(
    String name,
    Set<String> required,
    Set<String> optional,
    Operation operation,
    boolean checksOwnParams) {

  public OperationSpec {
    Objects.requireNonNull(name, "name == null");
    required = Set.copyOf(required);
    optional = Set.copyOf(optional);
    Objects.requireNonNull(operation, "operation == null");
  }

  /** An operation acting on the VM named by the {@code vm} parameter. */
  public static OperationSpec onVm(String name, Set<String> optional, Operation operation) {
    return new OperationSpec(name, Set.of("vm"), optional, operation, false);
  }

  /** An operation without a VM. */
  public static OperationSpec hostWide(String name, Set<String> optional, Operation operation) {
    return new OperationSpec(name, Set.of(), optional, operation, false);
  }

  /** An operation that checks its parameters itself (it throws {@code INVALID_ARGUMENT}). */
  public static OperationSpec selfChecked(String name, Operation operation) {
    return new OperationSpec(name, Set.of(), Set.of(), operation, true);
  }

  /** Every parameter this operation accepts, sorted, for error messages. */
  public Set<String> accepted() {
    Set<String> all = new TreeSet<>(required);
    all.addAll(optional);
    return all;
  }
}
