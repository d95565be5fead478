package io.vmagent.faults;

import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;

/** Short calls on libvirt's in-process default test host, shared with in-process agents. */
final class Libvirt {
  static final String HOST = "test:///default";
  static final String VM = "test";

  private Libvirt() {}

  @FunctionalInterface
  interface Call<T> {
    T run(Connect connect) throws LibvirtException, InterruptedException;
  }

  static <T> T with(Call<T> call) throws LibvirtException, InterruptedException {
    Connect connect = new Connect(HOST);
    try {
      return call.run(connect);
    } finally {
      connect.close();
    }
  }

  /**
   * Puts the shared VM back to running. The default test host keeps its state for as long as any
   * connection in this JVM is open, and libvirt-java's domain handles keep their connection open
   * until they are garbage collected: a test that ends with the VM paused would otherwise hand that
   * state to whichever test runs next (it did in CI, where the order differs).
   */
  static void running() throws LibvirtException, InterruptedException {
    with(
        c -> {
          Domain domain = c.domainLookupByName(VM);
          DomainInfo.DomainState state = domain.getInfo().state;
          if (state == DomainInfo.DomainState.VIR_DOMAIN_PAUSED) {
            domain.resume();
          } else if (state != DomainInfo.DomainState.VIR_DOMAIN_RUNNING) {
            domain.create();
          }
          return null;
        });
  }

  static DomainInfo.DomainState state() throws LibvirtException, InterruptedException {
    return with(c -> c.domainLookupByName(VM).getInfo().state);
  }

  /** Pauses and resumes the VM {@code times} times: two lifecycle events each. */
  static void toggle(int times) throws LibvirtException, InterruptedException {
    with(
        c -> {
          for (int i = 0; i < times; i++) {
            c.domainLookupByName(VM).suspend();
            c.domainLookupByName(VM).resume();
          }
          return null;
        });
  }
}
