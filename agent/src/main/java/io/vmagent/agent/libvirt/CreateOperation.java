package io.vmagent.agent.libvirt;

import io.vmagent.agent.libvirt.create.CloudInitSeed;
import io.vmagent.agent.libvirt.create.DomainBuilder;
import io.vmagent.agent.libvirt.create.Origin;
import io.vmagent.agent.libvirt.create.VolumeXml;
import io.vmagent.protocol.ErrorCode;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.libvirt.Stream;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Creates a VM from {@link CreateParams.Create}: checks everything it will need first (pools, base
 * volumes, free volume names, network), then defines the VM marked incomplete with the volumes it
 * is about to make in its {@link Origin}, makes them, marks it complete and starts it if asked. On
 * any failure it removes what it made; a crash in between leaves a VM whose origin names every
 * volume, which {@code delete} with {@code remove_storage} removes.
 */
final class CreateOperation {
  // Cloning or uploading copies data inside libvirt: longer than one ordinary call.
  private static final Duration VOLUME_DEADLINE = Duration.ofMinutes(30);
  private static final long MIB = 1024 * 1024;
  private static final int UPLOAD_CHUNK = 256 * 1024;
  private static final int UNDEFINE_NVRAM = 4; // VIR_DOMAIN_UNDEFINE_NVRAM, not in libvirt-java

  /**
   * A volume the VM will get.
   *
   * @param path where the pool keeps it (its directory and name)
   * @param cloneOf the base volume it is a full copy of, or null
   * @param backingPath the image it is an overlay on, or null
   * @param content bytes uploaded into it (the cloud-init seed, read-only), or null
   */
  private record PlannedVolume(
      String pool,
      String name,
      String path,
      long capacityBytes,
      String format,
      String cloneOf,
      String backingPath,
      String backingFormat,
      ByteBuffer content) {

    String poolAndName() {
      return pool + "/" + name;
    }
  }

  private record Plan(String domainType, List<PlannedVolume> volumes) {}

  private final LibvirtConnectionManager libvirt;
  private final UptimeTracker uptime;

  CreateOperation(LibvirtConnectionManager libvirt, UptimeTracker uptime) {
    this.libvirt = libvirt;
    this.uptime = uptime;
  }

  CreateResult create(CreateParams.Create params) {
    long started = System.nanoTime();
    String name = params.name();
    String digest = Origin.digestOf(params.toString());
    Optional<DefineOperation.Existing> existing =
        libvirt.withConnection("look up VM '" + name + "'", c -> DefineOperation.existing(c, name));
    if (existing.isPresent()) {
      return again(existing.get(), digest, started);
    }
    String uuid = UUID.randomUUID().toString();
    byte[] seed =
        params.cloudInit() == null
            ? null
            : CloudInitSeed.build(params.cloudInit().userData(), metaData(params, uuid));
    Plan plan = libvirt.withConnection("plan VM '" + name + "'", c -> plan(c, params, seed));
    List<String> volumes = plan.volumes().stream().map(PlannedVolume::poolAndName).toList();
    Origin origin = new Origin("create", digest, false, volumes);
    DomainBuilder domain =
        new DomainBuilder(plan.domainType(), name, uuid)
            .vcpus(params.vcpus())
            .memoryMib(params.memoryMib())
            .firmware(params.firmware())
            .network(params.network())
            .bridge(params.bridge());
    for (PlannedVolume volume : plan.volumes()) {
      domain.disk(new DomainBuilder.Disk(volume.path(), volume.format(), volume.content() != null));
    }
    String incomplete = domain.origin(origin).build();
    String complete = domain.origin(origin.completed()).build();
    boolean defined = false;
    try {
      define(name, incomplete);
      defined = true;
      for (PlannedVolume volume : plan.volumes()) {
        libvirt.withConnection(
            "create volume " + volume.poolAndName(), VOLUME_DEADLINE, c -> make(c, volume));
      }
      define(name, complete);
      if (params.start()) {
        libvirt.withConnection(
            "start VM '" + name + "'",
            c -> {
              c.domainLookupByUUIDString(uuid).create();
              return null;
            });
        uptime.started(uuid, Instant.now());
      }
    } catch (VmOperationException e) {
      throw cleanUp(e, params, uuid, defined, plan.volumes());
    }
    VmState after =
        libvirt.withConnection(
            "read the state of VM '" + name + "'",
            c -> NativeDomain.status(c.domainLookupByUUIDString(uuid)).state());
    List<String> paths = plan.volumes().stream().map(PlannedVolume::path).toList();
    return new CreateResult(
        "create",
        name,
        uuid,
        VmState.UNDEFINED,
        after,
        true,
        params.start() ? "define_and_start" : "define",
        params.start() ? "created and started" : "created",
        DefineOperation.millisSince(started),
        paths);
  }

