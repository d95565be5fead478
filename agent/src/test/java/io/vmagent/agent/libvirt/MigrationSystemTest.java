package io.vmagent.agent.libvirt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import io.vmagent.agent.testing.RealHypervisor;
import io.vmagent.protocol.ErrorCode;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;

/**
 * Migrations between two real libvirt daemons with QEMU (TCG), both started by {@code bin/test}
 * ({@code VMAGENT_SYSTEM_LIBVIRT_URI} is the source, {@code VMAGENT_SYSTEM_LIBVIRT_URI_B} the
 * destination); skipped when either is unset. The daemons live in different network namespaces, so
 * QEMU's stream goes through a UNIX socket on the file system both see, and the disks, on a file
 * system libvirt does not know to be shared, need {@code unsafe}. Prints the figures it measures.
 */
class MigrationSystemTest {
  private static RealHypervisor source;
  private static RealHypervisor destination;
  private static LibvirtConnectionManager sourceLibvirt;
  private static LibvirtConnectionManager destinationLibvirt;
  private static VmOperations sourceOps;
  private static VmOperations destinationOps;
  private static Path streamSocket;

  @BeforeAll
  static void connect() throws Exception {
    source = RealHypervisor.open();
    destination = RealHypervisor.openSecond();
    source.cleanUp();
    destination.cleanUp();
    sourceLibvirt = manager(source.uri());
    destinationLibvirt = manager(destination.uri());
    sourceOps = new VmOperations(sourceLibvirt, Duration.ofSeconds(30));
    destinationOps = new VmOperations(destinationLibvirt, Duration.ofSeconds(30));
    streamSocket = Files.createDirectories(source.daemonDir().resolve("migration")).resolve("s");
  }

  @AfterAll
  static void disconnect() throws Exception {
    for (AutoCloseable closeable :
        new AutoCloseable[] {
          sourceOps, destinationOps, sourceLibvirt, destinationLibvirt, source, destination
        }) {
      if (closeable != null) {
        closeable.close();
      }
    }
  }

  private static LibvirtConnectionManager manager(String uri) {
    LibvirtConnectionManager manager =
        new LibvirtConnectionManager(
            uri, Duration.ofSeconds(30), 4, Duration.ofMillis(100), Duration.ofSeconds(1));
    assertThat(manager.start()).isEqualTo(ConnectionState.CONNECTED);
    return manager;
  }

  private static void figure(String name, Object value) {
    System.out.printf("system-test figure: %s = %s%n", name, value);
  }

  /** A running 64 MiB guest on the source, its banner printed. */
  private static String runningGuest(String suffix) throws Exception {
    String vm = RealHypervisor.PREFIX + "mig-" + suffix;
    source.defineVm(vm, source.acpiGuestDisk(vm + ".qcow2"), false);
    sourceOps.start(vm);
    Path serial = source.serialLog(vm);
    assertThat(
            RealHypervisor.await(
                Duration.ofSeconds(30),
                () -> Files.exists(serial) && Files.readString(serial).contains("tinyguest: up")))
        .isTrue();
    return vm;
  }

  private static MigrationOptions options(Duration deadline, Long bandwidthMib) {
    return new MigrationOptions(
        destination.uri(),
        "unix://" + streamSocket,
        null,
        false,
        bandwidthMib,
        null,
        false,
        deadline,
        true);
  }

  /** A live migration with a downtime bound and auto-converge, which libvirt must accept. */
  private static MigrationOptions bounded(Duration deadline) {
    return new MigrationOptions(
        destination.uri(),
        "unix://" + streamSocket,
        true,
        false,
        null,
        Duration.ofMillis(300),
        true,
        deadline,
        true);
  }

