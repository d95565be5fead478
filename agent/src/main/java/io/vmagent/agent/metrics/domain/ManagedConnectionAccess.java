package io.vmagent.agent.metrics.domain;

import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import java.time.Duration;
import java.util.Objects;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;

/**
 * {@link ConnectionAccess} through the agent's {@link LibvirtConnectionManager}: collection runs on
 * a libvirt worker under a deadline, and when a statistics call fails on a connection that is no
 * longer alive the manager is told, so it reconnects as it would for its own calls.
 */
public final class ManagedConnectionAccess implements ConnectionAccess {
  private final LibvirtConnectionManager manager;
  private final Duration deadline;

  /**
   * @param manager the agent's connection manager
   * @param deadline how long one whole collection of domain statistics may take
   */
  public ManagedConnectionAccess(LibvirtConnectionManager manager, Duration deadline) {
    this.manager = Objects.requireNonNull(manager, "manager == null");
    this.deadline = Objects.requireNonNull(deadline, "deadline == null");
  }

  @Override
  public void withConnection(Work work) throws Exception {
    try {
      manager.withConnection(
          "collect domain statistics",
          deadline,
          connect -> {
            run(work, connect);
            return null;
          });
    } catch (Carrier carrier) {
      throw carrier.failure;
    }
  }

  private void run(Work work, Connect connect) throws LibvirtException {
    try {
      work.run(connect);
    } catch (LibvirtException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      if (e instanceof DomainStatsException && !alive(connect)) {
        manager.reportBroken(connect, e.getMessage());
      }
      throw new Carrier(e);
    }
  }

  private static boolean alive(Connect connect) {
    try {
      return connect.isAlive();
    } catch (LibvirtException | RuntimeException e) {
      return false;
    }
  }

  /** Carries a checked failure of the work through the manager, which rethrows runtime ones. */
  private static final class Carrier extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final transient Exception failure;

    Carrier(Exception failure) {
      super(failure.getMessage(), failure, false, false);
      this.failure = failure;
    }
  }
}
