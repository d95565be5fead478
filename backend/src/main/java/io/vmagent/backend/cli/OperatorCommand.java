package io.vmagent.backend.cli;

import io.vmagent.backend.client.OperatorClient;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command an operator runs against a backend, reached through the {@link Connection}. */
abstract class OperatorCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin Connection connection;

  @Override
  public final Integer call() throws Exception {
    checkArguments();
    return call(connection.client());
  }

  /**
   * Refuses bad arguments with an {@code IllegalArgumentException}, before the backend is reached.
   */
  void checkArguments() {}

  /** Runs the command with a client of the backend; returns the exit status. */
  abstract int call(OperatorClient client) throws Exception;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
