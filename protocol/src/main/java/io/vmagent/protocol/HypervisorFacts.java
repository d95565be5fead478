package io.vmagent.protocol;

/**
 * What an agent learnt from libvirt about its host, sent at registration.
 *
 * @param driver libvirt driver name, e.g. {@code QEMU} or {@code Test}
 * @param hypervisorVersion the hypervisor's version, e.g. {@code 7.2.0}
 * @param libvirtVersion the libvirt library's version
 * @param cpuModel the host CPU model
 * @param cpus number of logical CPUs
 * @param memoryBytes host memory in bytes
 * @param arch CPU architecture, e.g. {@code x86_64}
 */
public record HypervisorFacts(
    String driver,
    String hypervisorVersion,
    String libvirtVersion,
    String cpuModel,
    Integer cpus,
    Long memoryBytes,
    String arch) {}