  /**
   * What a {@code create} of {@code name} cut short by the agent's death left on the host: since
   * the VM is defined, incomplete and naming its volumes, before any volume is made, and its
   * volumes are removed before it when a creation fails, every volume it left is named by a VM left
   * incomplete.
   */
  String leftBy(String name) {
    String vm = VmRef.validName("VM name", name);
    return libvirt.withConnection(
        "look at what the create of VM '" + vm + "' left", c -> left(c, vm));
  }

  private static String left(Connect c, String name) throws LibvirtException {
    Optional<DefineOperation.Existing> existing = DefineOperation.existing(c, name);
    if (existing.isEmpty()) {
      return "nothing: no VM '" + name + "' is defined and no volume was made for it";
    }
    Optional<Origin> origin = Origin.read(existing.get().xml());
    if (origin.isEmpty() || origin.get().complete()) {
      return "nothing half-made: VM '"
          + name
          + "' is defined and complete ("
          + (origin.isEmpty() ? "not made by create" : "made by this command or an earlier one")
          + ")";
    }
    List<String> made = new ArrayList<>();
    List<String> notMade = new ArrayList<>();
    for (String volume : origin.get().volumes()) {
      (volumeExists(c, volume) ? made : notMade).add(volume);
    }
    return "VM '"
        + name
        + "' is defined but incomplete; volumes made: "
        + (made.isEmpty() ? "none" : String.join(", ", made))
        + "; not made: "
        + (notMade.isEmpty() ? "none" : String.join(", ", notMade))
        + "; delete it with remove_storage to remove them all";
  }

  /** Whether the volume {@code pool/name} exists; a failure other than "no such" is thrown. */
  private static boolean volumeExists(Connect c, String poolAndName) throws LibvirtException {
    int slash = poolAndName.indexOf('/');
    StoragePool pool;
    try {
      pool = c.storagePoolLookupByName(poolAndName.substring(0, slash));
    } catch (LibvirtException e) {
      if (e.getError() != null
          && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_STORAGE_POOL) {
        return false;
      }
      throw e;
    }
    try {
      pool.storageVolLookupByName(poolAndName.substring(slash + 1));
      return true;
    } catch (LibvirtException e) {
      if (e.getError() != null
          && e.getError().getCode() == org.libvirt.Error.ErrorNumber.VIR_ERR_NO_STORAGE_VOL) {
        return false;
      }
      throw e;
    }
  }

  /** A VM of that name exists: the same request again changes nothing; anything else is refused. */
  private static CreateResult again(DefineOperation.Existing vm, String digest, long started) {
    Optional<Origin> origin = Origin.read(vm.xml());
    if (origin.isPresent() && !origin.get().complete()) {
      throw new VmOperationException(
          ErrorCode.INVALID_STATE,
          "VM '"
              + vm.name()
              + "' was left incomplete by a create that did not finish (its volumes: "
              + String.join(", ", origin.get().volumes())
              + "); delete it with remove_storage, then create it again");
    }
    if (origin.isPresent() && origin.get().digest().equals(digest)) {
      return vm.unchanged("create", "already created with the same parameters", started);
    }
    throw vm.nameTaken();
  }

  private void define(String name, String xml) {
    libvirt.withConnection(
        "define VM '" + name + "'",
        c -> {
          c.domainDefineXML(xml);
          return null;
        });
  }

  private static String metaData(CreateParams.Create params, String uuid) {
    String given = params.cloudInit().metaData();
    return given != null
        ? given
        : "instance-id: " + uuid + "\nlocal-hostname: " + params.name() + "\n";
  }

