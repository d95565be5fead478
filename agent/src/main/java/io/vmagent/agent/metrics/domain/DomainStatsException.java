package io.vmagent.agent.metrics.domain;

/** A libvirt call made for domain statistics failed; carries libvirt's error code and message. */
public final class DomainStatsException extends Exception {
  private static final long serialVersionUID = 1L;
  private final int libvirtCode;

  DomainStatsException(String call, int libvirtCode, String libvirtMessage) {
    super(call + " failed: " + (libvirtMessage == null ? "unknown libvirt error" : libvirtMessage));
    this.libvirtCode = libvirtCode;
  }

  /** libvirt's {@code virErrorNumber}, 0 when libvirt gave none. */
  public int libvirtCode() {
    return libvirtCode;
  }
}
