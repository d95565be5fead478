package io.vmagent.agent.doctor;

import io.vmagent.agent.libvirt.ConnectionState;
import io.vmagent.agent.libvirt.LibvirtConnectionManager;
import io.vmagent.agent.libvirt.LibvirtFacts;
import io.vmagent.agent.libvirt.VmOperationException;
import io.vmagent.agent.state.StateDir;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The checks of this host: libvirt with the agent's URI as this user, and the state directory. */
final class LocalChecks {
  static final String LIBVIRT = "libvirt";
  static final String STATE_DIR = "state directory";

  /** The sockets of the system instance: the monolithic daemon's, then the modular QEMU one's. */
  private static final List<Path> SYSTEM_SOCKETS =
      List.of(Path.of("/run/libvirt/libvirt-sock"), Path.of("/run/libvirt/virtqemud-sock"));

  private LocalChecks() {}

  /** Connects with {@code uri}, as the agent would, and asks libvirt for its health. */
  static Finding libvirt(String uri, Duration timeout) {
    String user = System.getProperty("user.name");
    try (LibvirtConnectionManager libvirt =
        new LibvirtConnectionManager(
            uri, timeout, 2, Duration.ofMillis(250), Duration.ofSeconds(1))) {
      if (libvirt.start() != ConnectionState.CONNECTED) {
        return Finding.fail(
            LIBVIRT,
            "cannot connect to " + uri + " as user " + user + ": " + libvirt.lastError(),
            libvirtHint(uri, user));
      }
      LibvirtFacts facts;
      try {
        facts = libvirt.withConnection("doctor", LibvirtFacts::read);
      } catch (VmOperationException e) {
        return Finding.fail(
            LIBVIRT,
            uri + " connected as user " + user + " but does not answer: " + e.getMessage(),
            "check the libvirt daemon: systemctl status libvirtd (or virtqemud)");
      }
      return Finding.pass(
          LIBVIRT,
          uri
              + " as user "
              + user
              + groupNote(uri)
              + ": "
              + facts.type()
              + " "
              + facts.hypervisorVersion()
              + ", libvirt "
              + facts.libvirtVersion()
              + ", VMs: "
              + facts.total());
    }
  }

  private static String libvirtHint(String uri, String user) {
    if (!uri.contains("/system")) {
      return "check AGENT_LIBVIRT_URI and that the libvirt daemon runs";
    }
    Optional<Path> socket = SYSTEM_SOCKETS.stream().filter(Files::exists).findFirst();
    if (socket.isEmpty()) {
      return "the libvirt daemon does not run (no "
          + SYSTEM_SOCKETS.get(0)
          + "): systemctl start libvirtd, and check that QEMU/KVM is installed";
    }
    Optional<String> group = group(socket.get());
    if (group.isPresent() && !inGroup(socket.get())) {
      return "user "
          + user
          + " is not in group "
          + group.get()
          + ", which may use "
          + socket.get()
          + ": sudo usermod -aG "
          + group.get()
          + " "
          + user
          + ", then restart the agent";
    }
    return "check the libvirt daemon's log (journalctl -u libvirtd) and its access rules (polkit)";
  }

  /** For {@code qemu:///system}: the group that grants the access, when this user has it. */
  private static String groupNote(String uri) {
    if (!uri.contains("/system")) {
      return "";
    }
    return SYSTEM_SOCKETS.stream()
        .filter(Files::exists)
        .findFirst()
        .flatMap(socket -> group(socket).filter(g -> inGroup(socket)))
        .map(g -> " (member of group " + g + ")")
        .orElse("");
  }

  private static Optional<String> group(Path socket) {
    try {
      return Optional.of(
          Files.readAttributes(socket, java.nio.file.attribute.PosixFileAttributes.class)
              .group()
              .getName());
    } catch (IOException | UnsupportedOperationException e) {
      return Optional.empty();
    }
  }

  /** Whether this process holds the group of {@code socket} (from /proc/self/status). */
  private static boolean inGroup(Path socket) {
    try {
      int gid = (Integer) Files.getAttribute(socket, "unix:gid");
      return processGroups().contains(gid);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return false;
    }
  }

  private static Set<Integer> processGroups() throws IOException {
    try (Stream<String> lines =
        Files.lines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
      return lines
          .filter(l -> l.startsWith("Groups:") || l.startsWith("Gid:"))
          .flatMap(l -> Stream.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+", -1)))
          .filter(s -> !s.isEmpty())
          .map(Integer::valueOf)
          .collect(Collectors.toSet());
    }
  }

  /**
   * Whether the agent can write its state directory: a file written there as the agent writes its
   * own, then removed. A directory not made yet counts when the agent could make it.
   */
  static Finding stateDir(Path dir) {
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null || !Files.isDirectory(existing)) {
      return Finding.fail(
          STATE_DIR, dir + " cannot be created: " + existing + " is not a directory", hint(dir));
    }
    if (!existing.equals(dir.toAbsolutePath())) {
      try {
        // Tried, not judged from the mode bits: root passes those everywhere, /proc included.
        Files.delete(Files.createTempDirectory(existing, ".doctor-probe"));
        return Finding.pass(
            STATE_DIR, dir + " does not exist yet; the agent creates it in " + existing);
      } catch (IOException e) {
        return Finding.fail(
            STATE_DIR,
            dir + " does not exist and cannot be created in " + existing + ": " + reason(e),
            hint(dir));
      }
    }
    Path probe = dir.resolve(".doctor-probe");
    try {
      StateDir.writeAtomically(probe, new byte[] {'o', 'k'});
      Files.delete(probe);
      return Finding.pass(STATE_DIR, dir + " is writable");
    } catch (IOException e) {
      return Finding.fail(STATE_DIR, dir + " is not writable: " + reason(e), hint(dir));
    }
  }

  /** The JDK names a refused file operation by its exception's type, the path as its message. */
  private static String reason(IOException e) {
    return e.getClass().getSimpleName() + " " + e.getMessage();
  }

  private static String hint(Path dir) {
    return "run this as the agent's user (sudo -u vm-agent vm-agent doctor): it must own "
        + dir
        + " (the installer makes it vm-agent:vm-agent, mode 0700), or set AGENT_STATE_DIR";
  }
}
