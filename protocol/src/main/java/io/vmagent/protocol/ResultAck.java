package io.vmagent.protocol;

/**
 * The backend's receipt for a result.
 *
 * @param commandId the command the result was for
 * @param duplicate true when a result for this command was already stored and this one was not
 *     applied; the agent treats both answers as delivered
 */
public record ResultAck(String commandId, boolean duplicate) {}