  /** The state of {@code vm} on {@code connect}: {@code undefined} when it is not there. */
  private static VmState stateOn(Connect connect, String vm) throws LibvirtException {
    List<String> defined = List.of(connect.listDefinedDomains());
    if (defined.contains(vm)) {
      return VmState.SHUT_OFF;
    }
    for (int id : connect.listDomains()) {
      Domain domain = connect.domainLookupByID(id);
      if (domain.getName().equals(vm)) {
        return domain.getInfo().state == org.libvirt.DomainInfo.DomainState.VIR_DOMAIN_PAUSED
            ? VmState.PAUSED
            : VmState.RUNNING;
      }
    }
    return VmState.UNDEFINED;
  }

  private static String xmlOf(String vm) {
    return sourceOps.info(vm, true).xml();
  }

  @Test
  void aRunningVmMovesLiveAndIsGoneFromTheSource() throws Exception {
    String vm = runningGuest("live");
    PrepareResult ready = destinationOps.migratePrepare(new PrepareParams(xmlOf(vm), false));
    assertThat(ready.checks())
        .extracting(PrepareResult.Check::name)
        .containsExactly("name_uuid", "memory", "domain_type", "cpu", "disks");
    assertThat(ready.checks()).noneMatch(c -> c.outcome().equals("failed"));

    MigrationResult moved = sourceOps.migrate(vm, bounded(Duration.ofMinutes(2)));

    figure("live migration, total (64 MiB TCG guest)", moved.durationMs() + " ms");
    figure("live migration, downtime", moved.completed().downtimeMs() + " ms");
    figure("live migration, libvirt's job time", moved.completed().elapsedMs() + " ms");
    figure("live migration, memory iterations", moved.completed().memoryIterations());
    assertThat(moved.mode()).isEqualTo("live");
    assertThat(moved.stateBefore()).isEqualTo(VmState.RUNNING);
    assertThat(moved.destinationState()).isEqualTo(VmState.RUNNING);
    assertThat(moved.sourceStateAfter()).isEqualTo(VmState.UNDEFINED);
    assertThat(moved.completed().downtimeMs()).isNotNull();
    assertThat(moved.warnings()).isEmpty();
    assertThat(stateOn(destination.connect(), vm)).isEqualTo(VmState.RUNNING);
    assertThat(destination.connect().domainLookupByName(vm).isPersistent()).isEqualTo(1);
    assertThat(stateOn(source.connect(), vm)).isEqualTo(VmState.UNDEFINED);
  }

  @Test
  void aShutOffVmMovesItsDefinition() throws Exception {
    String vm = RealHypervisor.PREFIX + "mig-offline";
    source.defineVm(vm, source.blankDisk(vm + ".qcow2"), false);

    MigrationResult moved = sourceOps.migrate(vm, options(Duration.ofMinutes(1), null));

    figure("offline migration", moved.durationMs() + " ms");
    assertThat(moved.mode()).isEqualTo("offline");
    assertThat(moved.destinationState()).isEqualTo(VmState.SHUT_OFF);
    assertThat(stateOn(destination.connect(), vm)).isEqualTo(VmState.SHUT_OFF);
    assertThat(stateOn(source.connect(), vm)).isEqualTo(VmState.UNDEFINED);
  }

