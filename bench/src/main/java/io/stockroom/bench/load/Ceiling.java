package io.stockroom.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Sessions of one {@code POST /ceiling} each against the {@link CeilingServer}. */
final class Ceiling implements Workload {

  @Override
  public String name() {
    return "ceiling";
  }

  @Override
  public void setup(Http admin) {}

  @Override
  public long sessionsMax() {
    return Long.MAX_VALUE;
  }

  @Override
  public void run(long index, Session session) {
    // The shape and size of a reservation request, so that the comparison isolates the
    // service's own work from the parsing every request pays.
    session.call("ceiling", "POST", CeilingServer.PATH, ("{\"id\":\"ceiling-" + index
        + "\",\"lines\":[{\"sku\":\"ceiling-sku\",\"quantity\":1}],\"ttlSeconds\":5}")
        .getBytes(StandardCharsets.US_ASCII));
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
