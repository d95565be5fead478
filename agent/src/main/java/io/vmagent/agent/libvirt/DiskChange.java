package io.vmagent.agent.libvirt;

import io.vmagent.agent.operation.Params;
import io.vmagent.protocol.ErrorCode;
import io.vmagent.protocol.text.Printable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;

/**
 * {@code attach_disk} and {@code detach_disk}: a storage-pool volume (existing, or created with the
 * given size) attached to a VM live, in its persistent configuration, or both; and a disk detached
 * by its target. Each is idempotent: a disk already where it was asked for, or already gone, is
 * {@code changed=false}.
 */
final class DiskChange {
  // VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE: the configuration for the next start.
  private static final int INACTIVE_XML = 3;
  // How long a live detach waits for the guest to let the disk go before it reports it pending.
  private static final long DETACH_WAIT_NANOS = 10_000_000_000L;

  private final DomainCalls calls;

  private static final Pattern TARGET = Pattern.compile("(vd|sd)[a-z]{1,2}");

  DiskChange(DomainCalls calls) {
    this.calls = calls;
  }

  /** The VM's disks now: the running VM's and the persistent configuration's (null when none). */
  private record Disks(
      VmState state, List<DomainXml.Disk> live, List<DomainXml.Disk> config, boolean persistent) {

    ChangeResult.Settings settings() {
      return ChangeResult.Settings.disks(targets(config), targets(live));
    }

    private static List<String> targets(List<DomainXml.Disk> disks) {
      return disks == null ? null : disks.stream().map(DomainXml.Disk::target).toList();
    }
  }

  /** A volume to attach: its path and format. */
  private record Volume(String path, String format, boolean created) {}

  /** {@code target} when it is a guest disk name such as {@code vdb} or {@code sdc}. */
  static String validTarget(String target) {
    if (target == null || !TARGET.matcher(target).matches()) {
      throw Params.invalid(
          "parameter 'target' must be a guest disk such as vdb or sdc, not '"
              + (target == null ? "" : Printable.escape(target))
              + "'");
    }
    return target;
  }

  ChangeResult attach(VmTarget target, VmParams.AttachDisk params) {
    Disks before = disks(target);
    ChangeResult.Builder result = new ChangeResult.Builder("attach_disk", target, before.state());
    VmParams.DiskMode mode = modeFor(target, params.mode(), before);
    Volume volume = volume(params, before);
    String dev = params.target() != null ? params.target() : targetFor(before, volume.path());
    int flags = 0;
    if (mode.live() && !has(before.live(), volume.path(), dev, target)) {
      flags |= Domain.DeviceModifyFlags.LIVE;
    }
    if (mode.persistent() && !has(before.config(), volume.path(), dev, target)) {
      flags |= Domain.DeviceModifyFlags.CONFIG;
    }
    if (flags == 0) {
      return result.unchanged(
          before.settings(), params.pool() + "/" + params.volume() + " is already attached");
    }
    String xml =
        "<disk type='file' device='disk'><driver name='qemu' type='"
            + DomainXml.escape(volume.format())
            + "'/><source file='"
            + DomainXml.escape(volume.path())
            + "'/><target dev='"
            + dev
            + "' bus='"
            + (dev.startsWith("sd") ? "scsi" : "virtio")
            + "'/></disk>";
    int attachFlags = flags;
    try {
      calls.call(
          target,
          "attach " + params.pool() + "/" + params.volume() + " to",
          (c, d) -> {
            d.attachDeviceFlags(xml, attachFlags);
            return null;
          });
    } catch (VmOperationException e) {
      if (volume.created()) {
        deleteVolume(params);
      }
      throw e;
    }
    Disks after = disks(target);
    return result.changed(
        after.state(),
        method(flags),
        params.pool() + "/" + params.volume() + " attached as " + dev + where(flags),
        before.settings(),
        after.settings(),
        null);
  }

  ChangeResult detach(VmTarget target, VmParams.DetachDisk params) {
    Disks before = disks(target);
    ChangeResult.Builder result = new ChangeResult.Builder("detach_disk", target, before.state());
    VmParams.DiskMode mode = modeFor(target, params.mode(), before);
    String dev = params.target();
    int flags = 0;
    if (mode.live() && find(before.live(), dev) != null) {
      flags |= Domain.DeviceModifyFlags.LIVE;
    }
    if (mode.persistent() && find(before.config(), dev) != null) {
      flags |= Domain.DeviceModifyFlags.CONFIG;
    }
    if (flags == 0) {
      return result.unchanged(before.settings(), target + " has no disk " + dev);
    }
    if ((flags & Domain.DeviceModifyFlags.CONFIG) != 0) {
      detachFrom(target, dev, INACTIVE_XML, Domain.DeviceModifyFlags.CONFIG);
    }
    String message = "disk " + dev + " detached" + where(flags);
    if ((flags & Domain.DeviceModifyFlags.LIVE) != 0) {
      detachFrom(target, dev, 0, Domain.DeviceModifyFlags.LIVE);
      if (!awaitGone(target, dev)) {
        message += "; the guest has not released it yet (it goes once the guest lets it go)";
      }
    }
    Disks after = disks(target);
    return result.changed(
        after.state(), method(flags), message, before.settings(), after.settings(), null);
  }