  @Test
  void aDestinationThatFailsItsChecksRefusesAndTheVmStaysOnTheSource() throws Exception {
    String vm = runningGuest("refused");
    // Another VM of the same name on the destination, and a VM far larger than its free memory.
    destination.defineVm(vm, source.blankDisk(vm + "-other.qcow2"), false);
    String huge =
        xmlOf(vm)
            .replaceFirst("<memory unit='KiB'>[0-9]+</memory>", "<memory unit='TiB'>64</memory>");

    assertThatExceptionOfType(VmOperationException.class)
        .isThrownBy(() -> destinationOps.migratePrepare(new PrepareParams(huge, false)))
        .satisfies(
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE);
              assertThat(e.getMessage())
                  .contains("this host cannot take VM '" + vm + "'")
                  .contains("another VM named '" + vm + "'")
                  .contains("the VM needs 67108864 MiB");
            });
    assertThat(stateOn(source.connect(), vm)).isEqualTo(VmState.RUNNING);
  }

  @Test
  void aDestinationThatDoesNotAnswerByTheDeadlineLeavesTheVmRunningOnTheSource() throws Exception {
    String vm = runningGuest("deadline");
    // A socket that accepts connections and never answers: libvirt's handshake waits forever.
    Path silent = source.daemonDir().resolve("migration").resolve("silent.sock");
    Files.deleteIfExists(silent);
    try (ServerSocketChannel listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      listener.bind(UnixDomainSocketAddress.of(silent));
      MigrationOptions toSilent =
          new MigrationOptions(
              "qemu:///system?socket=" + silent,
              null,
              null,
              false,
              null,
              null,
              false,
              Duration.ofSeconds(1),
              true);

      assertThatExceptionOfType(VmOperationException.class)
          .isThrownBy(() -> sourceOps.migrate(vm, toSilent))
          .satisfies(
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT);
                assertThat(e.getMessage())
                    .contains("did not finish within 1 s and was aborted")
                    .contains("the VM stays on this host (running)");
              });
    }
    assertThat(stateOn(source.connect(), vm)).isEqualTo(VmState.RUNNING);
    assertThat(source.connect().domainLookupByName(vm).isPersistent()).isEqualTo(1);
    assertThat(absentOnDestination(vm)).isTrue();
  }

  @Test
  void migrateAbortStopsARunningMigration() throws Exception {
    String vm = runningGuest("abort");
    CompletableFuture<MigrationResult> migration =
        CompletableFuture.supplyAsync(
            () -> sourceOps.migrate(vm, options(Duration.ofMinutes(2), 1L)));
    assertThat(
            RealHypervisor.await(
                Duration.ofSeconds(30),
                () -> source.connect().domainLookupByName(vm).getJobInfo().getType() != 0))
        .isTrue();

    AbortResult aborted = sourceOps.migrateAbort(vm);

    assertThat(aborted.aborted()).isTrue();
    assertThat(migration)
        .failsWithin(Duration.ofSeconds(60))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOf(VmOperationException.class)
        .withMessageContaining("aborted by migrate_abort");
    assertThat(stateOn(source.connect(), vm)).isEqualTo(VmState.RUNNING);
    assertThat(RealHypervisor.await(Duration.ofSeconds(10), () -> absentOnDestination(vm)))
        .isTrue();
    assertThat(sourceOps.migrateAbort(vm).aborted()).isFalse();
  }

  @Test
  void aCancelRequestAbortsARunningMigrationAndReportsItCancelled() throws Exception {
    String vm = runningGuest("cancel");
    io.vmagent.agent.operation.Cancellation cancellation =
        new io.vmagent.agent.operation.Cancellation();
    CompletableFuture<MigrationResult> migration =
        CompletableFuture.supplyAsync(
            () -> sourceOps.migrate(vm, options(Duration.ofMinutes(2), 1L), cancellation));
    assertThat(
            RealHypervisor.await(
                Duration.ofSeconds(30),
                () -> source.connect().domainLookupByName(vm).getJobInfo().getType() != 0))
        .isTrue();

    cancellation.cancel();

    assertThat(migration)
        .failsWithin(Duration.ofSeconds(60))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause()
        .isInstanceOf(io.vmagent.agent.operation.OperationCancelled.class)
        .withMessageContaining("cancelled by an operator and aborted")
        .withMessageContaining("the VM stays on this host (running)");
    assertThat(stateOn(source.connect(), vm)).isEqualTo(VmState.RUNNING);
    assertThat(RealHypervisor.await(Duration.ofSeconds(10), () -> absentOnDestination(vm)))
        .isTrue();
  }

  private static boolean absentOnDestination(String vm) throws LibvirtException {
    return stateOn(destination.connect(), vm) == VmState.UNDEFINED;
  }
}
