package io.vmagent.agent.libvirt;

import io.vmagent.agent.operation.Params;
import io.vmagent.protocol.MigrateRequest;
import io.vmagent.protocol.text.Printable;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How the source moves a VM: where to (the destination's libvirt URI and, optionally, the URI
 * QEMU's migration stream goes to), live or not, with its disks copied or on shared storage, and
 * the limits (bandwidth, tolerated downtime or auto-converge, an overall deadline after which
 * libvirt's job is aborted and the VM keeps running on the source).
 *
 * @param destinationUri the destination's libvirt URI, e.g. {@code qemu+tls://host-b/system}
 * @param streamUri where QEMU sends the memory, e.g. {@code tcp://host-b:49152} or {@code
 *     unix:///path}; null lets libvirt choose from the destination's host name
 * @param live false pauses a running VM while it moves; null means live for a running VM
 * @param copyStorage copy the disks to the destination (no shared storage)
 * @param bandwidthMib at most this many MiB/s, or null for libvirt's default (no limit)
 * @param maxDowntime the longest the VM may be paused at the end, or null for QEMU's default
 * @param autoConverge slow the guest's vCPUs down when its memory changes faster than it moves
 * @param deadline after this the job is aborted and the VM stays on the source
 * @param unsafe skip libvirt's check that the disks' storage is shared and their cache safe
 */
public record MigrationOptions(
    String destinationUri,
    String streamUri,
    Boolean live,
    boolean copyStorage,
    Long bandwidthMib,
    Duration maxDowntime,
    boolean autoConverge,
    Duration deadline,
    boolean unsafe) {
  /** The deadline when the caller gives none. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(15);

  /** Largest bandwidth limit, in MiB/s. */
  public static final long MAX_BANDWIDTH_MIB = 1L << 20;

  /** Longest tolerated downtime, in milliseconds. */
  public static final long MAX_DOWNTIME_MS = 60_000;

  /** The parameter names {@code migrate} takes besides {@code vm}. */
  public static final Set<String> NAMES = names();

  private static final int MAX_URI_LENGTH = 1024;
  private static final Pattern URI = Pattern.compile("[a-z][a-z0-9+.-]*://[\\x21-\\x7e]*");

  public MigrationOptions {
    destinationUri = uri("destination_uri", destinationUri);
    if (destinationUri == null) {
      throw Params.invalid("migrate needs the parameter 'destination_uri'");
    }
    streamUri = uri("migrate_uri", streamUri);
    Objects.requireNonNull(deadline, "deadline == null");
    Params.checkTimeout("deadline_seconds", deadline);
    if (maxDowntime != null
        && (maxDowntime.toMillis() < 1 || maxDowntime.toMillis() > MAX_DOWNTIME_MS)) {
      throw Params.invalid("parameter 'max_downtime_ms' must be between 1 and " + MAX_DOWNTIME_MS);
    }
    if (bandwidthMib != null && (bandwidthMib < 1 || bandwidthMib > MAX_BANDWIDTH_MIB)) {
      throw Params.invalid("parameter 'bandwidth_mib' must be between 1 and " + MAX_BANDWIDTH_MIB);
    }
  }

  /** Reads the options from a {@code migrate} command's parameters. */
  public static MigrationOptions parse(Params p) {
    Long downtime = p.optionalWholeNumber("max_downtime_ms", 1, MAX_DOWNTIME_MS);
    Duration deadline = p.optionalTimeout("deadline_seconds");
    return new MigrationOptions(
        p.optionalString("destination_uri"),
        p.optionalString("migrate_uri"),
        p.optionalFlag("live"),
        p.flag("copy_storage"),
        p.optionalWholeNumber("bandwidth_mib", 1, MAX_BANDWIDTH_MIB),
        downtime == null ? null : Duration.ofMillis(downtime),
        p.flag("auto_converge"),
        deadline == null ? DEFAULT_DEADLINE : deadline,
        p.flag("unsafe"));
  }

  private static Set<String> names() {
    Set<String> names = new HashSet<>(MigrateRequest.OPTIONS);
    names.add("destination_uri");
    names.add("migrate_uri");
    return Set.copyOf(names);
  }

  private static String uri(String name, String value) {
    if (value == null) {
      return null;
    }
    if (value.length() > MAX_URI_LENGTH || !URI.matcher(value).matches()) {
      throw Params.invalid(
          "parameter '"
              + name
              + "' must be a URI such as qemu+tls://host/system (scheme://, printable ASCII,"
              + " no spaces), not '"
              + Printable.escape(value.length() > 80 ? value.substring(0, 80) + "..." : value)
              + "'");
    }
    return value;
  }
}
