package io.stockroom.server.http;

import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Request rate and latency by route template and status: {@code stockroom_http_requests}; the
 * lifetimes of SSE streams that opened go to {@code stockroom_http_streams} instead.
 * Labels use the matched route pattern (never the raw path), so SKUs and ids cannot blow up
 * the number of time series; for the same reason a method outside HTTP's standard ones is
 * labelled {@code OTHER} (Helidon accepts any token as a method, and routes none of them).
 */
final class HttpMetrics {

  private static final Set<String> METHODS = Set.of("GET", "HEAD", "POST", "PUT", "DELETE",
      "CONNECT", "OPTIONS", "TRACE", "PATCH");

  /**
   * One entry per label set, so the hot path is a map lookup rather than building and
   * registering a meter id per request. Bounded like the time series themselves: methods
   * (ten), route patterns (fixed at startup, plus "unmatched") and status codes (three digits).
   */
  private final ConcurrentHashMap<Labels, Timer> timers = new ConcurrentHashMap<>();
  private final MeterRegistry registry;

  private record Labels(boolean stream, String method, String route, int status) {}

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    long started = System.nanoTime();
    try {
      chain.proceed();
    } finally {
      String route = request.matchingPattern().orElse("unmatched");
      int status = response.status().code();
      // A stream lasts minutes: timed with the requests it would swamp their percentiles.
      boolean stream = route.endsWith("/stream") && status == 200;
      String method = request.prologue().method().text();
      Labels labels = new Labels(stream, METHODS.contains(method) ? method : "OTHER", route,
          status);
      Timer timer = timers.get(labels);
      if (timer == null) {
        timer = timers.computeIfAbsent(labels, this::timer);
      }
      timer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
  }

  private Timer timer(Labels labels) {
    return Timer.builder(labels.stream() ? "stockroom.http.streams" : "stockroom.http.requests")
        .tag("method", labels.method())
        .tag("route", labels.route())
        .tag("status", Integer.toString(labels.status()))
        .publishPercentileHistogram()
        .register(registry);
  }
}
