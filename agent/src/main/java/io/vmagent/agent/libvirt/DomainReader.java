package io.vmagent.agent.libvirt;

import io.vmagent.protocol.VmStates;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.DomainBlockInfo;
import org.libvirt.DomainSnapshot;
import org.libvirt.Error;
import org.libvirt.LibvirtException;
import org.libvirt.StorageVol;
import org.libvirt.StorageVolInfo;
import org.w3c.dom.Element;

/** Reads what {@code list} and {@code info} report, inside one libvirt call each. */
final class DomainReader {
  private final DomainCalls calls;
  private final UptimeTracker uptime;

  DomainReader(DomainCalls calls, UptimeTracker uptime) {
    this.calls = calls;
    this.uptime = uptime;
  }

  VmList list() {
    List<VmSummary> vms = calls.libvirt().withConnection("list VMs", DomainReader::summaries);
    return new VmList(vms);
  }

  VmDetails info(VmTarget target, boolean includeXml) {
    VmDetails read = calls.call(target, "read", (c, d) -> details(c, d, includeXml));
    if (!read.vm().state().isActive()) {
      return read;
    }
    Instant now = Instant.now();
    Integer id = read.vm().id();
    UptimeTracker.Start start = uptime.startOf(read.vm().uuid(), id == null ? -1 : id, now);
    long seconds = Math.max(0, Duration.between(start.at(), now).toSeconds());
    return new VmDetails(
        read.operation(),
        read.vm(),
        read.osType(),
        read.hasManagedSave(),
        read.disks(),
        read.interfaces(),
        read.snapshots(),
        read.currentSnapshot(),
        seconds,
        start.source().wire(),
        start.estimated(),
        start.at().toString(),
        read.xml());
  }

  /** The VM's interfaces with their IP addresses (see {@link AddressReader}). */
  VmAddresses addresses(VmTarget target) {
    return calls.call(
        target,
        "read the addresses of",
        (c, d) -> {
          VmSummary summary = summary(d);
          DomainXml parsed = DomainXml.parse(d.getXMLDesc(0));
          return new VmAddresses(
              "addresses",
              summary.name(),
              summary.uuid(),
              summary.state(),
              AddressReader.read(
                  d,
                  parsed.interfaces(),
                  summary.state().isActive(),
                  parsed.hasGuestAgentChannel()));
        });
  }

  /** Every domain, active first then defined, sorted by name; vanished ones are skipped. */
  static List<VmSummary> summaries(Connect connect) throws LibvirtException {
    List<VmSummary> vms = new ArrayList<>();
    for (int id : connect.listDomains()) {
      try {
        vms.add(summary(connect.domainLookupByID(id)));
      } catch (LibvirtException e) {
        skipIfGone(e); // stopped (transient: vanished) between listing and reading
      }
    }
    for (String name : connect.listDefinedDomains()) {
      try {
        vms.add(summary(connect.domainLookupByName(name)));
      } catch (LibvirtException e) {
        skipIfGone(e);
      }
    }
    vms.sort(Comparator.comparing(VmSummary::name));
    return vms;
  }

  private static void skipIfGone(LibvirtException e) throws LibvirtException {
    if (e.getError() == null || e.getError().getCode() != Error.ErrorNumber.VIR_ERR_NO_DOMAIN) {
      throw e;
    }
  }

  static VmSummary summary(Domain domain) throws LibvirtException {
    NativeDomain.Status status = NativeDomain.status(domain);
    int id = domain.getID();
    boolean persistent = domain.isPersistent() == 1;
    boolean autostart = persistent && domain.getAutostart();
    return new VmSummary(
        domain.getName(),
        domain.getUUIDString(),
        id < 0 ? null : id,
        status.state(),
        status.reason(),
        status.vcpus(),
        status.maxMemoryKib(),
        status.memoryKib(),
        persistent,
        autostart);
  }

