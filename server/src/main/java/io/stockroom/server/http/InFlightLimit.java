package io.stockroom.server.http;

import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Semaphore;

/**
 * At most {@code http.requestsInFlightMax} requests are handled at once; one more is answered
 * 503 {@code overloaded} with {@code Retry-After} at once, before authentication, before its body
 * is read. When clients send faster than the service answers, refusing has to cost far less than
 * serving, or the waiting requests (each a thread stack, buffers and a connection) grow until the
 * heap is gone. The write queue sheds what the writer cannot take; this sheds what the request
 * threads cannot.
 *
 * <p>Not counted, so they keep working under overload: streams (they last minutes and have their
 * own bound, {@code streamSubscribersMax}), health checks (a refused liveness probe would get a
 * busy service restarted) and metrics (overload is when an operator needs them).
 */
final class InFlightLimit {

  private static final Set<String> EXEMPT = Set.of("/v1/stream", "/v1/stream/ws",
      "/v1/public/availability/stream", "/health/live", "/health/ready", "/metrics");

  private final Semaphore permits;
  private final int requestsInFlightMax;
  private final int retryAfterSeconds;
  private final Counter refused;

  InFlightLimit(int requestsInFlightMax, int retryAfterSeconds, MeterRegistry registry) {
    this.permits = new Semaphore(requestsInFlightMax);
    this.requestsInFlightMax = requestsInFlightMax;
    this.retryAfterSeconds = retryAfterSeconds;
    this.refused = Counter.builder("stockroom.http.requests.refused")
        .description("requests answered 503 at once because requestsInFlightMax were in flight")
        .tag("reason", "in-flight").register(registry);
    Gauge.builder("stockroom.http.requests.in.flight", permits,
            p -> requestsInFlightMax - p.availablePermits())
        .description("requests being handled now, of http.requestsInFlightMax")
        .register(registry);
  }

  void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    if (EXEMPT.contains(request.path().path())) {
      chain.proceed();
      return;
    }
    if (!permits.tryAcquire()) {
      refused.increment();
      Problems.send(request, response, new ProblemException(503, "overloaded",
          "Too many requests in flight", requestsInFlightMax + " requests are being handled"
              + " (http.requestsInFlightMax); retry later", Map.of(), retryAfterSeconds));
      return;
    }
    try {
      chain.proceed();
    } finally {
      permits.release();
    }
  }
}