  private void detachFrom(VmTarget target, String dev, int xmlFlags, int flags) {
    calls.call(
        target,
        "detach disk " + dev + " from",
        (c, d) -> {
          String xml = DomainXml.parse(d.getXMLDesc(xmlFlags)).diskXml(dev);
          if (xml != null) {
            d.detachDeviceFlags(xml, flags);
          }
          return null;
        });
  }

  /** Waits (bounded) for QEMU to report the disk gone: a live detach completes asynchronously. */
  private boolean awaitGone(VmTarget target, String dev) {
    long deadline = System.nanoTime() + DETACH_WAIT_NANOS;
    while (true) {
      List<DomainXml.Disk> live = disks(target).live();
      if (live == null || find(live, dev) == null) {
        return true;
      }
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      DomainCalls.sleep(Math.min(left, DomainCalls.POLL_INTERVAL.toNanos()));
    }
  }

  private Disks disks(VmTarget target) {
    return calls.call(
        target,
        "read the disks of",
        (c, d) -> {
          VmState state = NativeDomain.status(d).state();
          boolean persistent = d.isPersistent() == 1;
          return new Disks(
              state,
              state.isActive() ? DomainXml.parse(d.getXMLDesc(0)).disks() : null,
              persistent ? DomainXml.parse(d.getXMLDesc(INACTIVE_XML)).disks() : null,
              persistent);
        });
  }

  /**
   * The places asked for, or by default: both for a running persistent VM, the configuration for a
   * shut-off one, the running VM for a transient one.
   */
  private static VmParams.DiskMode modeFor(VmTarget target, VmParams.DiskMode asked, Disks disks) {
    boolean active = disks.live() != null;
    if (asked == null) {
      return active && disks.persistent()
          ? VmParams.DiskMode.BOTH
          : active ? VmParams.DiskMode.LIVE : VmParams.DiskMode.PERSISTENT;
    }
    if (asked.live() && !active) {
      throw new VmOperationException(
          ErrorCode.INVALID_STATE,
          target
              + " is "
              + disks.state()
              + ": only its configuration can change (mode=persistent)");
    }
    if (asked.persistent() && !disks.persistent()) {
      throw new VmOperationException(
          ErrorCode.INVALID_STATE,
          target + " is transient: it has no configuration to change (mode=live)");
    }
    return asked;
  }

  /**
   * Whether {@code disks} already hold the volume at {@code path}; a different disk at {@code dev},
   * or the volume at another target, is an {@code INVALID_ARGUMENT}.
   */
  private static boolean has(List<DomainXml.Disk> disks, String path, String dev, VmTarget vm) {
    for (DomainXml.Disk disk : disks) {
      boolean samePath = path.equals(disk.file());
      boolean sameTarget = dev.equals(disk.target());
      if (samePath && sameTarget) {
        return true;
      }
      if (samePath) {
        throw new VmOperationException(
            ErrorCode.INVALID_ARGUMENT,
            path + " is already attached to " + vm + " as " + disk.target() + ", not " + dev);
      }
      if (sameTarget) {
        throw new VmOperationException(
            ErrorCode.INVALID_ARGUMENT,
            "target " + dev + " of " + vm + " is in use by " + disk.source());
      }
    }
    return false;
  }

  /** The target the volume is attached at already, else the first free one. */
  private static String targetFor(Disks disks, String path) {
    for (List<DomainXml.Disk> list : List.of(orEmpty(disks.live()), orEmpty(disks.config()))) {
      for (DomainXml.Disk disk : list) {
        if (path.equals(disk.file())) {
          return disk.target();
        }
      }
    }
    return freeTarget(disks);
  }

