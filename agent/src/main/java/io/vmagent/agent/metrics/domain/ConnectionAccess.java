package io.vmagent.agent.metrics.domain;

import org.libvirt.Connect;

/**
 * How the domain collector reaches libvirt: it hands over work to run with a live connection. The
 * agent wires this to its connection manager; tests pass a connection they opened.
 */
@FunctionalInterface
public interface ConnectionAccess {
  /** Runs {@code work} with a live connection; propagates its failure. */
  void withConnection(Work work) throws Exception;

  /** Work done with a connection. */
  @FunctionalInterface
  interface Work {
    void run(Connect connect) throws Exception;
  }

  /** Access to one already-open connection. */
  static ConnectionAccess of(Connect connect) {
    return work -> work.run(connect);
  }
}
