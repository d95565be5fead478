package io.vmagent.agent.metrics.system;

import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.NetworkIo;
import io.vmagent.agent.metrics.Rates;
import io.vmagent.agent.metrics.SnapshotBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import oshi.hardware.HardwareAbstractionLayer;
import oshi.hardware.NetworkIF;

/**
 * Traffic of each network interface (bytes, packets, errors and drops in both directions) and their
 * rates. Bridges are included; the tap devices libvirt creates for guests ({@code vnetN}, {@code
 * macvtapN}) are not: their counters are in each domain's interfaces already, and OSHI reads eleven
 * sysfs files per interface (about 300 KB of garbage each), which at hundreds of VMs would make the
 * host's network collector the agent's heaviest.
 *
 * <p>OSHI lists the interfaces, which walks every one through the JDK; the listing is redone only
 * when the set of names under {@code /sys/class/net} changes. Counters are then read from each
 * interface's sysfs statistics files (see {@link SysfsCounter} for why), through OSHI where there
 * is no sysfs.
 */
public final class NetworkCollector implements Collector {
  /** Tap devices libvirt names itself for guest interfaces. */
  public static final Pattern GUEST_TAPS = Pattern.compile("(vnet|macvtap)[0-9]+");

  private static final int FIELDS = 8;
  private static final long[] NONE = {-1, -1, -1, -1, -1, -1, -1, -1};
  private static final String[] SYSFS_FILES = {
    "rx_bytes", "tx_bytes", "rx_packets", "tx_packets",
    "rx_errors", "tx_errors", "rx_dropped", "tx_dropped"
  };

  private final HardwareAbstractionLayer hardware;
  private final Path sysClassNet;
  private final Pattern ignored;
  private final SysfsCounter sysfs = new SysfsCounter();
  private Map<String, long[]> previous = Map.of();
  private long previousNanos;
  private List<NetworkIF> interfaces;
  private Set<String> namesAtListing;

  /**
   * @param sysClassNet where Linux exposes per-interface counters ({@code /sys/class/net})
   */
  public NetworkCollector(HardwareAbstractionLayer hardware, Path sysClassNet) {
    this(hardware, sysClassNet, GUEST_TAPS);
  }

  /**
   * @param ignored names of interfaces to leave out (matched whole)
   */
  public NetworkCollector(HardwareAbstractionLayer hardware, Path sysClassNet, Pattern ignored) {
    this.hardware = hardware;
    this.sysClassNet = sysClassNet;
    this.ignored = ignored;
  }

  @Override
  public String name() {
    return "network";
  }

  @Override
  public synchronized void collect(SnapshotBuilder into) {
    long now = System.nanoTime();
    double seconds = (now - previousNanos) / 1e9;
    boolean relisted = relistIfChanged();
    Map<String, long[]> current = new HashMap<>();
    List<NetworkIo> result = new ArrayList<>(interfaces.size());
    for (NetworkIF nic : interfaces) {
      long[] c = counters(nic, relisted);
      current.put(nic.getName(), c);
      result.add(reading(nic.getName(), previous.getOrDefault(nic.getName(), NONE), c, seconds));
    }
    previous = current;
    previousNanos = now;
    result.sort(Comparator.comparing(NetworkIo::name));
    into.system().network(result);
  }

  /** Lists the interfaces again when the names under /sys/class/net changed; whether it did. */
  private boolean relistIfChanged() {
    Set<String> names = names();
    if (interfaces != null && names != null && names.equals(namesAtListing)) {
      return false;
    }
    interfaces = new ArrayList<>();
    for (NetworkIF nic : hardware.getNetworkIFs(true)) {
      if (!ignored.matcher(nic.getName()).matches()) {
        interfaces.add(nic);
      }
    }
    namesAtListing = names;
    return true;
  }

  /** Counters {@code c} and their rates since {@code p}, in {@link #SYSFS_FILES} order. */
  private static NetworkIo reading(String name, long[] p, long[] c, double seconds) {
    double[] r = new double[FIELDS];
    for (int i = 0; i < FIELDS; i++) {
      r[i] = Rates.perSecond(p[i], c[i], seconds);
    }
    return new NetworkIo(
        name, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], r[0], r[1], r[2], r[3], r[4], r[5],
        r[6], r[7]);
  }

  /**
   * rx/tx bytes, packets, errors, drops. On Linux straight from the interface's sysfs statistics
   * (the kernel's stable single-value files; OSHI reads the same files but allocates about 300 KB
   * per interface doing it); elsewhere through OSHI, which has no outgoing drops.
   */
  private long[] counters(NetworkIF nic, boolean freshFromOshi) {
    Path statistics = sysClassNet.resolve(nic.getName()).resolve("statistics");
    long[] c = new long[FIELDS];
    for (int i = 0; i < FIELDS; i++) {
      c[i] = sysfs.read(statistics.resolve(SYSFS_FILES[i]));
    }
    if (c[0] >= 0) {
      return c;
    }
    if (!freshFromOshi) {
      nic.updateAttributes();
    }
    return new long[] {
      nic.getBytesRecv(),
      nic.getBytesSent(),
      nic.getPacketsRecv(),
      nic.getPacketsSent(),
      nic.getInErrors(),
      nic.getOutErrors(),
      nic.getInDrops(),
      -1
    };
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
}
