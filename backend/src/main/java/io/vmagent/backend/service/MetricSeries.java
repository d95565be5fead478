package io.vmagent.backend.service;

import com.fasterxml.jackson.core.JsonPointer;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The series the metrics history keeps, each declared once with its name, unit and where in the
 * agent's snapshot (docs/metrics.md) its value comes from: a figure read as it is, or a rate the
 * backend computes from a counter summed over devices.
 */
public enum MetricSeries {
  HOST_CPU(Scope.HOST, "cpu_percent", Unit.PERCENT, gauge("/system/cpu/usage_percent")),
  HOST_MEMORY_USED_PERCENT(
      Scope.HOST, "memory_used_percent", Unit.PERCENT, gauge("/system/memory/used_percent")),
  HOST_MEMORY_USED(Scope.HOST, "memory_used_bytes", Unit.BYTES, gauge("/system/memory/used_bytes")),
  HOST_SWAP_USED_PERCENT(
      Scope.HOST, "swap_used_percent", Unit.PERCENT, gauge("/system/swap/used_percent")),
  HOST_LOAD_1M(Scope.HOST, "load_1m", Unit.LOAD, gauge("/system/load/load_1m")),
  HOST_DISK_READ(
      Scope.HOST,
      "disk_read_bytes_per_second",
      Unit.BYTES_PER_SECOND,
      rate("/system/disks", "device", "read_bytes", Filters.PHYSICAL_DISK)),
  HOST_DISK_WRITE(
      Scope.HOST,
      "disk_write_bytes_per_second",
      Unit.BYTES_PER_SECOND,
      rate("/system/disks", "device", "write_bytes", Filters.PHYSICAL_DISK)),
  HOST_NETWORK_RX(
      Scope.HOST,
      "network_rx_bytes_per_second",
      Unit.BYTES_PER_SECOND,
      rate("/system/network", "name", "rx_bytes", Filters.NOT_LOOPBACK)),
  HOST_NETWORK_TX(
      Scope.HOST,
      "network_tx_bytes_per_second",
      Unit.BYTES_PER_SECOND,
      rate("/system/network", "name", "tx_bytes", Filters.NOT_LOOPBACK)),
  VM_CPU(Scope.VM, "cpu_percent", Unit.PERCENT, gauge("/cpu_percent")),
  VM_MEMORY(Scope.VM, "memory_bytes", Unit.BYTES, gauge("/memory_current_bytes")),
  VM_DISK_READ(
      Scope.VM,
      "disk_read_bytes_per_second",
      Unit.BYTES_PER_SECOND,
      rate("/disks", "device", "read_bytes", name -> true)),
  VM_DISK_WRITE(
      Scope.VM,
      "disk_write_bytes_per_second",
      Unit.BYTES_PER_SECOND,
      rate("/disks", "device", "write_bytes", name -> true)),
  VM_NETWORK_RX(
      Scope.VM,
      "network_rx_bytes_per_second",
      Unit.BYTES_PER_SECOND,
      rate("/interfaces", "device", "rx_bytes", name -> true)),
  VM_NETWORK_TX(
      Scope.VM,
      "network_tx_bytes_per_second",
      Unit.BYTES_PER_SECOND,
      rate("/interfaces", "device", "tx_bytes", name -> true));

  /** Whose figures a series holds. */
  public enum Scope {
    /** The host's own, read from the top of the snapshot. */
    HOST("/host/boot_time"),
    /** One VM's, read from its entry in {@code domains}. */
    VM("/id");

    /**
     * Where a new value says every counter began again from zero: the host's boot time, the
     * domain's hypervisor id.
     */
    @SuppressWarnings("ImmutableEnumChecker") // Jackson's JsonPointer cannot change
    final JsonPointer restart;

    Scope(String restart) {
      this.restart = JsonPointer.compile(restart);
    }

    /** The series of this scope, in the order answers list them. */
    public List<MetricSeries> series() {
      return BY_SCOPE.get(this);
    }
  }

  /** The units of the series, as the answers spell them. */
  public enum Unit {
    PERCENT("percent"),
    BYTES("bytes"),
    BYTES_PER_SECOND("bytes_per_second"),
    LOAD("load");

    private final String wire;

    Unit(String wire) {
      this.wire = wire;
    }

    /** The unit as answers spell it. */
    public String wire() {
      return wire;
    }
  }

  /** Where a value comes from. */
  sealed interface Source permits Gauge, Rate {}

  /** A figure read as the agent reported it. */
  record Gauge(JsonPointer path) implements Source {}

  /**
   * Bytes per second over the interval since the previous sample, from the counter {@code counter}
   * of each entry of the array at {@code list} (named by {@code key}) that {@code counted} admits,
   * summed.
   */
  record Rate(JsonPointer list, String key, String counter, Predicate<String> counted)
      implements Source {}

  private static Gauge gauge(String path) {
    return new Gauge(JsonPointer.compile(path));
  }

  private static Rate rate(String list, String key, String counter, Predicate<String> counted) {
    return new Rate(JsonPointer.compile(list), key, counter, counted);
  }

  /** Which devices a host total counts. */
  private static final class Filters {
    // Devices stacked on other disks (device-mapper, md RAID) would count the same bytes twice;
    // loop, RAM and optical devices are not the host's disks.
    private static final Pattern STACKED_OR_VIRTUAL =
        Pattern.compile("(dm-|md|loop|ram|zram|sr|nbd)[0-9]+");
    static final Predicate<String> PHYSICAL_DISK =
        name -> !STACKED_OR_VIRTUAL.matcher(name).matches();
    static final Predicate<String> NOT_LOOPBACK = name -> !name.equals("lo");
  }

  private static final Map<Scope, List<MetricSeries>> BY_SCOPE = new EnumMap<>(Scope.class);

  static {
    for (Scope scope : Scope.values()) {
      BY_SCOPE.put(scope, Arrays.stream(values()).filter(s -> s.scope == scope).toList());
    }
  }

  final Scope scope;
  private final String wireName;
  private final Unit unit;

  @SuppressWarnings("ImmutableEnumChecker") // records of pointers, names and stateless predicates
  final Source source;

  MetricSeries(Scope scope, String wireName, Unit unit, Source source) {
    this.scope = scope;
    this.wireName = wireName;
    this.unit = unit;
    this.source = source;
  }

  /** The series' name in answers and in the store, e.g. {@code cpu_percent}. */
  public String wireName() {
    return wireName;
  }

  /** Its unit. */
  public Unit unit() {
    return unit;
  }

  /** Its scope. */
  public Scope scope() {
    return scope;
  }
}
