package io.vmagent.agent.config;

/**
 * The limits of the health checks on system resources; a host past one of them is degraded.
 *
 * @param diskFreePercent least free space, in percent, on the state directory's file system and
 *     each active storage pool ({@code AGENT_HEALTH_DISK_FREE_PERCENT}); 0 turns the check off
 * @param inodesFreePercent least free inodes, in percent, on the same file systems ({@code
 *     AGENT_HEALTH_INODES_FREE_PERCENT}); 0 turns the check off
 * @param memoryAvailablePercent least available memory, in percent ({@code
 *     AGENT_HEALTH_MEMORY_AVAILABLE_PERCENT}); 0 turns the check off
 * @param swapUsedPercent most swap in use, in percent ({@code AGENT_HEALTH_SWAP_USED_PERCENT}); 100
 *     turns the check off
 * @param loadPerCore highest 5-minute load average per logical core ({@code
 *     AGENT_HEALTH_LOAD_PER_CORE}); 0 turns the check off
 */
public record ResourceThresholds(
    double diskFreePercent,
    double inodesFreePercent,
    double memoryAvailablePercent,
    double swapUsedPercent,
    double loadPerCore) {}
