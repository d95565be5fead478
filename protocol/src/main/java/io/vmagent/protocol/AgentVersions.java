package io.vmagent.protocol;

/**
 * The versions of the software an agent runs with.
 *
 * @param agent the agent's version (required)
 * @param java the Java runtime's version
 * @param libvirt the libvirt library's version
 * @param hypervisor the hypervisor's version
 * @param os the operating system's name and version
 */
public record AgentVersions(
    String agent, String java, String libvirt, String hypervisor, String os) {}
