package io.stockroom.server.http;

import io.helidon.webserver.http.HttpRouting;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stockroom.journal.Journal;
import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.read.ReadView;
import io.stockroom.server.sequencer.Sequencer;
import io.stockroom.server.security.Authentication;
import io.stockroom.server.security.RateLimiter;
import io.stockroom.server.security.StreamTokens;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** All REST routes and the dashboard page, their error handling and request metrics: the HTTP face of the service. */
public final class Api {

  private static final Logger LOG = LoggerFactory.getLogger(Api.class);

  private final ItemRoutes items;
  private final ReservationRoutes reservations;
  private final EventRoutes events;
  private final BatchRoutes batch;
  private final OpsRoutes ops;
  private final StreamTokenRoutes streamTokens;
  private final WhoAmIRoutes whoAmI = new WhoAmIRoutes();
  private final DashboardRoutes dashboard = new DashboardRoutes();
  private final HttpMetrics metrics;
  private final InFlightLimit inFlight;
  private final java.util.List<String> declared = new java.util.ArrayList<>();

  private final Authentication authentication;
  private final RateLimiter rateLimiter;

  public Api(ServerConfig config, Sequencer sequencer, Journal journal, ReadView view,
      PrometheusMeterRegistry registry, Authentication authentication, RateLimiter rateLimiter,
      StreamTokens streamTokens) {
    this.authentication = authentication;
    this.rateLimiter = rateLimiter;
    Exchange exchange = new Exchange(config.requestBodyBytesMax());
    Reads reads = new Reads(view, config.readWaitMillisMax());
    Writes writes = new Writes(sequencer, journal, config.retryAfterSeconds());
    Commands commands = new Commands(config.holdTtlSecondsDefault(),
        config.limits().linesPerHoldMax());
    this.items = new ItemRoutes(view, reads, writes, exchange, config.listLimitMax());
    this.reservations = new ReservationRoutes(view, reads, writes, exchange, commands);
    this.events = new EventRoutes(journal, config.eventsLimitMax());
    this.batch = new BatchRoutes(writes, exchange, commands, config.batchRequestCommandsMax());
    this.ops = new OpsRoutes(sequencer, view, registry);
    this.streamTokens = new StreamTokenRoutes(streamTokens, exchange);
    this.metrics = new HttpMetrics(registry);
    this.inFlight = new InFlightLimit(config.httpLimits().requestsInFlightMax(),
        config.retryAfterSeconds(), registry);
  }

  /** Registers every REST route; {@link #fallback} must be registered after all other routes. */
  public void routing(HttpRouting.Builder routing) {
    routing.addFilter(SecurityHeaders::filter); // first, so refusals carry the headers too
    routing.addFilter(RequestTarget::filter); // before any route matcher sees a non-path target
    routing.addFilter(metrics::filter);
    routing.addFilter(inFlight::filter); // before authentication: refusing must cost little
    routing.addFilter(authentication::filter); // before any handler: a refusal changes nothing
    routing.addFilter(rateLimiter::filter); // after authentication: it keys on the principal
    routing.error(ProblemException.class, Problems::send);
    routing.error(Exception.class, (request, response, error) -> {
      LOG.error("unexpected error on {} {}", request.prologue().method().text(),
          request.path().rawPath(), error);
      Problems.send(request, response, new ProblemException(500, "internal-error",
          "Internal error", "the server failed to handle the request; it has been logged"));
    });
    Routes routes = new Routes(routing, declared);
    items.register(routes);
    reservations.register(routes);
    events.register(routes);
    batch.register(routes);
    ops.register(routes);
    streamTokens.register(routes);
    whoAmI.register(routes);
    dashboard.register(routes);
  }

  /** Every "METHOD /path" the REST routing serves (streams are declared by the stream hub). */
  public java.util.List<String> declaredRoutes() {
    return java.util.List.copyOf(declared);
  }

  /** Any request no route matched: 404 problem+json rather than the server's plain text. */
  public static void fallback(HttpRouting.Builder routing) {
    routing.any((request, response) -> Problems.send(request, response,
        new ProblemException(404, "not-found", "Not found", "no route for "
            + request.prologue().method().text() + " " + request.path().rawPath())));
  }
}
