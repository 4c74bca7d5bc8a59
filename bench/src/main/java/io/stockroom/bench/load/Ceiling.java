package io.stockroom.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Sessions against the {@link CeilingServer}: one {@code POST /ceiling} each for as long as the
 * run lasts ({@link #Ceiling()}), or the flash sale's burst ({@link #burst}): a fixed number of
 * buyers, each one request shaped like a reservation, the first {@code units} of them a second,
 * bodiless one like the confirm. The burst is what the same clients, connections and web server
 * can do for a flash sale's traffic with nothing behind the route: the floor under the flash
 * sale's latency on this machine.
 */
final class Ceiling implements Workload {

  private final long sessionsMax;
  private final long seconds;

  /** Unlimited sessions of one request: the throughput ceiling. */
  Ceiling() {
    this(Long.MAX_VALUE, 0);
  }

  private Ceiling(long sessionsMax, long seconds) {
    this.sessionsMax = sessionsMax;
    this.seconds = seconds;
  }

  /** {@code buyers} sessions; the first {@code units} (in the order they start) send two. */
  static Ceiling burst(int buyers, int units) {
    return new Ceiling(buyers, Math.min(units, buyers));
  }

  @Override
  public String name() {
    return sessionsMax == Long.MAX_VALUE ? "ceiling" : "ceiling-burst";
  }

  @Override
  public void setup(Http admin) {}

  @Override
  public long sessionsMax() {
    return sessionsMax;
  }

  @Override
  public void run(long index, Session session) {
    // The shape and size of a reservation request, so that the comparison isolates the
    // service's own work from the parsing every request pays.
    session.call("ceiling", "POST", CeilingServer.PATH, ("{\"id\":\"ceiling-" + index
        + "\",\"lines\":[{\"sku\":\"ceiling-sku\",\"quantity\":1}],\"ttlSeconds\":5}")
        .getBytes(StandardCharsets.US_ASCII));
    if (index < seconds) {
      session.call("ceiling-confirm", "POST", CeilingServer.PATH, null); // as a winner confirms
    }
  }

  @Override
  public List<String> auditedSkus() {
    return List.of();
  }

  @Override
  public boolean expectsSellOut() {
    return false;
  }

  @Override
  public Map<String, Number> figures() {
    return sessionsMax == Long.MAX_VALUE ? Map.of()
        : Map.of("buyers", sessionsMax, "secondRequests", seconds);
  }
}
