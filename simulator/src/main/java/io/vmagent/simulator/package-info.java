/**
 * The fleet simulator: many simulated agents in one JVM speaking the real protocol over TLS to live
 * backends, measuring throughput, latency and the backends' CPU and memory.
 */
package io.vmagent.simulator;
