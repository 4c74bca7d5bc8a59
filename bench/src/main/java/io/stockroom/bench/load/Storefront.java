package io.stockroom.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Recorder;

/**
 * A storefront: stock reads over the catalog, {@code writeShare} of sessions reserving and
 * releasing one unit, and SSE subscribers on {@code /v1/stream} counting the events they get
 * and how long after the event's time they got them (the service's clock and the generator's
 * are the same clock when embedded; against a remote service the lag includes clock skew).
 */
final class Storefront implements Workload {

  private final String prefix;
  private final Catalog catalog;
  private final long stockPerSku;
  private final double writeShare;
  private final int holdTtlSeconds;
  private final int subscribers;
  private final List<Thread> subscriberThreads = new ArrayList<>();
  private final List<InputStream> streams = new CopyOnWriteArrayList<>();
  private final LongAdder eventsReceived = new LongAdder();
  private final LongAdder subscribersConnected = new LongAdder();
  private final LongAdder streamsEnded = new LongAdder();
  private final Recorder lagMillis = new Recorder(3_600_000L, 3);
  private HttpClient streamClient;

  Storefront(String prefix, Catalog catalog, long stockPerSku, double writeShare,
      int holdTtlSeconds, int subscribers) {
    this.prefix = prefix;
    this.catalog = catalog;
    this.stockPerSku = stockPerSku;
    this.writeShare = writeShare;
    this.holdTtlSeconds = holdTtlSeconds;
    this.subscribers = subscribers;
  }

  @Override
  public String name() {
    return "storefront";
  }

  @Override
  public void setup(Http admin) {
    catalog.setup(admin, stockPerSku);
  }

  @Override
  public long sessionsMax() {
    return Long.MAX_VALUE;
  }

  @Override
  public void run(long index, Session session) {
    String sku = catalog.sku(session.random().nextInt(catalog.size()));
    if (session.random().nextDouble() >= writeShare) {
      session.call("read", "GET", "/v1/items/" + sku, null);
      return;
    }
    String id = prefix + "-" + index;
    if (Outcomes.reserve(session, id, Map.of(sku, 1L), holdTtlSeconds)) {
      Outcomes.resolve(session, id, Outcomes.Resolution.RELEASE);
    }
  }

  @Override
  public void startBackground(URI base, String key) {
    streamClient = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest request = HttpRequest.newBuilder(base.resolve("/v1/stream"))
        .header("Authorization", "Bearer " + key).header("Accept", "text/event-stream").build();
    for (int i = 0; i < subscribers; i++) {
      subscriberThreads.add(Thread.ofVirtual().name("subscriber-" + i)
          .start(() -> subscribe(request)));
    }
  }

  private void subscribe(HttpRequest request) {
    try {
      HttpResponse<InputStream> response = streamClient.send(request,
          HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        response.body().close();
        return;
      }
      streams.add(response.body());
      subscribersConnected.increment();
      read(new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      // The stream ends with the run (stopBackground closes it) or with the service.
      streamsEnded.increment();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void read(BufferedReader lines) throws IOException {
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      if (line.startsWith("data:")) {
        eventsReceived.increment();
        long time = eventTime(line);
        if (time > 0) {
          lagMillis.recordValue(Math.max(0, Math.min(3_600_000L,
              System.currentTimeMillis() - time)));
        }
      }
    }
  }

  /** The event's {@code time} field, read without a JSON parse per event per subscriber. */
  private static long eventTime(String line) {
    int at = line.indexOf("\"time\":");
    if (at < 0) {
      return -1;
    }
    long value = 0;
    for (int i = at + 7; i < line.length() && Character.isDigit(line.charAt(i)); i++) {
      value = value * 10 + (line.charAt(i) - '0');
    }
    return value;
  }

  @Override
  public void stopBackground() {
    for (InputStream stream : streams) {
      try {
        stream.close();
      } catch (IOException e) {
        streamsEnded.increment(); // the service had ended it already
      }
    }
    subscriberThreads.forEach(Thread::interrupt);
    if (streamClient != null) {
      streamClient.shutdownNow();
    }
  }

  @Override
  public List<String> auditedSkus() {
    return catalog.skus();
  }

  @Override
  public boolean expectsSellOut() {
    return false;
  }

  @Override
  public Map<String, Number> figures() {
    var lag = lagMillis.getIntervalHistogram();
    Map<String, Number> figures = new LinkedHashMap<>();
    figures.put("subscribers", subscribers);
    figures.put("subscribersConnected", subscribersConnected.sum());
    figures.put("streamEventsReceived", eventsReceived.sum());
    figures.put("streamLagP50Millis", lag.getValueAtPercentile(50));
    figures.put("streamLagP99Millis", lag.getValueAtPercentile(99));
    figures.put("streamLagMaxMillis", lag.getMaxValue());
    return figures;
  }
}
