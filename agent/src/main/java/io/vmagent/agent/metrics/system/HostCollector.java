package io.vmagent.agent.metrics.system;

import io.vmagent.agent.metrics.Collector;
import io.vmagent.agent.metrics.HostFacts;
import io.vmagent.agent.metrics.SnapshotBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import oshi.hardware.CentralProcessor;
import oshi.software.os.OperatingSystem;

/**
 * Host facts: name, OS, kernel, CPU model, virtualisation support, uptime and boot time. The static
 * facts are read once (the CPU flags alone are a few kilobytes of text).
 */
public final class HostCollector implements Collector {
  private static final Pattern FLAG_SEPARATORS = Pattern.compile("[\\s:]+");

  private final OperatingSystem os;
  private final CentralProcessor processor;
  private final Path kvmDevice;
  private volatile StaticFacts facts;

  public HostCollector(OperatingSystem os, CentralProcessor processor, Path kvmDevice) {
    this.os = os;
    this.processor = processor;
    this.kvmDevice = kvmDevice;
  }

  @Override
  public String name() {
    return "host";
  }

  @Override
  public void collect(SnapshotBuilder into) {
    StaticFacts f = facts;
    if (f == null) {
      f = readStaticFacts();
      facts = f;
    }
    into.host(
        new HostFacts(
            os.getNetworkParams().getHostName(),
            f.os,
            f.kernel,
            System.getProperty("os.arch"),
            f.cpuModel,
            new HostFacts.Virtualization(f.cpuFlag, Files.exists(kvmDevice)),
            os.getSystemUptime(),
            Instant.ofEpochSecond(os.getSystemBootTime())));
  }

  private StaticFacts readStaticFacts() {
    OperatingSystem.OSVersionInfo version = os.getVersionInfo();
    String description =
        version.getVersion() == null || version.getVersion().isBlank()
            ? os.getFamily()
            : os.getFamily() + " " + version.getVersion();
    if (version.getCodeName() != null && !version.getCodeName().isBlank()) {
      description += " (" + version.getCodeName() + ")";
    }
    return new StaticFacts(
        description,
        version.getBuildNumber(),
        processor.getProcessorIdentifier().getName().trim(),
        virtualizationFlag(processor.getFeatureFlags()));
  }

  /** "vmx" or "svm" if any line of the CPU's feature flags lists it as a whole word. */
  static String virtualizationFlag(List<String> featureFlagLines) {
    for (String line : featureFlagLines) {
      for (String token : FLAG_SEPARATORS.split(line, -1)) {
        if (token.equals("vmx") || token.equals("svm")) {
          return token;
        }
      }
    }
    return null;
  }

  private record StaticFacts(String os, String kernel, String cpuModel, String cpuFlag) {}
}
