package io.stockroom.server.storefront;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.stockroom.engine.Event;
import io.stockroom.engine.LevelChange;
import io.stockroom.server.http.Json;
import io.stockroom.server.http.ProblemException;
import io.stockroom.server.http.Problems;
import io.stockroom.server.read.ReadView;
import io.stockroom.server.sequencer.Sequencer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The anonymous availability feed for storefronts: per SKU only an {@link Availability} bucket,
 * never a count, as a snapshot ({@code GET /v1/public/availability?sku=a,b}) and as Server-Sent
 * Events ({@code GET /v1/public/availability/stream?sku=a,b}) that send each SKU's bucket on
 * connect and again whenever it changes. Off unless {@code publicFeed.enabled}.
 *
 * <p>Nobody authenticates here, so the feed bounds itself: one token bucket all anonymous
 * requests share ({@code publicFeed.requestsPerSecond}, 429 when empty), a cap on subscribers,
 * at most {@link #SKUS_MAX} SKUs per request, and a bounded queue per subscriber (one that falls
 * that far behind is ended; EventSource reconnects and gets fresh buckets). CORS headers go only
 * to the configured origins. There are no event ids: a bucket is state, so a reconnect needs
 * the current buckets, not a replay.
 */
public final class AvailabilityFeed implements Sequencer.Listener, AutoCloseable {

  public static final String PATH = "/v1/public/availability";
  public static final String STREAM_PATH = "/v1/public/availability/stream";
  static final int SKUS_MAX = 100;
  private static final int SKU_LENGTH_MAX = 256;
  private static final int QUEUE_CHANGES_MAX = 1_024;
  private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(US_ASCII);

  private final ReadView view;
  private final PublicFeedSettings settings;
  private final long heartbeatMillis;
  private final int retryAfterSeconds;
  private final Bucket bucket;
  private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
  private final AtomicInteger slots = new AtomicInteger();
  /** The last bucket published per SKU; cleared while nobody watches, so it is never stale. */
  private final Map<String, Availability> published = new HashMap<>();
  private volatile boolean closed;

  /** A subscriber: its SKUs and the changes waiting for its thread. */
  private static final class Watcher {
    final Set<String> skus;
    final ArrayBlockingQueue<Change> queue = new ArrayBlockingQueue<>(QUEUE_CHANGES_MAX);
    volatile boolean overflowed;

    Watcher(Set<String> skus) {
      this.skus = skus;
    }
  }

  private record Change(String sku, Availability availability) {}

  public AvailabilityFeed(ReadView view, PublicFeedSettings settings, long heartbeatMillis,
      int retryAfterSeconds, MeterRegistry registry) {
    this.view = view;
    this.settings = settings;
    this.heartbeatMillis = heartbeatMillis;
    this.retryAfterSeconds = retryAfterSeconds;
    this.bucket = Bucket.builder().addLimit(limit -> limit.capacity(settings.requestsPerSecond())
        .refillGreedy(settings.requestsPerSecond(), Duration.ofSeconds(1))).build();
    Gauge.builder("stockroom.public.subscribers", slots, AtomicInteger::get)
        .description("anonymous availability stream subscribers").register(registry);
  }

  /** Registers both routes; returns them as "METHOD /path" for the route list. */
  public List<String> routing(HttpRouting.Builder routing) {
    routing.get(PATH, this::snapshot);
    routing.get(STREAM_PATH, this::stream);
    return List.of("GET " + PATH, "GET " + STREAM_PATH);
  }

  // ---------------------------------------------------------------------------------------------
  // Writer thread: after the ReadView has applied the same events.

  @Override
  public void onDurable(List<Event> events, long sequence) {
    if (watchers.isEmpty()) {
      published.clear();
      return;
    }
    Set<String> touched = new LinkedHashSet<>();
    for (Event event : events) {
      for (LevelChange change : event.changes()) {
        touched.add(change.sku());
      }
    }
    for (String sku : touched) {
      Availability now = availability(sku);
      if (published.put(sku, now) == now) {
        continue;
      }
      Change change = new Change(sku, now);
      for (Watcher watcher : watchers) {
        if (watcher.skus.contains(sku) && !watcher.queue.offer(change)) {
          watcher.overflowed = true; // its thread ends the stream: never block the writer
        }
      }
    }
  }

  private Availability availability(String sku) {
    ReadView.Item item = view.item(sku);
    // Unknown is out of stock: nothing to sell, and no oracle telling which SKUs exist.
    return item == null ? Availability.OUT_OF_STOCK
        : Availability.of(item.available(), settings.lowStockUnits());
  }

  // ---------------------------------------------------------------------------------------------
  // Request threads