  /** Checks everything the VM needs, before anything is made. */
  private static Plan plan(Connect c, CreateParams.Create params, byte[] seed)
      throws LibvirtException {
    List<PlannedVolume> volumes = new ArrayList<>();
    char letter = 'a';
    for (CreateParams.Disk disk : params.disks()) {
      StoragePool pool = activePool(c, disk.pool());
      String name = params.name() + "-vd" + letter++ + ".qcow2";
      String path = pathIn(pool, disk.pool(), name);
      if (disk.base() == null) {
        volumes.add(
            new PlannedVolume(
                disk.pool(), name, path, disk.sizeMib() * MIB, "qcow2", null, null, null, null));
        continue;
      }
      StorageVol base = volume(pool, disk.pool(), disk.base());
      long baseCapacity = base.getInfo().capacity;
      long capacity = disk.sizeMib() == null ? baseCapacity : disk.sizeMib() * MIB;
      if (capacity < baseCapacity) {
        throw new VmOperationException(
            ErrorCode.INVALID_ARGUMENT,
            "size "
                + disk.sizeMib()
                + " MiB is smaller than the base volume '"
                + disk.base()
                + "' ("
                + baseCapacity / MIB
                + " MiB)");
      }
      volumes.add(
          disk.mode() == CreateParams.Disk.Mode.CLONE
              ? new PlannedVolume(
                  disk.pool(), name, path, capacity, "qcow2", disk.base(), null, null, null)
              : new PlannedVolume(
                  disk.pool(),
                  name,
                  path,
                  capacity,
                  "qcow2",
                  null,
                  base.getPath(),
                  formatOf(base),
                  null));
    }
    if (seed != null) {
      String poolName = params.seedPool();
      StoragePool pool = activePool(c, poolName);
      String name = params.name() + "-cidata.iso";
      volumes.add(
          new PlannedVolume(
              poolName,
              name,
              pathIn(pool, poolName, name),
              seed.length,
              "raw",
              null,
              null,
              null,
              ByteBuffer.wrap(seed).asReadOnlyBuffer()));
    }
    if (params.network() != null) {
      try {
        c.networkLookupByName(params.network());
      } catch (LibvirtException e) {
        throw new VmOperationException(
            ErrorCode.INVALID_ARGUMENT,
            "there is no libvirt network '" + params.network() + "': " + LibvirtErrors.messageOf(e),
            e);
      }
    }
    return new Plan(domainType(c.getCapabilities()), volumes);
  }

  private static StoragePool activePool(Connect c, String name) throws LibvirtException {
    StoragePool pool;
    try {
      pool = c.storagePoolLookupByName(name);
    } catch (LibvirtException e) {
      throw new VmOperationException(
          ErrorCode.INVALID_ARGUMENT, "there is no storage pool '" + name + "'", e);
    }
    if (pool.isActive() != 1) {
      throw new VmOperationException(
          ErrorCode.INVALID_STATE, "storage pool '" + name + "' is not active");
    }
    return pool;
  }

  private static StorageVol volume(StoragePool pool, String poolName, String name) {
    try {
      return pool.storageVolLookupByName(name);
    } catch (LibvirtException e) {
      throw new VmOperationException(
          ErrorCode.INVALID_ARGUMENT,
          "storage pool '" + poolName + "' has no volume '" + name + "'",
          e);
    }
  }

