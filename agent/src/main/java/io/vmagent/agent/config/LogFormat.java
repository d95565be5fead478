package io.vmagent.agent.config;

/** How log lines are written: readable text, or one JSON object a line for log shippers. */
public enum LogFormat {
  TEXT,
  JSON
}
