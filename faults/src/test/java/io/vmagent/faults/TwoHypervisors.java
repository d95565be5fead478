package io.vmagent.faults;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainInfo;
import org.libvirt.LibvirtException;

/**
 * The two private libvirt daemons {@code bin/test} starts for the migration scenarios ({@code
 * VMAGENT_SYSTEM_LIBVIRT_URI}, the source, and {@code VMAGENT_SYSTEM_LIBVIRT_URI_B}, the
 * destination), with one small VM on a qcow2 disk both daemons see.
 */
final class TwoHypervisors implements AutoCloseable {
  final String sourceUri;
  final String destinationUri;
  final Connect source;
  final Connect destination;
  private final String vm;
  private final List<String> vms;

  private TwoHypervisors(String sourceUri, String destinationUri, List<String> vms)
      throws LibvirtException {
    this.sourceUri = sourceUri;
    this.destinationUri = destinationUri;
    this.vm = vms.get(0);
    this.vms = vms;
    this.source = new Connect(sourceUri);
    this.destination = new Connect(destinationUri);
    removeAll();
  }

  /**
   * Both daemons, no VM with one of these names on either (the first is the one {@link
   * #startVmOnSource} starts); skips the test without them.
   */
  static TwoHypervisors open(String... vms) throws LibvirtException {
    String sourceUri = System.getenv("VMAGENT_SYSTEM_LIBVIRT_URI");
    String destinationUri = System.getenv("VMAGENT_SYSTEM_LIBVIRT_URI_B");
    assumeTrue(
        sourceUri != null && destinationUri != null,
        "VMAGENT_SYSTEM_LIBVIRT_URI and VMAGENT_SYSTEM_LIBVIRT_URI_B are not both set: no two"
            + " libvirt daemons to migrate between (bin/test starts them as root)");
    return new TwoHypervisors(sourceUri, destinationUri, List.of(vms));
  }

  /** Defines and starts the 64 MiB, 1-vCPU TCG VM on the source, its blank disk at {@code disk}. */
  void startVmOnSource(Path disk) throws Exception {
    Process process =
        new ProcessBuilder("qemu-img", "create", "-q", "-f", "qcow2", disk.toString(), "64M")
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException("qemu-img create failed: " + output);
    }
    source
        .domainDefineXML(
            "<domain type='qemu'><name>"
                + vm
                + "</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>"
                + "<devices><disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
                + "<source file='"
                + disk
                + "'/><target dev='vda' bus='virtio'/></disk></devices></domain>")
        .create();
  }

  /**
   * Defines and starts a 32 MiB, 1-vCPU TCG VM without disks on the source: it idles in the
   * firmware, which is all a migration needs, and needs no storage both hosts see.
   */
  void startDisklessOnSource(String name) throws LibvirtException {
    source
        .domainDefineXML(
            "<domain type='qemu'><name>"
                + name
                + "</name><memory unit='MiB'>32</memory><vcpu>1</vcpu>"
                + "<os><type arch='x86_64' machine='pc'>hvm</type></os><devices/></domain>")
        .create();
  }

  /** Whether the source's libvirt job for the VM has moved any data yet. */
  boolean dataMoving() throws LibvirtException {
    return source.domainLookupByName(vm).getJobInfo().getDataProcessed() > 0;
  }

  /**
   * The VM on {@code connect}: {@code running}, {@code paused}, {@code shut off} or {@code absent}.
   */
  String state(Connect connect) throws LibvirtException {
    return state(connect, vm);
  }

  /** The VM {@code name} on {@code connect}, as {@link #state(Connect)} tells it. */
  String state(Connect connect, String name) throws LibvirtException {
    if (List.of(connect.listDefinedDomains()).contains(name)) {
      return "shut off";
    }
    for (int id : connect.listDomains()) {
      Domain domain = connect.domainLookupByID(id);
      if (domain.getName().equals(name)) {
        return domain.getInfo().state == DomainInfo.DomainState.VIR_DOMAIN_RUNNING
            ? "running"
            : "paused";
      }
    }
    return "absent";
  }

  private void removeAll() throws LibvirtException {
    for (String name : vms) {
      remove(source, name);
      remove(destination, name);
    }
  }

  private void remove(Connect connect, String name) throws LibvirtException {
    if (state(connect, name).equals("absent")) {
      return;
    }
    Domain domain = connect.domainLookupByName(name);
    if (domain.isActive() == 1) {
      domain.destroy();
    }
    if (domain.isPersistent() == 1) {
      domain.undefine();
    }
  }

  /** Removes the VMs from both daemons and closes the connections. */
  @Override
  public void close() throws LibvirtException {
    try {
      removeAll();
    } finally {
      source.close();
      destination.close();
    }
  }
}
