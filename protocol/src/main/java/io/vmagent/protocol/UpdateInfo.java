package io.vmagent.protocol;

/**
 * The answer to the update check of {@link ProtocolPaths#LATEST_VERSION}.
 *
 * @param latestVersion the newest agent version the operator published; null when none
 * @param currentVersion the caller's version, echoed; null when not given
 * @param updateAvailable true when a newer version than {@code currentVersion} is published
 */
public record UpdateInfo(String latestVersion, String currentVersion, boolean updateAvailable) {}
