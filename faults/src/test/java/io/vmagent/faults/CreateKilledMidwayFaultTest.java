package io.vmagent.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vmagent.agent.libvirt.create.Origin;
import io.vmagent.backend.RunningBackend;
import io.vmagent.protocol.CommandState;
import io.vmagent.protocol.CommandView;
import io.vmagent.testing.AgentProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;

/**
 * The agent process is SIGKILLed while {@code create} makes a VM's volumes on the real libvirt
 * daemon bin/test starts ({@code VMAGENT_SYSTEM_LIBVIRT_URI}), and started again. The create is
 * held at a known point by a real part: each of its two disks is a full clone of a 512 MiB base
 * volume of data, a copy libvirt makes with qemu-img, and the test kills the agent as soon as it
 * sees the VM defined and marked incomplete (the step before the copies). After the restart the
 * command is reported once, as interrupted, is never run again, and its result names exactly what
 * the create left, which {@code delete} with {@code remove_storage} then removes. Skipped without
 * the daemon.
 */
class CreateKilledMidwayFaultTest {
  private static final String POOL = "create-killed";
  private static final String VM = "create-killed-vm";
  private static final int BASE_MIB = 512;

  @TempDir Path dir;
  RunningBackend backend;
  AgentProcess agent;
  Connect libvirt;

  @AfterEach
  void stop() throws Exception {
    if (agent != null) {
      agent.close();
    }
    Harness.stop(backend);
    if (libvirt != null) {
      removePool();
      libvirt.close();
    }
  }

  @Test
  void aCreateKilledWhileCopyingIsReportedOnceNotRunAgainAndNamesWhatItLeft() throws Exception {
    String uri = Harness.realLibvirtUri();
    libvirt = new Connect(uri);
    Path daemonDir = Path.of(uri.replaceFirst(".*socket=", "")).getParent().getParent().getParent();
    StoragePool pool = pool(daemonDir.resolve("pool").resolve(POOL));
    backend = Harness.backend(dir.resolve("backend"), 0, b -> b);
    Map<String, String> settings =
        Harness.agentSettings(
            backend.baseUrl(),
            backend.caCertificatePath(),
            dir.resolve("agent"),
            "create-killed",
            backend.createBootstrapToken(false, null),
            uri);
    Path log = dir.resolve("agent.log");
    agent = AgentProcess.start(settings, log);
    String id = Harness.awaitRunning(agent, dir.resolve("agent"));

    String clone = "pool=" + POOL + ",base=base.raw,mode=clone";
    CommandView queued =
        backend.queueCommand(
            id,
            "create",
            Map.of("vm", VM, "vcpus", "1", "memory_mib", "64", "disks", clone + ";" + clone));
    // Killed once the VM is defined and its first volume is in the pool, so the kill lands while
    // the volumes are being made (each clone copies 512 MiB) rather than just before the first.
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(5))
        .until(() -> incomplete().isPresent() && !listed(pool).isEmpty());
    agent.kill();
    assertThat(Files.readString(journal(queued.id())))
        .as("the journal holds the create as started, without a result")
        .doesNotContain("\"result\"");

    agent = AgentProcess.start(settings, log);
    CommandView done = backend.awaitCommand(queued.id(), Duration.ofSeconds(60));
    assertThat(done.state()).isEqualTo(CommandState.FAILED);
    String message = done.result().error().message();
    assertThat(message)
        .contains("not run again")
        .contains("VM '" + VM + "' is defined but incomplete");
    Matcher parts = Pattern.compile("volumes made: (.*); not made: (.*); delete").matcher(message);
    assertThat(parts.find()).as(message).isTrue();
    List<String> made = names(parts.group(1));
    List<String> notMade = names(parts.group(2));
    Origin origin = incomplete().orElseThrow();
    assertThat(origin.volumes())
        .as("the two disks, each named once")
        .hasSize(2)
        .containsExactlyInAnyOrderElementsOf(concat(made, notMade));
    List<String> inPool = volumesOf(pool);
    assertThat(inPool)
        .as("what is in the pool is what the result names as made")
        .isEqualTo(sorted(made));
    assertThat(made).as("the kill landed while the volumes were made").isNotEmpty();

