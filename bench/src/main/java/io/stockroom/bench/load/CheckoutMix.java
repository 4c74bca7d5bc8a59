package io.stockroom.bench.load;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Checkout over a catalog: reserve 1-3 units of 1-2 SKUs, then confirm, release or abandon
 * (the hold expires by itself) in the configured shares. {@code confirmShare = 1} with one SKU
 * of ample stock and one line is the plain reservation path ({@code reserve}, see
 * {@link Workloads}).
 */
final class CheckoutMix implements Workload {

  private final String name;
  private final String prefix;
  private final Catalog catalog;
  private final long stockPerSku;
  private final double confirmShare;
  private final double releaseShare;
  private final int holdTtlSeconds;
  private final boolean reserveOnly;

  CheckoutMix(String name, String prefix, Catalog catalog, long stockPerSku, double confirmShare,
      double releaseShare, int holdTtlSeconds, boolean reserveOnly) {
    this.name = name;
    this.prefix = prefix;
    this.catalog = catalog;
    this.stockPerSku = stockPerSku;
    this.confirmShare = confirmShare;
    this.releaseShare = releaseShare;
    this.holdTtlSeconds = holdTtlSeconds;
    this.reserveOnly = reserveOnly;
  }

  @Override
  public String name() {
    return name;
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
    SplittableRandom random = session.random();
    String id = prefix + "-" + index;
    if (reserveOnly) {
      Outcomes.reserve(session, id, Map.of(catalog.sku(random.nextInt(catalog.size())), 1L),
          holdTtlSeconds);
      return;
    }
    if (!Outcomes.reserve(session, id, lines(random), holdTtlSeconds)) {
      return;
    }
    double outcome = random.nextDouble();
    if (outcome < confirmShare) {
      Outcomes.resolve(session, id, Outcomes.Resolution.CONFIRM);
    } else if (outcome < confirmShare + releaseShare) {
      Outcomes.resolve(session, id, Outcomes.Resolution.RELEASE);
    } // else abandoned: the hold expires after holdTtlSeconds
  }

  private Map<String, Long> lines(SplittableRandom random) {
    Map<String, Long> lines = new LinkedHashMap<>();
    int count = catalog.size() == 1 ? 1 : 1 + random.nextInt(2);
    while (lines.size() < count) {
      lines.put(catalog.sku(random.nextInt(catalog.size())), 1L + random.nextInt(3));
    }
    return lines;
  }

  @Override
  public List<String> auditedSkus() {
    return catalog.skus();
  }

  @Override
  public boolean expectsSellOut() {
    return false;
  }
}