  private void snapshot(ServerRequest request, ServerResponse response) {
    Set<String> skus;
    try {
      admit();
      skus = skus(request);
    } catch (ProblemException problem) {
      refuse(request, response, problem);
      return;
    }
    cors(request, response);
    response.status(Status.OK_200);
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    response.header(HeaderNames.CACHE_CONTROL, "no-cache");
    response.send(Json.render(json -> {
      json.writeStartObject();
      json.writeArrayFieldStart("items");
      for (String sku : skus) {
        json.writeStartObject();
        json.writeStringField("sku", sku);
        json.writeStringField("availability", availability(sku).wire());
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeEndObject();
    }));
  }

  private void stream(ServerRequest request, ServerResponse response) {
    Watcher watcher;
    try {
      admit();
      watcher = watch(skus(request));
    } catch (ProblemException problem) {
      refuse(request, response, problem);
      return;
    }
    try {
      cors(request, response);
      serve(watcher, response);
    } finally {
      watchers.remove(watcher);
      slots.decrementAndGet();
    }
  }

  private Watcher watch(Set<String> skus) {
    if (closed) {
      throw ProblemException.unavailable("the service is stopping", retryAfterSeconds);
    }
    int taken;
    do {
      taken = slots.get();
      if (taken >= settings.subscribersMax()) {
        throw ProblemException.unavailable("all " + settings.subscribersMax()
            + " public stream subscriptions are taken (publicFeed.subscribersMax)",
            retryAfterSeconds);
      }
    } while (!slots.compareAndSet(taken, taken + 1));
    Watcher watcher = new Watcher(skus);
    watchers.add(watcher); // before the first buckets are read: no change falls in between
    return watcher;
  }

  /** Sends every SKU's bucket, then each change, until the client leaves or falls behind. */
  private void serve(Watcher watcher, ServerResponse response) {
    response.status(Status.OK_200);
    response.header(HeaderNames.CONTENT_TYPE, "text/event-stream");
    response.header(HeaderNames.CACHE_CONTROL, "no-cache");
    response.header("X-Accel-Buffering", "no");
    Map<String, Availability> sent = new HashMap<>();
    try (OutputStream out = new BufferedOutputStream(response.outputStream(), 8 * 1024)) {
      for (String sku : watcher.skus) {
        send(out, sent, new Change(sku, availability(sku)));
      }
      out.flush();
      while (!closed && !watcher.overflowed) {
        Change change = watcher.queue.poll(heartbeatMillis, TimeUnit.MILLISECONDS);
        if (change == null) {
          out.write(HEARTBEAT);
        } else {
          send(out, sent, change);
          for (Change more = watcher.queue.poll(); more != null; more = watcher.queue.poll()) {
            send(out, sent, more);
          }
        }
        out.flush();
      }
    } catch (IOException | RuntimeException e) {
      // The client went away (Helidon reports that unchecked, too): nothing to clean but ours.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Writes a change unless this subscriber already has that bucket for that SKU. */
  private static void send(OutputStream out, Map<String, Availability> sent, Change change)
      throws IOException {
    if (sent.put(change.sku(), change.availability()) == change.availability()) {
      return;
    }
    out.write("event: availability\ndata: ".getBytes(US_ASCII));
    out.write(Json.render(json -> {
      json.writeStartObject();
      json.writeStringField("sku", change.sku());
      json.writeStringField("availability", change.availability().wire());
      json.writeEndObject();
    }));
    out.write("\n\n".getBytes(US_ASCII));
  }

  private void admit() {
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (!probe.isConsumed()) {
      int seconds = (int) Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L)
          / 1_000_000_000L);
      throw new ProblemException(429, "rate-limited", "Too many requests", "the public feed"
          + " answers " + settings.requestsPerSecond() + " requests per second in all"
          + " (publicFeed.requestsPerSecond); retry after " + seconds + " s", Map.of(), seconds);
    }
  }

  /** The SKUs asked for: {@code sku=a,b} (repeatable), 1..{@value #SKUS_MAX} distinct. */
  private static Set<String> skus(ServerRequest request) {
    Set<String> skus = new LinkedHashSet<>();
    List<String> given = request.query().contains("sku") ? request.query().all("sku")
        : new ArrayList<>();
    for (String value : given) {
      for (String sku : value.split(",", -1)) {
        if (sku.isEmpty() || sku.length() > SKU_LENGTH_MAX
            || sku.chars().anyMatch(Character::isISOControl)) {
          throw ProblemException.badRequest("each sku must be 1.." + SKU_LENGTH_MAX
              + " characters without control characters");
        }
        skus.add(sku);
      }
    }
    if (skus.isEmpty() || skus.size() > SKUS_MAX) {
      throw ProblemException.badRequest("name 1.." + SKUS_MAX + " SKUs as ?sku=a,b; got "
          + skus.size());
    }
    return skus;
  }

  private void refuse(ServerRequest request, ServerResponse response, ProblemException problem) {
    cors(request, response); // so a storefront's script can read why, and back off
    Problems.send(request, response, problem);
  }

  private void cors(ServerRequest request, ServerResponse response) {
    String allowed = settings.allowedOrigin(request.headers().first(HeaderNames.ORIGIN)
        .orElse(null));
    response.header(HeaderNames.VARY, "Origin");
    if (allowed != null) {
      response.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowed);
    }
  }

  /** Ends every stream within one heartbeat. */
  @Override
  public void close() {
    closed = true;
  }
}
