package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * Result of {@code migrate_abort}: whether a migration of the VM was running and was aborted (the
 * VM then keeps running on this host), with a sentence saying which.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record AbortResult(
    String operation, String vm, String uuid, boolean aborted, String message) {}