  /** Where the pool will keep a new volume {@code name}; refused when one is already there. */
  private static String pathIn(StoragePool pool, String poolName, String name)
      throws LibvirtException {
    for (String existing : pool.listVolumes()) {
      if (existing.equals(name)) {
        throw new VmOperationException(
            ErrorCode.INVALID_STATE,
            "storage pool '" + poolName + "' already has a volume '" + name + "'");
      }
    }
    Element target = DomainXml.child(DomainXml.root(pool.getXMLDesc(0)), "target");
    String dir = target == null ? null : DomainXml.childText(target, "path");
    if (dir == null) {
      throw new VmOperationException(
          ErrorCode.UNSUPPORTED, "storage pool '" + poolName + "' has no target path");
    }
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  private static String formatOf(StorageVol volume) throws LibvirtException {
    Element target = DomainXml.child(DomainXml.root(volume.getXMLDesc(0)), "target");
    Element format = target == null ? null : DomainXml.child(target, "format");
    return format == null || format.getAttribute("type").isEmpty()
        ? "raw"
        : format.getAttribute("type");
  }

  /**
   * {@code kvm} when the host has it for its own architecture, else {@code qemu}, else the first.
   */
  static String domainType(String capabilities) {
    Element root = DomainXml.root(capabilities);
    Element host = DomainXml.child(root, "host");
    Element cpu = host == null ? null : DomainXml.child(host, "cpu");
    String arch = cpu == null ? null : DomainXml.childText(cpu, "arch");
    List<String> types = new ArrayList<>();
    NodeList guests = root.getElementsByTagName("guest");
    for (int i = 0; i < guests.getLength(); i++) {
      Element guest = (Element) guests.item(i);
      Element guestArch = DomainXml.child(guest, "arch");
      if (!"hvm".equals(DomainXml.childText(guest, "os_type")) || guestArch == null) {
        continue;
      }
      if (arch != null && !arch.equals(guestArch.getAttribute("name"))) {
        continue;
      }
      NodeList domains = guestArch.getChildNodes();
      for (int j = 0; j < domains.getLength(); j++) {
        Node node = domains.item(j);
        if (node instanceof Element domain && "domain".equals(domain.getTagName())) {
          types.add(domain.getAttribute("type"));
        }
      }
    }
    for (String preferred : List.of("kvm", "qemu")) {
      if (types.contains(preferred)) {
        return preferred;
      }
    }
    if (types.isEmpty()) {
      throw new VmOperationException(
          ErrorCode.UNSUPPORTED, "the hypervisor offers no hvm guests for " + arch);
    }
    return types.get(0);
  }

  private static Void make(Connect c, PlannedVolume volume) throws LibvirtException {
    StoragePool pool = c.storagePoolLookupByName(volume.pool());
    String xml =
        VolumeXml.of(
            volume.name(),
            volume.capacityBytes(),
            volume.format(),
            volume.backingPath(),
            volume.backingFormat());
    StorageVol made =
        volume.cloneOf() != null
            ? pool.storageVolCreateXMLFrom(xml, pool.storageVolLookupByName(volume.cloneOf()), 0)
            : pool.storageVolCreateXML(xml, 0);
    if (volume.content() != null) {
      upload(c, made, volume.content());
    }
    return null;
  }

  private static void upload(Connect c, StorageVol volume, ByteBuffer content)
      throws LibvirtException {
    ByteBuffer data = content.duplicate();
    Stream stream = c.streamNew(0);
    try {
      volume.upload(stream, 0, data.remaining(), 0);
      while (data.hasRemaining()) {
        byte[] chunk = new byte[Math.min(UPLOAD_CHUNK, data.remaining())];
        data.mark();
        data.get(chunk);
        int sent = stream.send(chunk);
        if (sent <= 0) {
          throw new VmOperationException(
              ErrorCode.OPERATION_FAILED, "libvirt accepted no data for " + volume.getPath());
        }
        data.reset();
        data.position(data.position() + sent);
      }
      stream.finish();
    } catch (LibvirtException | RuntimeException e) {
      try {
        stream.abort();
      } catch (LibvirtException abort) {
        e.addSuppressed(abort);
      }
      throw e;
    } finally {
      stream.free();
    }
  }

  /**
   * Removes what a failed creation made (every planned volume that exists now, none did when the
   * plan was made, then the VM) and returns the failure, saying what, if anything, is left.
   */
  private VmOperationException cleanUp(
      VmOperationException failure,
      CreateParams.Create params,
      String uuid,
      boolean defined,
      List<PlannedVolume> volumes) {
    List<String> left = new ArrayList<>();
    if (defined) {
      try {
        libvirt.withConnection(
            "stop VM '" + params.name() + "'",
            c -> {
              Domain domain = c.domainLookupByUUIDString(uuid);
              if (domain.isActive() == 1) {
                domain.destroy();
              }
              return null;
            });
        uptime.stopped(uuid);
      } catch (VmOperationException e) {
        left.add("VM '" + params.name() + "' (" + e.getMessage() + ")");
      }
    }
    // Volumes before the VM: a crash in between leaves the incomplete VM naming what is still
    // there, and a volume that cannot be removed keeps the VM that names it.
    for (PlannedVolume volume : volumes) {
      try {
        libvirt.withConnection(
            "remove volume " + volume.poolAndName(),
            c -> {
              StorageVol made = PoolPaths.find(c, volume.poolAndName());
              if (made != null) {
                made.delete(0);
              }
              return null;
            });
      } catch (VmOperationException e) {
        left.add("volume " + volume.poolAndName() + " (" + e.getMessage() + ")");
      }
    }
    if (defined && left.isEmpty()) {
      int flags = params.firmware() == DomainBuilder.Firmware.UEFI ? UNDEFINE_NVRAM : 0;
      try {
        libvirt.withConnection(
            "remove VM '" + params.name() + "'",
            c -> {
              c.domainLookupByUUIDString(uuid).undefine(flags);
              return null;
            });
      } catch (VmOperationException e) {
        left.add("VM '" + params.name() + "' (" + e.getMessage() + ")");
      }
    } else if (defined) {
      left.add(
          "VM '" + params.name() + "', kept because it names them: delete it with remove_storage");
    }
    String message =
        failure.getMessage()
            + (left.isEmpty()
                ? "; everything made so far was removed"
                : "; could not remove: " + String.join(", ", left));
    return new VmOperationException(failure.code(), message, failure);
  }
}
