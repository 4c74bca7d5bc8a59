package io.stockroom.server.http;

import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * Request rate and latency by route template and status: {@code stockroom_http_requests}; the
 * lifetimes of SSE streams that opened go to {@code stockroom_http_streams} instead.
 * Labels use the matched route pattern (never the raw path), so SKUs and ids cannot blow up
 * the number of time series.
 */
final class HttpMetrics {

  private final MeterRegistry registry;

  HttpMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    long started = System.nanoTime();
    try {
      chain.proceed();
    } finally {
      String route = request.matchingPattern().orElse("unmatched");
      // A stream lasts minutes: timed with the requests it would swamp their percentiles.
      boolean stream = route.endsWith("/stream") && response.status().code() == 200;
      Timer.builder(stream ? "stockroom.http.streams" : "stockroom.http.requests")
          .tag("method", request.prologue().method().text())
          .tag("route", route)
          .tag("status", Integer.toString(response.status().code()))
          .publishPercentileHistogram()
          .register(registry)
          .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }
  }
}
