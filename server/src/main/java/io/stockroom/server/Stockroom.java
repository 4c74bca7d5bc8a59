package io.stockroom.server;

import io.helidon.webserver.WebServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stockroom.journal.FileStorage;
import io.stockroom.journal.Storage;
import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.http.Api;
import io.stockroom.server.read.ReadView;
import io.stockroom.server.sequencer.Ledger;
import io.stockroom.server.sequencer.MicrometerSequencerMetrics;
import io.stockroom.server.sequencer.Sequencer;
import io.stockroom.server.stream.StreamHub;
import io.stockroom.server.security.ApiKeys;
import io.stockroom.server.security.Authentication;
import io.stockroom.server.security.RateLimiter;
import io.stockroom.server.security.Role;
import io.stockroom.server.security.JwtVerifier;
import io.stockroom.server.security.StreamTokens;
import io.stockroom.server.storefront.AvailabilityFeed;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running service: the data directory lock, the recovered ledger, the writer, the read view,
 * the streams and the HTTP server, started in that order and stopped in reverse. The HTTP port
 * opens only after recovery, so "listening" implies "recovered".
 */
public final class Stockroom implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Stockroom.class);

  private final DataDirectoryLock lock;
  private final Ledger ledger;
  private final Sequencer sequencer;
  private final StreamHub streams;
  private final WebServer server;
  private final ReadView view;
  private final List<String> routes;
  private final AvailabilityFeed publicFeed;
  private boolean closed;

  private Stockroom(DataDirectoryLock lock, Ledger ledger, Sequencer sequencer, StreamHub streams,
      WebServer server, ReadView view, List<String> routes, AvailabilityFeed publicFeed) {
    this.publicFeed = publicFeed;
    this.lock = lock;
    this.ledger = ledger;
    this.sequencer = sequencer;
    this.streams = streams;
    this.server = server;
    this.view = view;
    this.routes = routes;
  }

  /** Starts on the journal in {@code <dataDirectory>/journal}. */
  public static Stockroom start(ServerConfig config) throws IOException {
    return start(config, null);
  }

  /**
   * Starts on the given journal storage (tests use a fault-injecting or gated one), or on
   * {@code <dataDirectory>/journal} when it is null. The data directory is locked either way.
   */
  public static Stockroom start(ServerConfig config, Storage storage) throws IOException {
    // Before the lock and recovery: a bad TLS or JWT keys file refuses at once, nothing to undo.
    io.helidon.common.tls.Tls tls = TlsFiles.load(config);
    JwtVerifier jwts = config.jwt().enabled() ? JwtVerifier.load(config.jwt()) : null;
    DataDirectoryLock lock = DataDirectoryLock.acquire(config.dataDirectory());
    Ledger ledger = null;
    try {
      Storage journalStorage = storage != null ? storage
          : FileStorage.open(config.dataDirectory().resolve("journal"));
      ledger = Ledger.open(journalStorage, config.journal(), config.limits());
      Ledger.Recovered recovered = ledger.recovered();
      LOG.info("recovered {} events (snapshot at {}, {} replayed, {} bytes of torn tail"
              + " truncated) in {} ms", ledger.engine().sequence(), recovered.snapshotSequence(),
          recovered.eventsReplayed(), recovered.journal().bytesTruncated(),
          recovered.duration().toMillis());
      // A fresh secret per start: outstanding stream tokens end with the process (SECURITY.md).
      StreamTokens streamTokens = new StreamTokens(config.streamTokenTtlSeconds());
      Authentication authentication = new Authentication(keysSecuredByDefault(config),
          streamTokens, jwts);
      ReadView view = ReadView.of(ledger.engine());
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      StreamHub streams = new StreamHub(ledger.journal(), view, config, registry,
          authentication);
      AvailabilityFeed publicFeed = !config.publicFeed().enabled() ? null
          : new AvailabilityFeed(view, config.publicFeed(), config.streamHeartbeatMillis(),
              config.retryAfterSeconds(), registry);
      List<Sequencer.Listener> listeners = new java.util.ArrayList<>(
          List.of(view, streams, new EventMetrics(registry))); // the view first: others read it
      if (publicFeed != null) {
        listeners.add(publicFeed);
      }
      Sequencer sequencer = new Sequencer(ledger, System::currentTimeMillis,
          new Sequencer.Settings(config.queueCapacity(), config.batchCommandsMax(),
              config.snapshotEveryEvents(), config.batchLingerMicrosMax()),
          List.copyOf(listeners),
          new MicrometerSequencerMetrics(registry),
          Stockroom::haltOnInvariantViolation);
      gauges(registry, sequencer, ledger, view, recovered);
      sequencer.start();
      Api api = new Api(config, sequencer, ledger.journal(), view, registry, authentication,
          new RateLimiter(config.rateLimits(), registry), streamTokens);
      List<String> publicRoutes = new java.util.ArrayList<>();
      WebServer server = WebServer.builder()
          .host(config.host())
          .port(config.port())
          // Connections cost heap (buffers, a thread stack): past this many they wait unaccepted.
          .maxTcpConnections(config.httpLimits().connectionsMax())
          // close() stops in order (the writer answers what is queued, then the server stops);
          // Helidon's own hook would stop the server at once, under requests awaiting their ack.
          .shutdownHook(false)
          .addProtocol(config.httpLimits().http1()) // request head size limits
          .directHandlers(config.httpLimits().problemAnswers()) // their refusals: problem+json
          .tls(tls) // HTTPS only when the TLS files are set; disabled (plain HTTP) otherwise
          .routing(routing -> {
            api.routing(routing);
            streams.routing(routing);
            if (publicFeed != null) {
              publicRoutes.addAll(publicFeed.routing(routing));
            }
            Api.fallback(routing);
          })
          .addRouting(streams.wsRouting())
          .build()
          .start();
      if (!server.isRunning() || server.port() < 0) {
        // Helidon logs a failed bind and returns; a service that cannot listen must not start.
        try {
          sequencer.close();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        streams.close();
        throw new IOException("could not listen on " + config.host() + ":" + config.port()
            + " (is the port in use?)");
      }
      List<String> routes = new java.util.ArrayList<>(api.declaredRoutes());
      routes.addAll(List.of("GET /v1/stream", "GET /v1/stream/ws")); // served by StreamHub
      routes.addAll(publicRoutes);
      return new Stockroom(lock, ledger, sequencer, streams, server, view, List.copyOf(routes),
          publicFeed);
    } catch (IOException | RuntimeException e) {
      if (ledger != null) {
        ledger.close();
      }
      lock.close();
      throw e;
    }
  }

  /**
   * Secure by default: with no active key, a service bound to loopback creates an admin key and
   * prints it once (to the console, not the log); one bound to any other address refuses to
   * start, so a fresh install is never open to a network. With JWTs configured neither happens:
   * the identity provider decides who may act.
   */
  private static ApiKeys keysSecuredByDefault(ServerConfig config) throws IOException {
    ApiKeys keys = ApiKeys.open(config.dataDirectory());
    if (keys.hasActiveKeys() || config.jwt().enabled()) {
      return keys; // with JWTs configured, the identity provider says who may act
    }
    if (!isLoopback(config.host())) {
      throw new IOException("refusing to listen on " + config.host() + " with no API key:"
          + " create one first with './stockroom keys create --role admin --data "
          + config.dataDirectory() + "'");
    }
    ApiKeys.Created created = keys.create(Role.ADMIN, "first admin key (created at startup)");
    System.out.println(String.join("\n", "",
        "=========================================================================",
        " No API key existed, so this admin key was created. It is shown only once:",
        "",
        "   " + created.token(),
        "",
        " Use it as 'Authorization: Bearer <key>'. Manage keys with ./stockroom keys.",
        "=========================================================================", ""));
    LOG.warn("created admin key {} (its secret was printed on the console, once)",
        created.key().id());
    return keys;
  }

  private static boolean isLoopback(String host) {
    try {
      return java.net.InetAddress.getByName(host).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private static void gauges(PrometheusMeterRegistry registry, Sequencer sequencer,
      Ledger ledger, ReadView view, Ledger.Recovered recovered) {
    Gauge.builder("stockroom.queue.depth", sequencer, Sequencer::queueDepth)
        .description("commands waiting for the writer").register(registry);
    Gauge.builder("stockroom.sequence", view, ReadView::sequence)
        .description("last durable event sequence").register(registry);
    Gauge.builder("stockroom.reservations.active", ledger.engine(),
            engine -> engine.activeHoldCount())
        .description("active reservations (read by the scraper; approximate)")
        .register(registry);
    Gauge.builder("stockroom.recovery.seconds", recovered,
            r -> r.duration().toNanos() / 1e9)
        .description("time the last startup spent recovering").register(registry);
    Gauge.builder("stockroom.writes.available", sequencer, s -> s.writable() ? 1 : 0)
        .description("1 while writes are acknowledged, 0 after a journal failure")
        .register(registry);
  }

  /** An engine invariant broke: the state cannot be trusted, so stop at once and loudly. */
  private static void haltOnInvariantViolation(Thread thread, Throwable error) {
    LOG.error("FATAL: the writer stopped on an invariant violation; halting", error);
    System.err.println("FATAL: invariant violation: " + error);
    Runtime.getRuntime().halt(70);
  }

  public int port() {
    return server.port();
  }

  /** Every "METHOD /path" the server serves (the OpenAPI test checks the description). */
  public List<String> routes() {
    return routes;
  }

  public Ledger.Recovered recovered() {
    return ledger.recovered();
  }

  public long sequence() {
    return view.sequence();
  }

  /**
   * Graceful stop: no new connections, the writer drains and answers what is queued, the
   * journal is synced and closed, and the data directory is unlocked.
   */
  @Override
  public synchronized void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      sequencer.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    streams.close();
    if (publicFeed != null) {
      publicFeed.close();
    }
    server.stop();
    ledger.close();
    lock.close();
    LOG.info("stopped at sequence {}", view.sequence());
  }
}
