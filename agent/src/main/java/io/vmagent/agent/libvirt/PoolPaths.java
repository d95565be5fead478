package io.vmagent.agent.libvirt;

import io.vmagent.agent.libvirt.create.HostPaths;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.libvirt.Connect;
import org.libvirt.LibvirtException;
import org.libvirt.StoragePool;
import org.libvirt.StorageVol;
import org.w3c.dom.Element;

/** Reads the host's storage pools: where they keep files and which volumes they hold. */
final class PoolPaths {
  private static final Set<String> DIRECTORY_POOLS = Set.of("dir", "fs", "netfs");

  private PoolPaths() {}

  /** Every active pool and {@code allowed}, for checking a domain definition. */
  static HostPaths read(Connect connect, List<Path> allowed) throws LibvirtException {
    Map<String, HostPaths.Pool> pools = new LinkedHashMap<>();
    for (String name : connect.listStoragePools()) {
      StoragePool pool = connect.storagePoolLookupByName(name);
      Element xml = DomainXml.root(pool.getXMLDesc(0));
      Element target = DomainXml.child(xml, "target");
      String dir = target == null ? null : DomainXml.childText(target, "path");
      Set<String> volumes = new HashSet<>();
      Set<String> paths = new HashSet<>();
      for (String volume : pool.listVolumes()) {
        volumes.add(volume);
        paths.add(pool.storageVolLookupByName(volume).getPath());
      }
      Path directory =
          dir != null && DIRECTORY_POOLS.contains(xml.getAttribute("type")) ? Path.of(dir) : null;
      pools.put(name, new HostPaths.Pool(name, directory, volumes, paths));
    }
    return new HostPaths(pools, allowed);
  }

  /** The volume {@code poolAndName} ({@code pool/volume}), or null when it does not exist. */
  static StorageVol find(Connect connect, String poolAndName) {
    int slash = poolAndName.indexOf('/');
    if (slash < 0) {
      return null;
    }
    try {
      return connect
          .storagePoolLookupByName(poolAndName.substring(0, slash))
          .storageVolLookupByName(poolAndName.substring(slash + 1));
    } catch (LibvirtException e) {
      return null;
    }
  }
}
