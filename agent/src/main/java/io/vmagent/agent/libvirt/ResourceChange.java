package io.vmagent.agent.libvirt;

import io.vmagent.protocol.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import org.libvirt.Domain;

/**
 * {@code set_resources}: a VM's vCPU count and memory. A running VM is changed live where the
 * hypervisor allows it (within its maximums, with hotplug and a balloon); what cannot change live
 * goes into the persistent configuration and {@code applies_at_next_start}. A persistent VM's
 * configuration always takes the new values, raising its maximums when they are exceeded. Asking
 * for what the VM already has changes nothing.
 */
final class ResourceChange {
  // VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE: the configuration for the next start.
  private static final int INACTIVE_XML = 3;

  private final DomainCalls calls;

  ResourceChange(DomainCalls calls) {
    this.calls = calls;
  }

  /** What is known of the VM before the change. */
  private record Current(
      NativeDomain.Status live, boolean active, int liveMaxVcpus, DomainXml.Resources config) {

    ChangeResult.Settings settings() {
      return ChangeResult.Settings.resources(
          config == null ? null : config.vcpus(),
          config == null ? null : config.memoryKib(),
          active ? live.vcpus() : null,
          active ? live.memoryKib() : null);
    }
  }

  ChangeResult set(VmTarget target, VmParams.Resources wanted) {
    Current before = read(target);
    ChangeResult.Builder result =
        new ChangeResult.Builder("set_resources", target, before.live().state());
    Integer vcpus = wanted.vcpus();
    Long kib = wanted.memoryKib();
    boolean configDiffers =
        before.config() != null
            && ((vcpus != null && vcpus != before.config().vcpus())
                || (kib != null && kib != before.config().memoryKib()));
    boolean vcpusDifferLive = before.active() && vcpus != null && vcpus != before.live().vcpus();
    boolean memoryDiffersLive = before.active() && kib != null && kib != before.live().memoryKib();
    if (!configDiffers && !vcpusDifferLive && !memoryDiffersLive) {
      return result.unchanged(before.settings(), target + " already has these resources");
    }
    List<String> notLive = new ArrayList<>();
    boolean changedLive = false;
    if (vcpusDifferLive) {
      changedLive |= liveVcpus(target, vcpus, before, notLive);
    }
    if (memoryDiffersLive) {
      changedLive |= liveMemory(target, kib, before, notLive);
    }
    if (before.config() == null && !notLive.isEmpty()) {
      throw new VmOperationException(
          ErrorCode.INVALID_STATE,
          target
              + " is transient, so a change it cannot take live has nowhere to wait for its next"
              + " start: "
              + String.join("; ", notLive)
              + (changedLive ? " (what could change live was changed)" : ""));
    }
    if (configDiffers) {
      config(target, vcpus, kib, before.config());
    }
    boolean atNextStart = configDiffers && (!before.active() || !notLive.isEmpty());
    Current after = read(target);
    String method = changedLive ? (configDiffers ? "live_and_config" : "live") : "config";
    String message =
        before.active()
            ? notLive.isEmpty()
                ? "changed live" + (configDiffers ? " and in the configuration" : "")
                : "in the configuration for the next start; not live: " + String.join("; ", notLive)
            : "changed in the configuration; applies at the next start";
    return result.changed(
        after.live().state(),
        method,
        message,
        before.settings(),
        after.settings(),
        atNextStart ? Boolean.TRUE : null);
  }

  private Current read(VmTarget target) {
    return calls.call(
        target,
        "read the resources of",
        (c, d) -> {
          NativeDomain.Status live = NativeDomain.status(d);
          boolean active = live.state().isActive();
          int liveMax = active ? DomainXml.parse(d.getXMLDesc(0)).resources().maxVcpus() : 0;
          DomainXml.Resources config =
              d.isPersistent() == 1
                  ? DomainXml.parse(d.getXMLDesc(INACTIVE_XML)).resources()
                  : null;
          return new Current(live, active, liveMax, config);
        });
  }

  /** Sets the running VM's vCPUs; false (with the reason in {@code notLive}) when it cannot. */
  private boolean liveVcpus(VmTarget target, int vcpus, Current before, List<String> notLive) {
    if (vcpus > before.liveMaxVcpus()) {
      notLive.add(vcpus + " vCPUs exceed the running VM's maximum of " + before.liveMaxVcpus());
      return false;
    }
    return live(
        target,
        "set the vCPUs of",
        d -> d.setVcpusFlags(vcpus, Domain.VcpuFlags.LIVE),
        "vCPUs",
        notLive);
  }

  private boolean liveMemory(VmTarget target, long kib, Current before, List<String> notLive) {
    if (kib > before.live().maxMemoryKib()) {
      notLive.add(
          kib / 1024
              + " MiB exceed the running VM's maximum of "
              + before.live().maxMemoryKib() / 1024
              + " MiB");
      return false;
    }
    return live(
        target,
        "set the memory of",
        d -> NativeDomain.setMemory(d, kib, NativeDomain.AFFECT_LIVE),
        "memory",
        notLive);
  }

  /** A domain call that changes something. */
  @FunctionalInterface
  private interface Change {
    void apply(Domain domain) throws org.libvirt.LibvirtException;
  }

  private boolean live(
      VmTarget target, String what, Change change, String name, List<String> notLive) {
    try {
      calls.call(
          target,
          what,
          (c, d) -> {
            change.apply(d);
            return null;
          });
      return true;
    } catch (VmOperationException e) {
      switch (e.code()) {
        case UNSUPPORTED, INVALID_STATE, INVALID_ARGUMENT, OPERATION_FAILED ->
            notLive.add(name + ": " + e.getMessage());
        default -> throw e;
      }
      return false;
    }
  }

  /** Writes the new values into the persistent configuration, raising maximums first. */
  private void config(VmTarget target, Integer vcpus, Long kib, DomainXml.Resources config) {
    calls.call(
        target,
        "change the configuration of",
        (c, d) -> {
          if (vcpus != null && vcpus != config.vcpus()) {
            if (vcpus > config.maxVcpus()) {
              d.setVcpusFlags(vcpus, Domain.VcpuFlags.CONFIG | Domain.VcpuFlags.MAXIMUM);
            }
            d.setVcpusFlags(vcpus, Domain.VcpuFlags.CONFIG);
          }
          if (kib != null && kib != config.memoryKib()) {
            if (kib > config.maxMemoryKib()) {
              NativeDomain.setMemory(
                  d, kib, NativeDomain.AFFECT_CONFIG | NativeDomain.MEMORY_MAXIMUM);
            }
            NativeDomain.setMemory(d, kib, NativeDomain.AFFECT_CONFIG);
          }
          return null;
        });
  }
}
