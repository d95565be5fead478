package io.vmagent.faults;

import org.libvirt.Connect;
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
