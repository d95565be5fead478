package io.vmagent.agent.libvirt;

import io.vmagent.protocol.ErrorCode;

/** {@code set_autostart}: whether libvirt starts the VM when the host boots; idempotent. */
final class AutostartChange {
  private final DomainCalls calls;

  AutostartChange(DomainCalls calls) {
    this.calls = calls;
  }

  ChangeResult set(VmTarget target, boolean enabled) {
    VmState state = calls.state(target);
    ChangeResult.Builder result = new ChangeResult.Builder("set_autostart", target, state);
    boolean current =
        calls.call(
            target,
            "read the autostart flag of",
            (c, d) -> {
              if (d.isPersistent() != 1) {
                throw new VmOperationException(
                    ErrorCode.INVALID_STATE,
                    target + " is transient: libvirt cannot start it at boot; define it first");
              }
              return d.getAutostart();
            });
    if (current == enabled) {
      return result.unchanged(
          ChangeResult.Settings.autostart(current),
          "autostart of " + target + " is already " + onOff(current));
    }
    calls.call(
        target,
        "set the autostart flag of",
        (c, d) -> {
          d.setAutostart(enabled);
          return null;
        });
    return result.changed(
        state,
        "config",
        "autostart of " + target + " turned " + onOff(enabled),
        ChangeResult.Settings.autostart(current),
        ChangeResult.Settings.autostart(enabled),
        null);
  }

  private static String onOff(boolean on) {
    return on ? "on" : "off";
  }
}
