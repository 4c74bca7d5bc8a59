package io.stockroom.bench.sidebyside;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * One contender on one workload: what the clients got in the measured window, and what the
 * correctness check found in the store afterwards.
 *
 * @param latencyNanos per request, from the moment its client sent it to the moment the client
 *     knew it was durable; a pipelined request counts from the start of its pipeline
 * @param acceptedTotal every reservation acknowledged during the run, warm-up included (what
 *     the store must hold)
 * @param serverCpuNanos {@link Contender#windowCpuNanos()}
 * @param violations what {@link Conservation} found; empty when the store is consistent
 * @param load the machine's load averages ({@code /proc/loadavg}) at the end of the run
 */
record Measurement(String contender, String workload, int clients, int pipelineDepth,
    double seconds, long accepted, long rejected, Histogram latencyNanos, long acceptedTotal,
    long serverCpuNanos, List<String> violations, String load) {

  /** Durable reservations per second in the measured window. */
  double throughput() {
    return accepted / seconds;
  }

  double p50Micros() {
    return latencyNanos.getValueAtPercentile(50) / 1_000.0;
  }

  double p99Micros() {
    return latencyNanos.getValueAtPercentile(99) / 1_000.0;
  }

  /** Server-side CPU per accepted reservation in the window, µs; NaN when not known. */
  double serverCpuMicrosPerReservation() {
    return serverCpuNanos < 0 || accepted == 0 ? Double.NaN : serverCpuNanos / 1e3 / accepted;
  }

  boolean correct() {
    return violations.isEmpty();
  }
}
