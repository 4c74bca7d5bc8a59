package io.stockroom.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies and statuses of a run, recorded from many threads without locks: one HdrHistogram
 * {@link Recorder} per operation, sampled once a second into the run's totals and into one
 * {@link LoadReport.Interval} of the timeline. Latencies are microseconds, 1 µs to 1 h at three
 * significant digits.
 */
final class Measurements {

  static final long LATENCY_MICROS_MAX = 3_600_000_000L;

  private final Map<String, Recorder> recorders = new ConcurrentHashMap<>();
  private final Map<String, Histogram> totals = new TreeMap<>(); // guarded by this
  private final Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
  private final LongAdder requests = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final List<LoadReport.Interval> timeline = new ArrayList<>(); // guarded by this
  private Histogram intervalScratch; // guarded by this

  /** One answered (or failed) request of {@code operation}, {@code latencyNanos} long. */
  void record(String operation, int status, long latencyNanos) {
    long micros = Math.max(1, Math.min(LATENCY_MICROS_MAX, latencyNanos / 1_000));
    recorders.computeIfAbsent(operation, o -> new Recorder(LATENCY_MICROS_MAX, 3))
        .recordValue(micros);
    statuses.computeIfAbsent(operation + " " + statusName(status), s -> new LongAdder())
        .increment();
    requests.increment();
    if (isError(status)) {
      errors.increment();
    }
  }

  /**
   * An error is anything but a 2xx or a 409: a 409 is the service refusing a reservation it
   * cannot honour, which in a flash sale is the expected answer for most buyers.
   */
  static boolean isError(int status) {
    return !(status >= 200 && status < 300) && status != 409;
  }

  static String statusName(int status) {
    return switch (status) {
      case Http.STATUS_IO -> "io-error";
      case Http.STATUS_TIMEOUT -> "timeout";
      default -> Integer.toString(status);
    };
  }

  long requests() {
    return requests.sum();
  }

  long errors() {
    return errors.sum();
  }

  /** Moves what was recorded since the last sample into the totals and one timeline row. */
  synchronized void sample(long atMillis) {
    Histogram interval = intervalScratch == null ? new Histogram(LATENCY_MICROS_MAX, 3)
        : intervalScratch;
    interval.reset();
    for (Map.Entry<String, Recorder> entry : recorders.entrySet()) {
      Histogram part = entry.getValue().getIntervalHistogram();
      totals.computeIfAbsent(entry.getKey(), o -> new Histogram(LATENCY_MICROS_MAX, 3)).add(part);
      interval.add(part);
    }
    intervalScratch = interval;
    timeline.add(new LoadReport.Interval(atMillis, interval.getTotalCount(),
        millis(interval.getValueAtPercentile(50)), millis(interval.getValueAtPercentile(99)),
        millis(interval.getMaxValue())));
  }

  /** Discards everything recorded so far (the end of a warm-up). */
  synchronized void reset() {
    for (Recorder recorder : recorders.values()) {
      recorder.reset();
    }
    totals.clear();
    timeline.clear();
    statuses.clear();
    requests.reset();
    errors.reset();
  }

  synchronized Histogram all() {
    Histogram all = new Histogram(LATENCY_MICROS_MAX, 3);
    totals.values().forEach(all::add);
    return all;
  }

  synchronized Map<String, Histogram> byOperation() {
    Map<String, Histogram> copy = new TreeMap<>();
    totals.forEach((operation, histogram) -> copy.put(operation, histogram.copy()));
    return copy;
  }

  Map<String, Long> statuses() {
    Map<String, Long> copy = new TreeMap<>();
    statuses.forEach((key, count) -> copy.put(key, count.sum()));
    return copy;
  }

  synchronized List<LoadReport.Interval> timeline() {
    return List.copyOf(timeline);
  }

  static double millis(long micros) {
    return micros / 1_000.0;
  }
}
