package io.vmagent.agent.libvirt;

import io.vmagent.agent.libvirt.create.Origin;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.libvirt.Domain;
import org.libvirt.StorageVol;

/**
 * Deletes a VM: destroys it if active, undefines it together with its snapshot metadata, managed
 * save image and NVRAM, and, only when asked, deletes its disks that are volumes of a libvirt
 * storage pool. Disks libvirt does not manage, read-only and shareable disks, CD-ROMs and floppies
 * are never removed (the result lists them as kept), except the volumes {@code create} made, which
 * its {@link Origin} names.
 */
final class DeleteOperation {
  /** A disk to remove, identified by its volume's path at planning time. */
  private record PlannedVolume(String disk, String path) {}

  private record Plan(
      boolean persistent, boolean nvram, List<PlannedVolume> volumes, List<String> kept) {}

  private static final int UNDEFINE_MANAGED_SAVE = Domain.UndefineFlags.MANAGED_SAVE;
  private static final int UNDEFINE_SNAPSHOTS_METADATA = Domain.UndefineFlags.SNAPSHOTS_METADATA;
  private static final int UNDEFINE_NVRAM = 4; // VIR_DOMAIN_UNDEFINE_NVRAM, not in libvirt-java

  private final DomainCalls calls;
  private final UptimeTracker uptime;

  DeleteOperation(DomainCalls calls, UptimeTracker uptime) {
    this.calls = calls;
    this.uptime = uptime;
  }

  /**
   * Deletes one storage volume; its path goes to {@code removed}, or its failure to {@code errors}.
   */
  private void removeVolume(PlannedVolume volume, List<String> removed, List<String> errors) {
    try {
      calls
          .libvirt()
          .withConnection(
              "delete volume " + volume.path(),
              c -> {
                StorageVol vol = c.storageVolLookupByPath(volume.path());
                vol.delete(0);
                return null;
              });
      removed.add(volume.path());
    } catch (VmOperationException e) {
      errors.add(volume.disk() + " (" + volume.path() + "): " + e.getMessage());
    }
  }

  LifecycleResult delete(VmTarget target, boolean removeStorage) {
    LifecycleResult.Builder result = new LifecycleResult.Builder("delete", target);
    VmState before = calls.state(target);
    Plan plan = calls.call(target, "read the definition of", (c, d) -> plan(c, d, removeStorage));
    if (before.isActive()) {
      calls.destroy(target);
    }
    if (plan.persistent() && calls.stateOrUndefined(target) != VmState.UNDEFINED) {
      int flags =
          UNDEFINE_MANAGED_SAVE | UNDEFINE_SNAPSHOTS_METADATA | (plan.nvram() ? UNDEFINE_NVRAM : 0);
      calls.call(
          target,
          "undefine",
          (c, d) -> {
            d.undefine(flags);
            return null;
          });
    }
    uptime.stopped(target.uuid());
    List<String> removed = new ArrayList<>();
    List<String> errors = new ArrayList<>();
    for (PlannedVolume volume : plan.volumes()) {
      removeVolume(volume, removed, errors);
    }
    String message =
        errors.isEmpty()
            ? "deleted"
            : "deleted, but " + errors.size() + " volume(s) could not be removed";
    return new LifecycleResult(
        "delete",
        target.name(),
        target.uuid(),
        before,
        VmState.UNDEFINED,
        true,
        plan.persistent() ? "undefine" : "destroy",
        before.isActive(),
        message,
        result.elapsedMillis(),
        removed,
        plan.kept(),
        errors.isEmpty() ? null : errors);
  }

  private static Plan plan(org.libvirt.Connect connect, Domain domain, boolean removeStorage)
      throws org.libvirt.LibvirtException {
    boolean persistent = domain.isPersistent() == 1;
    String description = domain.getXMLDesc(0);
    DomainXml xml = DomainXml.parse(description);
    List<PlannedVolume> volumes = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    // The volumes create made (its cloud-init seed too) go with the VM; those it had not made yet
    // when a crash stopped it are simply not there.
    Set<String> made = new HashSet<>();
    for (String poolAndName : Origin.read(description).map(Origin::volumes).orElse(List.of())) {
      StorageVol vol = PoolPaths.find(connect, poolAndName);
      if (vol != null) {
        made.add(vol.getPath());
        if (removeStorage) {
          volumes.add(new PlannedVolume(poolAndName, vol.getPath()));
        }
      }
    }
    for (DomainXml.Disk disk : xml.disks()) {
      String label = disk.target() + " (" + disk.source() + ")";
      if (disk.source() == null) {
        continue; // an empty CD-ROM drive
      }
      if (removeStorage && made.contains(disk.source())) {
        continue;
      }
      if (!removeStorage) {
        kept.add(label + ": remove_storage not requested");
        continue;
      }
      if (!"disk".equals(disk.device()) || disk.readOnly() || disk.shareable()) {
        kept.add(
            label
                + ": "
                + disk.device()
                + (disk.readOnly() ? ", read-only" : "")
                + (disk.shareable() ? ", shareable" : "")
                + " disks are never removed");
        continue;
      }
      StorageVol vol = DomainReader.findVolume(connect, disk);
      if (vol == null) {
        kept.add(label + ": not a volume of a libvirt storage pool");
        continue;
      }
      volumes.add(new PlannedVolume(disk.target(), vol.getPath()));
    }
    return new Plan(persistent, xml.hasNvram(), volumes, kept);
  }
}
