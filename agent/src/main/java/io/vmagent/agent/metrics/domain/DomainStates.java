package io.vmagent.agent.metrics.domain;

/** Names of libvirt's {@code virDomainState} values and of their reasons. */
final class DomainStates {
  private static final String[] STATES = {
    "nostate", "running", "blocked", "paused", "shutdown", "shutoff", "crashed", "pmsuspended"
  };
  private static final String[][] REASONS = {
    {"unknown"},
    {
      "unknown", "booted", "migrated", "restored", "from_snapshot", "unpaused",
      "migration_canceled", "save_canceled", "wakeup", "crashed", "postcopy", "postcopy_failed"
    },
    {"unknown"},
    {
      "unknown",
      "user",
      "migration",
      "save",
      "dump",
      "ioerror",
      "watchdog",
      "from_snapshot",
      "shutting_down",
      "snapshot",
      "crashed",
      "starting_up",
      "postcopy",
      "postcopy_failed",
      "api_error"
    },
    {"unknown", "user"},
    {
      "unknown",
      "shutdown",
      "destroyed",
      "crashed",
      "migrated",
      "saved",
      "failed",
      "from_snapshot",
      "daemon"
    },
    {"unknown", "panicked"},
    {"unknown"},
  };

  private DomainStates() {}

  static String state(int state) {
    if (state < 0) {
      return null;
    }
    return state < STATES.length ? STATES[state] : "state_" + state;
  }

  static String reason(int state, int reason) {
    if (state < 0 || reason < 0) {
      return null;
    }
    if (state < REASONS.length && reason < REASONS[state].length) {
      return REASONS[state][reason];
    }
    return "reason_" + reason;
  }
}
