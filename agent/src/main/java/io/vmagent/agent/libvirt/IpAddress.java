package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One IP address of a VM's interface: {@code family} is {@code ipv4} or {@code ipv6}; {@code
 * source} says where it was learnt: {@code agent} (the guest agent), {@code lease} (a DHCP lease of
 * a libvirt network) or {@code arp} (the host's ARP table).
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record IpAddress(String address, int prefix, String family, String source) {}
