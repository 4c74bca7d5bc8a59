package io.stockroom.bench.load;

import java.util.SplittableRandom;

/**
 * One session's view of the run: sends requests, records their latency and remembers what the
 * service acknowledged for the audit. The first request is timed from the session's intended
 * start (in an open loop, its slot in the schedule; in a closed loop, when the client began
 * it), the ones after it from their own send, since they depend on the answers before them.
 */
final class Session {

  private final Http http;
  private final Measurements measurements;
  private final Outcomes outcomes;
  private final SplittableRandom random;
  private long timedFromNanos;

  Session(Http http, Measurements measurements, Outcomes outcomes, long seed, long index,
      long intendedNanos) {
    this.http = http;
    this.measurements = measurements;
    this.outcomes = outcomes;
    // A distinct, reproducible stream per session whatever order sessions run in.
    this.random = new SplittableRandom(seed ^ (index * 0x9E3779B97F4A7C15L));
    this.timedFromNanos = intendedNanos;
  }

  Http.Response call(String operation, String method, String path, byte[] body) {
    long from = timedFromNanos != 0 ? timedFromNanos : System.nanoTime();
    timedFromNanos = 0;
    Http.Response response = http.send(method, path, body);
    measurements.record(operation, response.status(), System.nanoTime() - from);
    return response;
  }

  SplittableRandom random() {
    return random;
  }

  Outcomes outcomes() {
    return outcomes;
  }
}
