package io.vmagent.agent.libvirt;

import io.vmagent.protocol.ErrorCode;
import java.util.Arrays;
import java.util.List;
import org.libvirt.DomainSnapshot;

/** Snapshot create, list, revert and delete (libvirt internal snapshots). */
final class SnapshotOperations {
  /** Longest snapshot description accepted. */
  static final int MAX_DESCRIPTION_LENGTH = 1024;

  private final DomainCalls calls;

  SnapshotOperations(DomainCalls calls) {
    this.calls = calls;
  }

  /** Runs the snapshot action {@code params} names on {@code target}. */
  SnapshotResult run(VmTarget target, VmParams.Snapshot params) {
    return switch (params.action()) {
      case CREATE -> create(target, params.name(), params.description(), params.withMemory());
      case LIST -> list(target);
      case REVERT -> revert(target, params.name());
      case DELETE -> delete(target, params.name());
    };
  }

  SnapshotResult create(VmTarget target, String name, String description, Boolean withMemory) {
    long started = System.nanoTime();
    VmState before = calls.state(target);
    if (Boolean.TRUE.equals(withMemory) && !before.isActive()) {
      throw new VmOperationException(
          ErrorCode.INVALID_STATE,
          target + " is " + before + ": it has no memory state to include in a snapshot");
    }
    if (name != null && names(target).contains(name)) {
      throw new VmOperationException(
          ErrorCode.INVALID_STATE, target + " already has a snapshot named '" + name + "'");
    }
    StringBuilder xml = new StringBuilder("<domainsnapshot>");
    if (name != null) {
      xml.append("<name>").append(DomainXml.escape(name)).append("</name>");
    }
    if (description != null) {
      xml.append("<description>").append(DomainXml.escape(description)).append("</description>");
    }
    if (Boolean.FALSE.equals(withMemory) && before.isActive()) {
      xml.append("<memory snapshot='no'/>");
    }
    xml.append("</domainsnapshot>");
    String created =
        calls.call(
            target,
            "create a snapshot of",
            (c, d) -> {
              DomainSnapshot snapshot = d.snapshotCreateXML(xml.toString());
              return DomainXml.childText(DomainXml.root(snapshot.getXMLDesc()), "name");
            });
    return result(
        "create",
        target,
        created,
        before,
        calls.state(target),
        true,
        "snapshot created",
        started,
        null);
  }

  SnapshotResult list(VmTarget target) {
    long started = System.nanoTime();
    VmState state = calls.state(target);
    List<SnapshotInfo> snapshots =
        calls.call(target, "list the snapshots of", (c, d) -> DomainReader.snapshots(d));
    return result("list", target, null, state, state, false, null, started, snapshots);
  }

  SnapshotResult revert(VmTarget target, String name) {
    long started = System.nanoTime();
    VmState before = calls.state(target);
    requireExisting(target, name);
    calls.call(
        target,
        "revert to snapshot '" + name + "' of",
        (c, d) -> d.revertToSnapshot(d.snapshotLookupByName(name)));
    return result(
        "revert", target, name, before, calls.state(target), true, "reverted", started, null);
  }

  SnapshotResult delete(VmTarget target, String name) {
    long started = System.nanoTime();
    VmState state = calls.state(target);
    if (!names(target).contains(name)) {
      return result(
          "delete",
          target,
          name,
          state,
          state,
          false,
          "no snapshot named '" + name + "'; nothing to delete",
          started,
          null);
    }
    calls.call(
        target,
        "delete snapshot '" + name + "' of",
        (c, d) -> d.snapshotLookupByName(name).delete(0));
    return result(
        "delete", target, name, state, calls.state(target), true, "deleted", started, null);
  }

  private void requireExisting(VmTarget target, String name) {
    if (!names(target).contains(name)) {
      throw new VmOperationException(
          ErrorCode.INVALID_ARGUMENT, target + " has no snapshot named '" + name + "'");
    }
  }

  private List<String> names(VmTarget target) {
    return calls.call(
        target, "list the snapshots of", (c, d) -> Arrays.asList(d.snapshotListNames()));
  }

  /** Checks a snapshot description: bounded, printable apart from newlines and tabs. */
  static String validDescription(String description) {
    if (description == null) {
      return null;
    }
    if (description.length() > MAX_DESCRIPTION_LENGTH) {
      throw new VmOperationException(
          ErrorCode.INVALID_ARGUMENT,
          "description is "
              + description.length()
              + " characters long; at most "
              + MAX_DESCRIPTION_LENGTH);
    }
    boolean control =
        description.chars().anyMatch(ch -> Character.isISOControl(ch) && ch != '\n' && ch != '\t');
    if (control) {
      throw new VmOperationException(
          ErrorCode.INVALID_ARGUMENT, "description contains control characters");
    }
    return description;
  }

  private static SnapshotResult result(
      String action,
      VmTarget target,
      String snapshot,
      VmState before,
      VmState after,
      boolean changed,
      String message,
      long startedNanos,
      List<SnapshotInfo> snapshots) {
    return new SnapshotResult(
        "snapshot",
        action,
        target.name(),
        target.uuid(),
        snapshot,
        before,
        after,
        changed,
        message,
        (System.nanoTime() - startedNanos) / 1_000_000,
        snapshots);
  }
}
