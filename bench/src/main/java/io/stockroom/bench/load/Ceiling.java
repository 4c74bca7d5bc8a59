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

  private final String name;
  private final long sessionsMax;
  private final long seconds;
  private final boolean everyOtherSendsTwo;

  /** Unlimited sessions of one request: the throughput ceiling. */
  Ceiling() {
    this("ceiling", Long.MAX_VALUE, 0, false);
  }

  private Ceiling(String name, long sessionsMax, long seconds, boolean everyOtherSendsTwo) {
    this.name = name;
    this.sessionsMax = sessionsMax;
    this.seconds = seconds;
    this.everyOtherSendsTwo = everyOtherSendsTwo;
  }

  /** {@code buyers} sessions; the first {@code units} (in the order they start) send two. */
  static Ceiling burst(int buyers, int units) {
    return new Ceiling("ceiling-burst", buyers, Math.min(units, buyers), false);
  }

  /**
   * Before measuring: unlimited sessions, every other one with the bodiless second request
   * too, so that both kinds of request are compiled before the burst sends them (the first
   * bodiless requests after a warm-up without any deoptimized the server's header and JSON
   * code in the middle of the burst).
   */
  static Ceiling warmup() {
    return new Ceiling("ceiling", Long.MAX_VALUE, 0, true);
  }

  /** As {@link #Ceiling()}, against the endpoint that waits for a group commit. */
  static Ceiling durable() {
    return new Ceiling("durable-ceiling", Long.MAX_VALUE, 0, false);
  }

  @Override
  public String name() {
    return name;
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
    if (index < seconds || (everyOtherSendsTwo && index % 2 == 1)) {
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
