package io.vmagent.agent.metrics.system;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Run-queue load averages over one, five and fifteen minutes.
 *
 * @param load1m one-minute load average
 * @param load5m five-minute load average
 * @param load15m fifteen-minute load average
 */
public record LoadAverage(
    @JsonProperty("load_1m") double load1m,
    @JsonProperty("load_5m") double load5m,
    @JsonProperty("load_15m") double load15m) {}