  private static VmDetails details(Connect connect, Domain domain, boolean includeXml)
      throws LibvirtException {
    VmSummary summary = summary(domain);
    String xml = domain.getXMLDesc(0);
    DomainXml parsed = DomainXml.parse(xml);
    List<DiskInfo> disks = new ArrayList<>();
    for (DomainXml.Disk disk : parsed.disks()) {
      disks.add(diskInfo(connect, domain, disk));
    }
    List<SnapshotInfo> snapshots = snapshots(domain);
    String current =
        snapshots.stream()
            .filter(SnapshotInfo::current)
            .map(SnapshotInfo::name)
            .findFirst()
            .orElse(null);
    return new VmDetails(
        "info",
        summary,
        parsed.osType(),
        domain.hasManagedSaveImage() == 1,
        disks,
        AddressReader.read(
            domain, parsed.interfaces(), summary.state().isActive(), parsed.hasGuestAgentChannel()),
        snapshots,
        current,
        null,
        null,
        null,
        null,
        includeXml ? xml : null);
  }

  /**
   * Capacity and allocation from the storage pool when libvirt manages the disk, else from QEMU.
   */
  private static DiskInfo diskInfo(Connect connect, Domain domain, DomainXml.Disk disk) {
    Long capacity = null;
    Long allocation = null;
    String pool = disk.pool();
    String volume = disk.volume();
    StorageVol vol = findVolume(connect, disk);
    if (vol != null) {
      try {
        StorageVolInfo info = vol.getInfo();
        capacity = info.capacity;
        allocation = info.allocation;
        pool = vol.storagePoolLookupByVolume().getName();
        volume = vol.getName();
      } catch (LibvirtException e) {
        vol = null;
      }
    }
    if (vol == null && disk.target() != null && "disk".equals(disk.device())) {
      try {
        DomainBlockInfo info = domain.blockInfo(disk.target());
        capacity = info.getCapacity();
        allocation = info.getAllocation();
      } catch (LibvirtException e) {
        // No size for this disk: its file is missing or the driver cannot tell.
      }
    }
    return new DiskInfo(
        disk.target(),
        disk.device(),
        disk.type(),
        disk.source(),
        disk.bus(),
        disk.format(),
        disk.readOnly(),
        capacity,
        allocation,
        pool,
        volume);
  }

  /** The storage volume behind a disk, or null when the disk is not a pool volume. */
  static StorageVol findVolume(Connect connect, DomainXml.Disk disk) {
    try {
      if (disk.pool() != null && disk.volume() != null) {
        return connect.storagePoolLookupByName(disk.pool()).storageVolLookupByName(disk.volume());
      }
      if (disk.file() != null && disk.file().startsWith("/")) {
        return connect.storageVolLookupByPath(disk.file());
      }
    } catch (LibvirtException e) {
      return null;
    }
    return null;
  }

  static List<SnapshotInfo> snapshots(Domain domain) throws LibvirtException {
    String currentName = null;
    if (domain.hasCurrentSnapshot() == 1) {
      Element current = DomainXml.root(domain.snapshotCurrent().getXMLDesc());
      currentName = DomainXml.childText(current, "name");
    }
    List<SnapshotInfo> snapshots = new ArrayList<>();
    for (String name : domain.snapshotListNames()) {
      DomainSnapshot snapshot;
      try {
        snapshot = domain.snapshotLookupByName(name);
      } catch (LibvirtException e) {
        continue; // deleted between listing and reading
      }
      snapshots.add(snapshotInfo(DomainXml.root(snapshot.getXMLDesc()), currentName));
    }
    snapshots.sort(
        Comparator.comparing(
                SnapshotInfo::creationTime, Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(SnapshotInfo::name));
    return snapshots;
  }

  private static SnapshotInfo snapshotInfo(Element root, String currentName) {
    String name = DomainXml.childText(root, "name");
    String created = DomainXml.childText(root, "creationTime");
    Element parent = DomainXml.child(root, "parent");
    Element memory = DomainXml.child(root, "memory");
    String state = DomainXml.childText(root, "state");
    boolean hasMemory =
        memory != null
            ? !"no".equals(memory.getAttribute("snapshot"))
                && !memory.getAttribute("snapshot").isEmpty()
            : "running".equals(state) || "paused".equals(state);
    return new SnapshotInfo(
        name,
        DomainXml.childText(root, "description"),
        VmStates.current(state), // libvirt's XML says shutoff; the agent says shut_off everywhere
        created == null ? null : Instant.ofEpochSecond(Long.parseLong(created)).toString(),
        parent == null ? null : DomainXml.childText(parent, "name"),
        name != null && name.equals(currentName),
        hasMemory);
  }
}
