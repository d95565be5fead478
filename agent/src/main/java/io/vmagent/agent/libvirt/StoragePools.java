package io.vmagent.agent.libvirt;

import java.util.ArrayList;
import java.util.List;
import org.libvirt.Connect;
import org.libvirt.Error;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StoragePoolInfo;
import org.w3c.dom.Element;

/** The active storage pools of a libvirt host and the space libvirt reports for each. */
public final class StoragePools {
  /**
   * One active pool.
   *
   * @param type the pool's type, e.g. {@code dir}, {@code logical}
   * @param path its target path; null when it has none
   * @param capacityBytes its size as libvirt last measured it
   * @param availableBytes what is free in it as libvirt last measured it
   */
  public record Pool(
      String name, String type, String path, long capacityBytes, long availableBytes) {

    /** Whether its target is a directory of a mounted file system (dir, fs, netfs). */
    public boolean onFileSystem() {
      return path != null && List.of("dir", "fs", "netfs").contains(type);
    }
  }

  private StoragePools() {}

  /** Every active pool, in libvirt's order; a pool that went away while being read is skipped. */
  public static List<Pool> active(Connect connect) throws LibvirtException {
    List<Pool> pools = new ArrayList<>();
    for (String name : connect.listStoragePools()) {
      try {
        StoragePool pool = connect.storagePoolLookupByName(name);
        StoragePoolInfo info = pool.getInfo();
        Element root = DomainXml.root(pool.getXMLDesc(0));
        Element target = DomainXml.child(root, "target");
        pools.add(
            new Pool(
                name,
                root.getAttribute("type"),
                target == null ? null : DomainXml.childText(target, "path"),
                info.capacity,
                info.available));
      } catch (LibvirtException e) {
        if (e.getError().getCode() != Error.ErrorNumber.VIR_ERR_NO_STORAGE_POOL) {
          throw e;
        }
        // stopped or undefined between listing and reading
      }
    }
    return pools;
  }
}
