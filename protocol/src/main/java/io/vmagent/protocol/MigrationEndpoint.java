package io.vmagent.protocol;

import java.util.Objects;

/**
 * How other hosts migrate VMs to an agent's host (protocol 4): the libvirt URI the source's agent
 * connects to, and where QEMU's migration stream goes (null lets libvirt choose).
 *
 * @param uri the destination's libvirt URI, e.g. {@code qemu+tls://host-b.example/system}
 * @param streamUri QEMU's stream target, e.g. {@code tcp://10.0.0.12}; may be null
 */
public record MigrationEndpoint(String uri, String streamUri) {
  public MigrationEndpoint {
    Objects.requireNonNull(uri, "uri == null");
  }
}
