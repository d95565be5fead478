package io.vmagent.agent.metrics.system;

import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.Rates;
import io.vmagent.agent.metrics.SnapshotBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

/**
 * Traffic of each network interface (bytes, packets, errors and drops in both directions) and
 * their rates. Bridges and tap devices are included: on a VM host they carry the guests' traffic.
 *
 * <p>OSHI's interface listing walks every interface through the JDK; it is redone only when the
 * set of names under {@code /sys/class/net} changes (a VM started or stopped), and the known
 * interfaces are refreshed in between.
 */
public final class NetworkCollector implements Collector {
  private static final int FIELDS = 8;
  private static final long[] NONE = {-1, -1, -1, -1, -1, -1, -1, -1};

  private final HardwareAbstractionLayer hardware;
  private final Path sysClassNet;
  private Map<String, long[]> previous = Map.of();
  private long previousNanos;
  private List<NetworkIF> interfaces;
  private Set<String> namesAtListing;

  /**
   * @param sysClassNet where Linux exposes per-interface counters ({@code /sys/class/net}); OSHI
   *     gives every figure but outgoing drops, which are read from there
   */
  public NetworkCollector(HardwareAbstractionLayer hardware, Path sysClassNet) {
    this.hardware = hardware;
    this.sysClassNet = sysClassNet;
  }

  @Override
  public String name() {
    return "network";
  }

  @Override
  public synchronized void collect(SnapshotBuilder into) {
    long now = System.nanoTime();
    double seconds = (now - previousNanos) / 1e9;
    Map<String, long[]> current = new HashMap<>();
    List<NetworkIo> result = new ArrayList<>();
    Set<String> names = names();
    if (interfaces == null || names == null || !names.equals(namesAtListing)) {
      interfaces = hardware.getNetworkIFs(true);
      namesAtListing = names;
    } else {
      for (NetworkIF nic : interfaces) {
        nic.updateAttributes();
      }
    }
    for (NetworkIF nic : interfaces) {
      long txDrops = txDropped(nic.getName());
      long[] c = {
        nic.getBytesRecv(),
        nic.getBytesSent(),
        nic.getPacketsRecv(),
        nic.getPacketsSent(),
        nic.getInErrors(),
        nic.getOutErrors(),
        nic.getInDrops(),
        txDrops
      };
      current.put(nic.getName(), c);
      long[] p = previous.getOrDefault(nic.getName(), NONE);
      Double[] r = new Double[FIELDS];
      for (int i = 0; i < FIELDS; i++) {
        r[i] = Rates.perSecond(p[i], c[i], seconds);
      }
      result.add(
          new NetworkIo(
              nic.getName(),
              c[0], c[1], c[2], c[3], c[4], c[5], c[6],
              txDrops < 0 ? null : txDrops,
              r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]));
    }
    previous = current;
    previousNanos = now;
    result.sort(Comparator.comparing(NetworkIo::name));
    into.network(result);
  }

  private Set<String> names() {
    try (Stream<Path> entries = Files.list(sysClassNet)) {
      Set<String> names = new HashSet<>();
      entries.forEach(p -> names.add(p.getFileName().toString()));
      return names;
    } catch (IOException e) {
      return null; // not Linux: list through OSHI every time
    }
  }

  private long txDropped(String name) {
    Path file = sysClassNet.resolve(name).resolve("statistics").resolve("tx_dropped");
    try {
      return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      // Not Linux, or the interface vanished since it was listed: the figure is simply absent.
      return -1;
    }
  }
}
