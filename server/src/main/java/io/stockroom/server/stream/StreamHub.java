package io.stockroom.server.stream;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.websocket.WsRouting;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.stockroom.engine.Event;
import io.stockroom.journal.Journal;
import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.security.Authentication;
import io.stockroom.server.http.ProblemException;
import io.stockroom.server.http.Problems;
import io.stockroom.server.read.ReadView;
import io.stockroom.server.sequencer.Sequencer;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Pushes every durable event to subscribers, over Server-Sent Events ({@code GET /v1/stream})
 * and WebSocket ({@code /v1/stream/ws}); the wire format is in docs/API.md, "Streams".
 *
 * <p>The sequencer's syncer thread calls {@link #onDurable} after each durable batch and only appends the
 * batch to each subscriber's lock-free queue: it never waits for a subscriber. A subscriber whose
 * queue would pass {@code streamBufferEventsMax} events is cut off: it is sent a {@code resync}
 * naming the last sequence it got, so it can reconnect from there (from the journal). If it is
 * so stuck that even that cannot be written within one heartbeat interval, a watchdog closes its
 * socket. Each subscriber is served by its own virtual thread (for SSE, Helidon's request thread),
 * which replays from the journal when resuming, then sends live events.
 */
public final class StreamHub implements Sequencer.Listener, AutoCloseable {

  static final String PATH = "/v1/stream";
  static final String WS_PATH = "/v1/stream/ws";
  static final HeaderName LAST_EVENT_ID = HeaderNames.create("Last-Event-ID");
  /** How long {@link #close} lets streams send their final resync before closing sockets. */
  private static final long CLOSE_WAIT_MILLIS = 2_000;
  /**
   * Journal replays running at once (resuming subscribers). Each holds a journal read buffer
   * (readBufferBytes, 1 MiB by default): a reconnect storm must not allocate one per client.
   */
  static final int REPLAYS_CONCURRENT_MAX = 32;

  private final Journal journal;
  private final ReadView view;
  private final ServerConfig config;
  private final long heartbeatNanos;
  /** Subscribers the writer feeds. Removal (cut, end) while the writer iterates is safe. */
  private final Set<Subscriber> live = ConcurrentHashMap.newKeySet();
  /** Every subscriber holding a slot, fed or ending: what close() and the watchdog walk. */
  private final Set<Subscriber> all = ConcurrentHashMap.newKeySet();
  private final AtomicInteger slots = new AtomicInteger();
  private final Semaphore replays = new Semaphore(REPLAYS_CONCURRENT_MAX);
  private final Map<Transport, AtomicInteger> counts = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> sent = new EnumMap<>(Transport.class);
  private final Map<Transport, Counter> cuts = new EnumMap<>(Transport.class);
  private final Thread watchdog;
  private volatile boolean closed;
  private final Authentication authentication;

  public StreamHub(Journal journal, ReadView view, ServerConfig config, MeterRegistry registry) {
    this(journal, view, config, registry, null);
  }

  /**
   * With {@code authentication}, the WebSocket upgrade needs a read key or a stream token in
   * {@code ?token=} (the SSE route is covered by the routing's filter); without it (tests of the
   * hub alone) the feed is open.
   */
  public StreamHub(Journal journal, ReadView view, ServerConfig config, MeterRegistry registry,
      Authentication authentication) {
    this.authentication = authentication;
    this.journal = journal;
    this.view = view;
    this.config = config;
    this.heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(config.streamHeartbeatMillis());
    for (Transport transport : Transport.values()) {
      AtomicInteger count = new AtomicInteger();
      counts.put(transport, count);
      Gauge.builder("stockroom.stream.subscribers", count, AtomicInteger::get)
          .description("connected stream subscribers").tag("transport", transport.tag)
          .register(registry);
      sent.put(transport, Counter.builder("stockroom.stream.events.sent")
          .description("events written to stream subscribers").tag("transport", transport.tag)
          .register(registry));
      cuts.put(transport, Counter.builder("stockroom.stream.subscribers.cut")
          .description("subscribers cut off for falling streamBufferEventsMax events behind")
          .tag("transport", transport.tag).register(registry));
    }
    this.watchdog = Thread.ofVirtual().name("stockroom-stream-watchdog").start(this::watch);
  }

  Authentication authentication() {
    return authentication;
  }

  /**
   * Registers {@code GET /v1/stream} (Server-Sent Events), and {@code GET /v1/stream/ws} for the
   * requests that reach HTTP routing instead of the WebSocket: a refused upgrade falls through to
   * here, and gets its reason as problem+json rather than Helidon's empty 400.
   */
  public void routing(HttpRouting.Builder routing) {
    routing.get(PATH, this::sse);
    routing.get(WS_PATH, this::notUpgraded);
  }

  private void notUpgraded(ServerRequest request, ServerResponse response) {
    StreamRequest.parse(request.query(), request.headers().first(LAST_EVENT_ID).orElse(null),
        journal.lastSequence()); // a bad resume point is the refusal's reason: say that one
    throw ProblemException.badRequest(WS_PATH + " is a WebSocket: send a GET with"
        + " 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13' and a"
        + " Sec-WebSocket-Key");
  }

  /**
   * The same feed over WebSocket at {@code /v1/stream/ws}. A builder, because that is what
   * {@code WebServer.builder().addRouting(..)} takes.
   */
  public WsRouting.Builder wsRouting() {
    return WsRouting.builder().endpoint(WS_PATH, () -> new WsEndpoint(this));
  }

  // ---------------------------------------------------------------------------------------------
  // Writer thread

  @Override
  public void onDurable(List<Event> events, long sequence) {
    if (live.isEmpty()) {
      return;
    }
    Batch batch = new Batch(events);
    for (Subscriber subscriber : live) {
      if (!subscriber.offer(batch) && subscriber.cut()) {
        live.remove(subscriber);
        cuts.get(subscriber.transport).increment();
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Subscriptions

  private void sse(ServerRequest request, ServerResponse response) {
    StreamRequest asked;
    Subscriber subscriber;
    try {
      asked = StreamRequest.parse(request.query(),
          request.headers().first(LAST_EVENT_ID).orElse(null), journal.lastSequence());
      subscriber = open(Transport.SSE, asked.filter());
    } catch (ProblemException problem) {
      Problems.send(request, response, problem);
      return;
    }
    // Read after registering, so a live-only stream starts exactly where its queue does.
    long after = asked.after() != StreamRequest.LIVE ? asked.after() : journal.lastSequence();
    SseChannel channel = new SseChannel(response);
    boolean orderly = subscriber.serve(channel, after);
    if (!orderly || channel.broken()) { // Helidon drops the connection on this, quietly
      throw new CloseConnectionException("the event stream failed mid-write");
    }
  }

  /**
   * Takes a slot and registers a subscriber for live batches. Registration comes before any
   * journal read of its own: that order is what makes resuming gap-free.
   *
   * @throws ProblemException 503 when the hub is closed or every slot is taken
   */
  Subscriber open(Transport transport, StreamFilter filter) {
    if (closed) {
      throw ProblemException.unavailable("the service is stopping", config.retryAfterSeconds());
    }
    int taken;
    do {
      taken = slots.get();
      if (taken >= config.streamSubscribersMax()) {
        throw ProblemException.unavailable("all " + config.streamSubscribersMax()
            + " stream subscriptions are taken (streamSubscribersMax)",
            config.retryAfterSeconds());
      }
    } while (!slots.compareAndSet(taken, taken + 1));
    Subscriber subscriber = new Subscriber(this, transport, filter,
        config.streamBufferEventsMax());
    counts.get(transport).incrementAndGet();
    all.add(subscriber);
    live.add(subscriber);
    if (closed) { // close() may have walked the set before this one joined it
      subscriber.stop();
    }
    return subscriber;
  }

  /** Called once per subscriber, by its own thread, when its stream has ended. */
  void finished(Subscriber subscriber) {
    live.remove(subscriber);
    if (all.remove(subscriber)) {
      counts.get(subscriber.transport).decrementAndGet();
      slots.decrementAndGet();
    }
  }

  void sent(Transport transport, int events) {
    if (events > 0) {
      sent.get(transport).increment(events);
    }
  }

  Journal journal() {
    return journal;
  }

  ReadView view() {
    return view;
  }

  Semaphore replays() {
    return replays;
  }

  long heartbeatNanos() {
    return heartbeatNanos;
  }

  int retryAfterSeconds() {
    return config.retryAfterSeconds();
  }

  /** Subscribers currently holding a slot (both transports). */
  int subscriberCount() {
    return slots.get();
  }

  /**
   * Closes the sockets of subscribers that were told to end (cut off, or stopping) but are
   * still stuck writing one heartbeat interval later: a client that never reads would otherwise
   * hold its thread and connection until the TCP stack gives up.
   */
  private void watch() {
    long grace = heartbeatNanos;
    while (!closed) {
      LockSupport.parkNanos(this, grace / 2);
      long now = System.nanoTime();
      for (Subscriber subscriber : all) {
        if (subscriber.overdue(now, grace)) {
          subscriber.abort();
        }
      }
    }
  }

  /**
   * Ends every stream: each gets a {@code resync} ("server stopping") and is closed; those that
   * cannot take it within {@link #CLOSE_WAIT_MILLIS} have their sockets closed. Safe to call
   * twice.
   */
  @Override
  public void close() {
    closed = true;
    LockSupport.unpark(watchdog);
    for (Subscriber subscriber : all) {
      subscriber.stop();
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
    try {
      for (Subscriber subscriber : all) {
        if (!subscriber.awaitDone(Math.max(0, deadline - System.nanoTime()))) {
          subscriber.abort();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      all.forEach(Subscriber::abort);
    }
  }
}
