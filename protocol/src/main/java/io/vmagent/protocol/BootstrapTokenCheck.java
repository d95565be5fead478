package io.vmagent.protocol;

import java.time.Instant;

/**
 * What {@link ProtocolPaths#BOOTSTRAP_TOKEN_CHECK} says of a bootstrap token that a registration
 * could use now; checking it uses nothing up. It carries no secret and no token id.
 *
 * @param singleUse true when only one agent may register with it
 * @param expiresAt when it stops working; null for never
 * @param agentsLeft how many more new agents it may create; null for no limit
 */
public record BootstrapTokenCheck(boolean singleUse, Instant expiresAt, Integer agentsLeft) {}