    String before = agent.log();
    assertThat(count(before, "command " + queued.id() + " (create " + VM + ") started"))
        .as("started once, in the first process")
        .isEqualTo(1);
    assertThat(count(before, "command " + queued.id() + " (create) was running when the agent"))
        .as("reported as interrupted once")
        .isEqualTo(1);

    CommandView deleted =
        backend.awaitCommand(
            backend.queueCommand(id, "delete", Map.of("vm", VM, "remove_storage", "true")).id(),
            Duration.ofSeconds(60));
    assertThat(deleted.state()).as("%s", deleted.result()).isEqualTo(CommandState.SUCCEEDED);
    pool.refresh(0);
    assertThat(Arrays.stream(pool.listVolumes()).filter(v -> v.startsWith(VM)))
        .as("no orphan volume")
        .isEmpty();
    assertThat(List.of(libvirt.listDefinedDomains())).doesNotContain(VM);
    assertThat(count(agent.log(), "command " + queued.id() + " (create " + VM + ") started"))
        .as("never run again")
        .isEqualTo(1);
    Figures.record(
        "SIGKILL during create",
        "agent killed while cloning two 512 MiB disks; the result named "
            + made.size()
            + " volume(s) made and "
            + notMade.size()
            + " not made, all removed by delete with remove_storage");
  }

  private Path journal(String commandId) {
    return dir.resolve("agent/state/journal/" + commandId + ".json");
  }

  /** The origin of the VM when it is defined and still incomplete. */
  private Optional<Origin> incomplete() throws LibvirtException {
    if (!List.of(libvirt.listDefinedDomains()).contains(VM)) {
      return Optional.empty();
    }
    Domain domain = libvirt.domainLookupByName(VM);
    return Origin.read(domain.getXMLDesc(0)).filter(o -> !o.complete());
  }

  /** A directory pool holding {@code base.raw}: 512 MiB of data, no zeroes for qemu-img to skip. */
  private StoragePool pool(Path directory) throws LibvirtException, IOException {
    Files.createDirectories(directory);
    byte[] chunk = new byte[1 << 20];
    for (int i = 0; i < chunk.length; i++) {
      chunk[i] = (byte) (1 + i % 251);
    }
    try (OutputStream out = Files.newOutputStream(directory.resolve("base.raw"))) {
      for (int i = 0; i < BASE_MIB; i++) {
        out.write(chunk);
      }
    }
    return libvirt.storagePoolCreateXML(
        "<pool type='dir'><name>"
            + POOL
            + "</name><target><path>"
            + directory
            + "</path></target></pool>",
        0);
  }

  private void removePool() throws LibvirtException {
    Domain domain;
    try {
      domain = libvirt.domainLookupByName(VM);
      domain.undefine();
    } catch (LibvirtException e) {
      // not there: the test removed it, or never got as far as making it
    }
    StoragePool pool;
    try {
      pool = libvirt.storagePoolLookupByName(POOL);
    } catch (LibvirtException e) {
      return; // never made
    }
    pool.refresh(0);
    for (String volume : pool.listVolumes()) {
      pool.storageVolLookupByName(volume).delete(0);
    }
    pool.destroy();
  }

  private static List<String> names(String list) {
    return list.equals("none") ? List.of() : List.of(list.split(", "));
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private static List<String> sorted(List<String> list) {
    return list.stream().sorted().toList();
  }

  private static int count(String text, String fragment) {
    return text.split(Pattern.quote(fragment), -1).length - 1;
  }

  private static List<String> volumesOf(StoragePool pool) throws Exception {
    pool.refresh(0);
    return listed(pool);
  }

  /** The VM's volumes the pool lists now, one being built included (no refresh while it is). */
  private static List<String> listed(StoragePool pool) throws Exception {
    return Arrays.stream(pool.listVolumes())
        .filter(v -> v.startsWith(VM))
        .map(v -> POOL + "/" + v)
        .sorted()
        .toList();
  }
}
