package io.vmagent.agent.libvirt;

/**
 * The result of one VM operation, as sent to the backend (JSON, snake_case field names) and printed
 * by the command line.
 */
public sealed interface OperationOutput
    permits LifecycleResult,
        SnapshotResult,
        VmList,
        VmDetails,
        VmAddresses,
        ChangeResult,
        CreateResult {
  /** The operation's name: {@code start}, {@code list}, {@code snapshot}, ... */
  String operation();
}
