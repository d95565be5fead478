package io.vmagent.agent.libvirt;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One disk of a VM: {@code target} is the guest device ({@code vda}), {@code source} the file,
 * block device or {@code pool/volume}; capacity and allocation in bytes where libvirt knows them;
 * {@code pool} and {@code volume} are set when the source is a volume of a libvirt storage pool.
 */
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DiskInfo(
    String target,
    String device,
    String type,
    String source,
    String bus,
    String format,
    boolean readOnly,
    Long capacityBytes,
    Long allocationBytes,
    String pool,
    String volume) {}
