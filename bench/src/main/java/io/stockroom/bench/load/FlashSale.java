package io.stockroom.bench.load;

import java.util.List;
import java.util.Map;

/** One hot SKU, {@code units} units, {@code buyers} buyers trying once each; see the scenario. */
final class FlashSale implements Workload {

  private final Catalog catalog;
  private final String prefix;
  private final int units;
  private final int buyers;
  private final int holdTtlSeconds;

  FlashSale(String prefix, int units, int buyers, int holdTtlSeconds) {
    this.prefix = prefix;
    this.catalog = Catalog.of(prefix + "-flash", 1);
    this.units = units;
    this.buyers = buyers;
    this.holdTtlSeconds = holdTtlSeconds;
  }

  @Override
  public String name() {
    return "flash-sale";
  }

  @Override
  public void setup(Http admin) {
    catalog.setup(admin, units);
  }

  @Override
  public long sessionsMax() {
    return buyers;
  }

  @Override
  public void run(long index, Session session) {
    String id = prefix + "-b" + index;
    if (Outcomes.reserve(session, id, Map.of(catalog.sku(0), 1L), holdTtlSeconds)) {
      Outcomes.resolve(session, id, Outcomes.Resolution.CONFIRM);
    }
  }

  @Override
  public List<String> auditedSkus() {
    return catalog.skus();
  }

  @Override
  public boolean expectsSellOut() {
    return buyers >= units;
  }

  @Override
  public Map<String, Number> figures() {
    return Map.of("units", units, "buyers", buyers);
  }
}
