package io.vmagent.simulator;

import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The figures of one simulator run, written as JSON and rendered as a table.
 *
 * @param label what the run was (e.g. the database)
 * @param startedAt when the run started (ISO-8601)
 * @param agents agents simulated
 * @param backends backend URLs
 * @param heartbeatSeconds heartbeat interval
 * @param metricsSeconds metrics interval
 * @param pollWaitSeconds long-poll wait
 * @param commandsPerSecond operator commands queued per second
 * @param registration the registration storm
 * @param steadySeconds length of the measured steady window
 * @param requestsPerSecond requests completed per second in the steady window (all types)
 * @param steady figures per request type in the steady window
 * @param errors failures in the steady window by type and reason
 * @param totalErrors all failures in the steady window
 * @param backendProcesses CPU and memory of each backend process over the steady window
 * @param simulator CPU and memory of the simulator itself over the steady window
 * @param machineBusyPercent percent of all cores busy over the steady window (every process)
 * @param loadAverageBefore load average when the steady window began
 * @param loadAverageAfter load average when it ended
 * @param schedulerLagMaxMs the latest a periodic task fired; large values mean the simulator itself
 *     was saturated
 * @param schedulerLagMeanMs mean lateness of periodic tasks
 * @param p99LimitMs the p99 limit of the verdict
 * @param worstP99Ms the highest p99 among the request types in the verdict
 * @param holds every agent registered, no error, and every verdict type's p99 under the limit
 * @param backendCpuByRoute the backends' handling CPU per request by "METHOD route" over the steady
 *     window, from their own metrics (empty for a backend that has no such counter)
 */
public record FleetReport(
    String label,
    String startedAt,
    int agents,
    List<String> backends,
    long heartbeatSeconds,
    long metricsSeconds,
    int pollWaitSeconds,
    double commandsPerSecond,
    Registration registration,
    double steadySeconds,
    double requestsPerSecond,
    Map<RequestType, LatencySummary> steady,
    SortedMap<String, Long> errors,
    long totalErrors,
    List<ProcessUsage> backendProcesses,
    ProcessUsage simulator,
    double machineBusyPercent,
    String loadAverageBefore,
    String loadAverageAfter,
    double schedulerLagMaxMs,
    double schedulerLagMeanMs,
    double p99LimitMs,
    double worstP99Ms,
    boolean holds,
    SortedMap<String, RouteCpu.Cost> backendCpuByRoute) {

  /**
   * The registration storm.
   *
   * @param registered agents registered in the end
   * @param seconds from the first registration sent to the last accepted
   * @param perSecond registrations accepted per second
   * @param latency latency of the registration requests
   * @param errors failures during the storm by type and reason
   */
  public record Registration(
      int registered,
      double seconds,
      double perSecond,
      LatencySummary latency,
      SortedMap<String, Long> errors) {}
}
