package io.vmagent.agent.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * The real libvirt daemon with QEMU that {@code bin/test} starts for the system tests ({@code
 * testing/hypervisor/libvirtd.sh}), and the tiny VMs the tests run on it.
 *
 * <p>Tests call {@link #open()} first: it skips the test (JUnit assumption) when {@value #URI_ENV}
 * is unset, so the unit suite runs without a hypervisor. VMs are defined with names starting
 * {@value #PREFIX}; {@link #close()} destroys and undefines them and deletes their volumes.
 */
public final class RealHypervisor implements AutoCloseable {
  /** The environment variable carrying the daemon's URI. */
  public static final String URI_ENV = "VMAGENT_SYSTEM_LIBVIRT_URI";

  /**
   * The environment variable carrying a second, independent daemon's URI, the destination of the
   * migration tests.
   */
  public static final String SECOND_URI_ENV = "VMAGENT_SYSTEM_LIBVIRT_URI_B";

  /** Every VM and volume the helper creates has a name starting with this. */
  public static final String PREFIX = "vmagent-test-";

  /** The storage pool (type dir) the test disks live in. */
  public static final String POOL = "vmagent-test";

  private static final long DISK_BYTES = 64L << 20;

  /**
   * A boot sector that prints "tinyguest: up, waiting for ACPI power button" on COM1, enables the
   * ACPI power-button event of the PIIX4 PM block at 0x600, halts, and on the button press writes
   * SLP_EN so QEMU powers off: a guest that honours ACPI shutdown in 512 bytes.
   */
  private static final String ACPI_GUEST_BOOT_SECTOR =
      "fafc31c08ed88ed0bc007cbe3c7cac84c07406baf803eeebf5ba0206b80001effbf4ba0006eda9000174f6"
          + "baf803b053eeba0406b80020effaf4ebfc74696e7967756573743a2075702c2077616974696e6720"
          + "666f72204143504920706f77657220627574746f6e0d0a";

  private final String uri;
  private Connect connect;
  private final Path poolDir;
  private final Path workDir;

  private RealHypervisor(String uri, Connect connect, Path poolDir, Path workDir) {
    this.uri = uri;
    this.connect = connect;
    this.poolDir = poolDir;
    this.workDir = workDir;
  }

  /** The daemon's URI, or null when the system tests are not set up. */
  public static String uriOrNull() {
    String value = System.getenv(URI_ENV);
    return value == null || value.isBlank() ? null : value;
  }

  /** The URI; skips the calling test when it is not set. */
  public static String requireUri() {
    String value = uriOrNull();
    assumeTrue(
        value != null,
        URI_ENV
            + " is not set: system tests on a real hypervisor skipped (bin/test starts one;"
            + " see docs/operations.md, \"System tests\")");
    return value;
  }

  /** Connects (its own connection, for setup and clean-up) and prepares the storage pool. */
  public static RealHypervisor open() throws LibvirtException, IOException {
    return open(requireUri());
  }

  /** The second daemon ({@value #SECOND_URI_ENV}); skips the calling test when it is not set. */
  public static RealHypervisor openSecond() throws LibvirtException, IOException {
    String value = System.getenv(SECOND_URI_ENV);
    assumeTrue(
        value != null && !value.isBlank(),
        SECOND_URI_ENV
            + " is not set: system tests with two hypervisors skipped (bin/test starts a second"
            + " daemon; see docs/operations.md, \"System tests\")");
    return open(value);
  }

  private static RealHypervisor open(String uri) throws LibvirtException, IOException {
    Connect connect = new Connect(uri);
    Path poolDir = poolDirectory(uri);
    Files.createDirectories(poolDir);
    Path workDir = Files.createDirectories(poolDir.resolveSibling("work"));
    RealHypervisor hypervisor = new RealHypervisor(uri, connect, poolDir, workDir);
    hypervisor.pool();
    return hypervisor;
  }

  /** The URI of the daemon. */
  public String uri() {
    return uri;
  }

  /** The helper's own connection. */
  public Connect connect() {
    return connect;
  }

  /** Opens a new helper connection, for after the daemon was restarted under the old one. */
  public void reconnect() throws LibvirtException {
    try {
      connect.close();
    } catch (LibvirtException e) {
      // the old connection died with the daemon; nothing to release
    }
    connect = new Connect(uri);
  }

  /** Where {@code testing/hypervisor/libvirtd.sh} keeps the daemon's state. */
  public Path daemonDir() {
    return poolDir.getParent();
  }

  /**
   * Runs {@code testing/hypervisor/libvirtd.sh COMMAND} on this daemon ({@code daemon-stop}, {@code
   * daemon-start}), waiting at most 60 s.
   */
  public void control(String command) throws IOException, InterruptedException {
    Path script = findScript();
    Process process =
        new ProcessBuilder(script.toString(), command, daemonDir().toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("libvirtd.sh " + command + " failed: " + output);
    }
  }

  /**
   * A qcow2 volume in the pool whose guest honours ACPI: shutdown powers it off, a reboot request
   * powers it off and libvirt starts it again.
   */
  public StorageVol acpiGuestDisk(String name)
      throws IOException, InterruptedException, LibvirtException {
    byte[] sector = new byte[512];
    byte[] code = HexFormat.of().parseHex(ACPI_GUEST_BOOT_SECTOR);
    System.arraycopy(code, 0, sector, 0, code.length);
    sector[510] = 0x55;
    sector[511] = (byte) 0xaa;
    Path raw = workDir.resolve(name + ".raw");
    try (RandomAccessFile file = new RandomAccessFile(raw.toFile(), "rw")) {
      file.setLength(DISK_BYTES);
      file.seek(0);
      file.write(sector);
    }
    try {
      run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), volumePath(name));
    } finally {
      Files.deleteIfExists(raw);
    }
    return refreshAndFind(name);
  }

  /** A qcow2 volume with no operating system: the guest ignores ACPI shutdown and reboot. */
  public StorageVol blankDisk(String name)
      throws IOException, InterruptedException, LibvirtException {
    run("qemu-img", "create", "-q", "-f", "qcow2", volumePath(name), String.valueOf(DISK_BYTES));
    return refreshAndFind(name);
  }

  /**
   * Defines a persistent 64 MiB, 1-vCPU TCG guest booting {@code disk}, with ACPI, a serial port
   * logged to a file, a virtio balloon and, when {@code withTap}, an ethernet interface on a tap
   * device (for interface statistics).
   *
   * @param name must start with {@link #PREFIX}
   * @return the domain
   */
  public Domain defineVm(String name, StorageVol disk, boolean withTap) throws LibvirtException {
    if (!name.startsWith(PREFIX)) {
      throw new IllegalArgumentException("test VM names start with " + PREFIX);
    }
    String tap =
        withTap
            ? "<interface type='ethernet'><target dev='vt"
                + Math.abs(name.hashCode() % 100000)
                + "'/><model type='virtio'/></interface>"
            : "";
    String xml =
        "<domain type='qemu'>"
            + "<name>"
            + name
            + "</name>"
            + "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
            + "<os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>"
            + "<features><acpi/></features>"
            + "<on_poweroff>destroy</on_poweroff><on_reboot>restart</on_reboot>"
            + "<on_crash>destroy</on_crash>"
            + "<devices>"
            + "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
            + "<source file='"
            + disk.getPath()
            + "'/><target dev='vda' bus='virtio'/></disk>"
            + tap
            + "<serial type='file'><source path='"
            + serialLog(name)
            + "'/>"
            + "<target port='0'/></serial>"
            + "<memballoon model='virtio'/>"
            + "</devices></domain>";
    return connect.domainDefineXML(xml);
  }

  /** The file the guest's COM1 is written to. */
  public Path serialLog(String name) {
    return workDir.resolve(name + ".serial");
  }

  /**
   * A libvirt network {@code name} bridging onto a new host bridge {@code bridge} in the daemon's
   * own network namespace: a network for test VMs without dnsmasq or iptables, which the private
   * daemon lacks. Transient: it goes with {@link #cleanUp()} or the daemon.
   *
   * @param name must start with {@link #PREFIX}
   */
  public void bridgedNetwork(String name, String bridge)
      throws IOException, InterruptedException, LibvirtException {
    if (!name.startsWith(PREFIX)) {
      throw new IllegalArgumentException("test network names start with " + PREFIX);
    }
    String netns =
        "--net=/proc/" + Files.readString(daemonDir().resolve("libvirtd.pid")).strip() + "/ns/net";
    if (!List.of(connect.listNetworks()).contains(name)) {
      try {
        run("nsenter", netns, "ip", "link", "add", bridge, "type", "bridge");
      } catch (IOException e) {
        if (!e.getMessage().contains("File exists")) {
          throw e;
        }
      }
      run("nsenter", netns, "ip", "link", "set", bridge, "up");
      connect.networkCreateXML(
          "<network><name>"
              + name
              + "</name><forward mode='bridge'/><bridge name='"
              + bridge
              + "'/></network>");
    }
  }

  /** Whether a volume of that name is in the pool. */
  public boolean hasVolume(String name) throws LibvirtException {
    StoragePool pool = pool();
    pool.refresh(0);
    return List.of(pool.listVolumes()).contains(name);
  }

  /** Destroys and undefines every test VM and deletes every test volume. */
  public void cleanUp() throws LibvirtException {
    List<String> names = new ArrayList<>(List.of(connect.listDefinedDomains()));
    for (int id : connect.listDomains()) {
      names.add(connect.domainLookupByID(id).getName());
    }
    for (String name : names) {
      if (!name.startsWith(PREFIX)) {
        continue;
      }
      Domain domain = connect.domainLookupByName(name);
      if (domain.isActive() == 1) {
        domain.destroy();
      }
      if (domain.isPersistent() == 1) {
        domain.undefine(
            Domain.UndefineFlags.SNAPSHOTS_METADATA | Domain.UndefineFlags.MANAGED_SAVE);
      }
    }
    for (String network : connect.listNetworks()) {
      if (network.startsWith(PREFIX)) {
        connect.networkLookupByName(network).destroy();
      }
    }
    StoragePool pool = pool();
    pool.refresh(0);
    for (String volume : pool.listVolumes()) {
      if (volume.startsWith(PREFIX)) {
        pool.storageVolLookupByName(volume).delete(0);
      }
    }
  }

  /** Cleans up and closes the connection. */
  @Override
  public void close() throws LibvirtException {
    try {
      cleanUp();
    } finally {
      connect.close();
    }
  }

  /** Polls until {@code condition} holds or {@code timeout} passes; true if it held. */
  public static boolean await(Duration timeout, Check condition) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.holds()) {
        return true;
      }
      Thread.sleep(50);
    }
    return condition.holds();
  }

  /** A condition for {@link #await}. */
  @FunctionalInterface
  public interface Check {
    boolean holds() throws Exception;
  }

  private StoragePool pool() throws LibvirtException {
    try {
      StoragePool pool = connect.storagePoolLookupByName(POOL);
      if (pool.isActive() == 0) {
        pool.create(0);
      }
      return pool;
    } catch (LibvirtException e) {
      return connect.storagePoolCreateXML(
          "<pool type='dir'><name>"
              + POOL
              + "</name><target><path>"
              + poolDir
              + "</path></target></pool>",
          0);
    }
  }

  private StorageVol refreshAndFind(String name) throws LibvirtException {
    StoragePool pool = pool();
    pool.refresh(0);
    return pool.storageVolLookupByName(name);
  }

  private String volumePath(String name) {
    if (!name.startsWith(PREFIX)) {
      throw new IllegalArgumentException("test volume names start with " + PREFIX);
    }
    return poolDir.resolve(name).toString();
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
  }

  /** The daemon directory is the parent of the socket's run/libvirt folder. */
  private static Path poolDirectory(String uri) {
    int at = uri.indexOf("socket=");
    if (at < 0) {
      return Path.of(System.getProperty("java.io.tmpdir"), "vmagent-system-test", "pool");
    }
    Path socket = Path.of(uri.substring(at + "socket=".length()).split("&", -1)[0]);
    return socket.getParent().getParent().getParent().resolve("pool");
  }

  private static Path findScript() throws IOException {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path candidate = dir; candidate != null; candidate = candidate.getParent()) {
      Path script = candidate.resolve("testing/hypervisor/libvirtd.sh");
      if (Files.isExecutable(script)) {
        return script;
      }
    }
    throw new IOException("testing/hypervisor/libvirtd.sh not found above " + dir);
  }
}
