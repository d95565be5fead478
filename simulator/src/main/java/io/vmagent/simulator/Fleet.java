package io.vmagent.simulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every simulated agent shares: the settings, the scheduler, the JSON mapper, the bodies they
 * send and the places their figures go.
 */
record Fleet(
    SimSettings settings,
    ScheduledExecutorService scheduler,
    ObjectMapper json,
    Payloads payloads,
    CommandTracker commands,
    SchedulerLag lag) {}
