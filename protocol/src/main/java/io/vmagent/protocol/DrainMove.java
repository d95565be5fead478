package io.vmagent.protocol;

/**
 * One VM's move off a draining host.
 *
 * @param vm the VM's name
 * @param destinationAgent the agent it moves to; null until one is chosen
 * @param migrationId the migration moving it; null until it starts
 * @param state {@code waiting}, then the migration's state ({@code inspecting} … {@code succeeded},
 *     {@code failed}, {@code conflict}); {@code failed} too when it could not start
 * @param message why it failed or could not start; null otherwise
 */
public record DrainMove(
    String vm, String destinationAgent, String migrationId, String state, String message) {}
