package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.List;

/**
 * One network interface of a VM, from its domain XML: {@code source} is the network, bridge or
 * device it attaches to; {@code addresses} the IP addresses found for its MAC (empty when none was
 * found or the VM is not running; absent when not looked up).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InterfaceInfo(
    String mac,
    String type,
    String source,
    String targetDevice,
    String model,
    List<IpAddress> addresses) {

  /** Normalises a present address list to an immutable copy. */
  public InterfaceInfo {
    addresses = addresses == null ? null : List.copyOf(addresses);
  }

  /** An interface as declared, before its addresses are looked up. */
  public InterfaceInfo(String mac, String type, String source, String targetDevice, String model) {
    this(mac, type, source, targetDevice, model, null);
  }

  /** This interface with {@code found} as its addresses. */
  InterfaceInfo withAddresses(List<IpAddress> found) {
    return new InterfaceInfo(mac, type, source, targetDevice, model, found);
  }
}
