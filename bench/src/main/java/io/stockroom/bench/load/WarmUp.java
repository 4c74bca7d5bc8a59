package io.stockroom.bench.load;

import java.util.List;
import java.util.Map;

/**
 * Before measuring, every kind of request the scenarios send, in turn, on SKUs of its own:
 * reserve and confirm, reserve and release, a reservation refused for want of stock (409, with
 * its shortages), and a stock read. So the measured phase runs code the JIT has compiled
 * whatever the scenario sends: a warm-up of reservations that all succeed left a flash sale's
 * 800 refusals and 200 confirms to run cold, in the very burst being measured.
 */
final class WarmUp implements Workload {

  private final String prefix;
  private final Catalog ample;
  private final Catalog soldOut;
  private final int holdTtlSeconds;

  WarmUp(String prefix, int holdTtlSeconds) {
    this.prefix = prefix + "-warm";
    this.ample = Catalog.of(prefix + "-warm", 1);
    this.soldOut = Catalog.of(prefix + "-warm-out", 1);
    this.holdTtlSeconds = holdTtlSeconds;
  }

  @Override
  public String name() {
    return "warmup";
  }

  @Override
  public void setup(Http admin) {
    ample.setup(admin, 1_000_000_000L);
    soldOut.setup(admin, 1); // the first buyer takes it; every later one is refused
  }

  @Override
  public long sessionsMax() {
    return Long.MAX_VALUE;
  }

  @Override
  public void run(long index, Session session) {
    String id = prefix + "-" + index;
    switch ((int) (index % 4)) {
      case 0 -> reserveThen(session, id, ample, Outcomes.Resolution.CONFIRM);
      case 1 -> reserveThen(session, id, ample, Outcomes.Resolution.RELEASE);
      case 2 -> reserveThen(session, id, soldOut, Outcomes.Resolution.CONFIRM);
      default -> session.call("read", "GET", "/v1/items/" + ample.sku(0), null);
    }
  }

  private void reserveThen(Session session, String id, Catalog catalog,
      Outcomes.Resolution resolution) {
    if (Outcomes.reserve(session, id, Map.of(catalog.sku(0), 1L), holdTtlSeconds)) {
      Outcomes.resolve(session, id, resolution);
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
}
