package io.vmagent.backend.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.vmagent.backend.store.TelemetryStore;
import io.vmagent.protocol.VmAddress;
import io.vmagent.protocol.VmInterface;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Keeps the interfaces and IP addresses of a VM from its agent's {@code addresses} and {@code info}
 * results ({@link CommandService} picks those out), so the backend shows them with the VM. What the
 * agent wrote is read field by field and bounded; anything else in the result is ignored.
 */
final class AddressReports {
  private static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
  private static final int MAX_INTERFACES = 64;
  private static final int MAX_ADDRESSES = 64;
  private static final int MAX_TEXT = 256;

  private final TelemetryStore telemetry;
  private final JsonCodec json;

  AddressReports(TelemetryStore telemetry, JsonCodec json) {
    this.telemetry = telemetry;
    this.json = json;
  }

  /**
   * Stores the interfaces the agent reported for the VM with UUID {@code uuid}; a malformed UUID or
   * interface list stores nothing.
   */
  void record(Connection c, String agentId, String uuid, JsonNode nics, Instant now)
      throws SQLException {
    if (!UUID.matcher(uuid).matches() || !nics.isArray()) {
      return;
    }
    List<VmInterface> interfaces = new ArrayList<>();
    for (JsonNode nic : nics) {
      if (interfaces.size() == MAX_INTERFACES) {
        break;
      }
      List<VmAddress> addresses = new ArrayList<>();
      for (JsonNode address : nic.path("addresses")) {
        if (addresses.size() == MAX_ADDRESSES) {
          break;
        }
        String ip = text(address, "address");
        String family = text(address, "family");
        String source = text(address, "source");
        if (ip != null
            && address.path("prefix").canConvertToInt()
            && ("ipv4".equals(family) || "ipv6".equals(family))
            && ("agent".equals(source) || "lease".equals(source) || "arp".equals(source))) {
          int prefix = Math.max(0, Math.min(128, address.path("prefix").asInt()));
          addresses.add(new VmAddress(ip, prefix, family, source));
        }
      }
      interfaces.add(
          new VmInterface(text(nic, "mac"), text(nic, "type"), text(nic, "source"), addresses));
    }
    telemetry.recordAddresses(c, agentId, uuid, json.write(interfaces), now);
  }

  private static String text(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (!value.isTextual()) {
      return null;
    }
    String text = value.asText();
    return text.length() > MAX_TEXT ? text.substring(0, MAX_TEXT) : text;
  }
}