  /** The first {@code vdX} that neither the running VM nor its configuration uses. */
  private static String freeTarget(Disks disks) {
    Set<String> used = new LinkedHashSet<>();
    for (List<DomainXml.Disk> list : List.of(orEmpty(disks.live()), orEmpty(disks.config()))) {
      list.forEach(d -> used.add(d.target()));
    }
    for (char c = 'a'; c <= 'z'; c++) {
      String name = "vd" + c;
      if (!used.contains(name)) {
        return name;
      }
    }
    throw new VmOperationException(
        ErrorCode.INVALID_ARGUMENT, "every target from vda to vdz is in use; name one (target)");
  }

  private static List<DomainXml.Disk> orEmpty(List<DomainXml.Disk> disks) {
    return disks == null ? List.of() : disks;
  }

  private static DomainXml.Disk find(List<DomainXml.Disk> disks, String dev) {
    if (disks == null) {
      return null;
    }
    return disks.stream().filter(d -> dev.equals(d.target())).findFirst().orElse(null);
  }

  /**
   * The volume to attach. With {@code size_mib} it is created (qcow2) unless it exists and this VM
   * already has it, which makes a repeated attach idempotent; without, it must exist.
   */
  private Volume volume(VmParams.AttachDisk params, Disks disks) {
    return calls
        .libvirt()
        .withConnection(
            "find volume " + params.pool() + "/" + params.volume(),
            c -> {
              StoragePool pool = pool(c, params.pool());
              StorageVol vol = lookup(pool, params.volume());
              if (vol != null) {
                String path = vol.getPath();
                if (params.sizeMib() != null && !attachedTo(disks, path)) {
                  throw new VmOperationException(
                      ErrorCode.INVALID_ARGUMENT,
                      "volume "
                          + params.pool()
                          + "/"
                          + params.volume()
                          + " already exists; leave out size_mib to attach it");
                }
                return new Volume(path, format(vol), false);
              }
              if (params.sizeMib() == null) {
                throw new VmOperationException(
                    ErrorCode.INVALID_ARGUMENT,
                    "no volume "
                        + params.volume()
                        + " in pool "
                        + params.pool()
                        + "; give size_mib to create it");
              }
              StorageVol created =
                  pool.storageVolCreateXML(
                      "<volume><name>"
                          + DomainXml.escape(params.volume())
                          + "</name><capacity unit='MiB'>"
                          + params.sizeMib()
                          + "</capacity><target><format type='qcow2'/></target></volume>",
                      0);
              return new Volume(created.getPath(), format(created), true);
            });
  }

  private static boolean attachedTo(Disks disks, String path) {
    List<DomainXml.Disk> all = new ArrayList<>(orEmpty(disks.live()));
    all.addAll(orEmpty(disks.config()));
    return all.stream().anyMatch(d -> path.equals(d.file()));
  }

  private static StoragePool pool(Connect connect, String name) throws LibvirtException {
    try {
      return connect.storagePoolLookupByName(name);
    } catch (LibvirtException e) {
      if (e.getError() != null
          && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_STORAGE_POOL) {
        throw new VmOperationException(
            ErrorCode.INVALID_ARGUMENT, "no storage pool " + name + " on this host", e);
      }
      throw e;
    }
  }

  private static StorageVol lookup(StoragePool pool, String name) throws LibvirtException {
    try {
      return pool.storageVolLookupByName(name);
    } catch (LibvirtException e) {
      if (e.getError() != null
          && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
        return null;
      }
      throw e;
    }
  }

  private static String format(StorageVol vol) throws LibvirtException {
    String xml = vol.getXMLDesc(0);
    int at = xml.indexOf("<format type='");
    if (at < 0) {
      return "raw";
    }
    int start = at + "<format type='".length();
    return xml.substring(start, xml.indexOf('\'', start));
  }

  /** Removes a volume this attach created when the attach failed, so a retry starts clean. */
  private void deleteVolume(VmParams.AttachDisk params) {
    try {
      calls
          .libvirt()
          .withConnection(
              "remove the volume created for the failed attach",
              c -> {
                c.storagePoolLookupByName(params.pool())
                    .storageVolLookupByName(params.volume())
                    .delete(0);
                return null;
              });
    } catch (VmOperationException e) {
      // The attach's own failure is what the caller needs; the volume stays and a retry with
      // size_mib names it as existing.
    }
  }

  private static String method(int flags) {
    boolean live = (flags & Domain.DeviceModifyFlags.LIVE) != 0;
    boolean config = (flags & Domain.DeviceModifyFlags.CONFIG) != 0;
    return live && config ? "live_and_config" : live ? "live" : "config";
  }

  private static String where(int flags) {
    return switch (method(flags)) {
      case "live_and_config" -> " live and in the configuration";
      case "live" -> " live only";
      default -> " in the configuration (from the next start)";
    };
  }
}
