package io.stockroom.bench.load;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one run measured. Latencies are milliseconds; in an open-loop run each session's first
 * request is timed from its intended send time, so a stall of the target or of the generator
 * shows up in the figures instead of being hidden.
 *
 * @param scenario the scenario's name ({@code flash-sale}, {@code checkout-mix}, ...)
 * @param loop {@code closed} or {@code open}
 * @param client the HTTP client library that sent the requests
 * @param concurrency closed loop: concurrent clients; open loop: requests in flight at most
 * @param ratePerSecond open loop: sessions started per second; closed loop: 0
 * @param durationMillis the measured phase, from its first send to the last answer
 * @param requests requests answered or failed in the measured phase
 * @param throughputPerSecond {@code requests} per second of {@code durationMillis}
 * @param latency every request's latency
 * @param operations latency per operation ({@code reserve}, {@code confirm}, ...)
 * @param statuses how many answers of each {@code "operation status"} ({@code "reserve 201"};
 *     {@code io-error} and {@code timeout} for requests that got no HTTP answer)
 * @param errors answers other than 2xx and 409 (a 409 is a refusal the service owes a buyer
 *     when stock is short), plus failures and timeouts
 * @param unsent open loop: sessions due by the schedule that were never sent because the
 *     in-flight bound was reached until the run ended; closed loop: 0
 * @param figures scenario-specific counts (sessions, units sold, stream events received, ...)
 * @param audit the audit of the final state and the event log, or null when it was not run
 * @param timeline one row per second of the measured phase
 * @param ceiling the trivial-endpoint run made in the same invocation, or null
 * @param histogram every request's latency in microseconds (not serialized)
 */
public record LoadReport(
    String scenario,
    String loop,
    String client,
    int concurrency,
    int ratePerSecond,
    long durationMillis,
    long requests,
    double throughputPerSecond,
    Latency latency,
    Map<String, Latency> operations,
    Map<String, Long> statuses,
    long errors,
    long unsent,
    Map<String, Number> figures,
    AuditResult audit,
    List<Interval> timeline,
    LoadReport ceiling,
    Histogram histogram) {

  /** This run's throughput as a share of its ceiling run's, or NaN without one. */
  public double ratioToCeiling() {
    return ceiling == null || ceiling.throughputPerSecond == 0 ? Double.NaN
        : throughputPerSecond / ceiling.throughputPerSecond;
  }

  /** This report with {@code ceiling} attached. */
  LoadReport withCeiling(LoadReport ceiling) {
    return new LoadReport(scenario, loop, client, concurrency, ratePerSecond, durationMillis,
        requests, throughputPerSecond, latency, operations, statuses, errors, unsent, figures,
        audit, timeline, ceiling, histogram);
  }

  /**
   * Percentiles of one set of latencies, milliseconds.
   *
   * @param count requests measured
   */
  public record Latency(long count, double mean, double p50, double p90, double p99,
      double p999, double max) {

    static Latency of(Histogram histogram) {
      return new Latency(histogram.getTotalCount(), histogram.getMean() / 1_000.0,
          Measurements.millis(histogram.getValueAtPercentile(50)),
          Measurements.millis(histogram.getValueAtPercentile(90)),
          Measurements.millis(histogram.getValueAtPercentile(99)),
          Measurements.millis(histogram.getValueAtPercentile(99.9)),
          Measurements.millis(histogram.getMaxValue()));
    }
  }

  /**
   * One second of the measured phase.
   *
   * @param atMillis end of the second, ms since the measured phase began
   * @param requests requests that completed in it
   */
  public record Interval(long atMillis, long requests, double p50, double p99, double max) {}
}
