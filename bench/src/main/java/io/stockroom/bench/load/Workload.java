package io.stockroom.bench.load;

import java.util.List;
import java.util.Map;

/**
 * One scenario's requests: what it sets up before measuring, what one session (one shopper's
 * visit) sends, and what the audit checks afterwards. A session gets its own seeded random
 * from its index, so a run's choices are the same for the same seed.
 */
interface Workload {

  String name();

  /** Defines items and receives stock through the admin API, before anything is measured. */
  void setup(Http admin);

  /** How many sessions there are at most ({@link Long#MAX_VALUE}: until the duration ends). */
  long sessionsMax();

  /** Runs session {@code index}; every request goes through {@code session}. */
  void run(long index, Session session);

  /** The SKUs the audit reads back (none: nothing to audit). */
  List<String> auditedSkus();

  /** Demand is at least the supply and every winner confirms, so every unit must be sold. */
  boolean expectsSellOut();

  /** Starts what runs beside the sessions (the storefront's stream subscribers). */
  default void startBackground(java.net.URI base, String key) {}

  /** Stops it; called once, also after a failed run. */
  default void stopBackground() {}

  /** Counts of this scenario for the report (subscriber events received, units sold, ...). */
  default Map<String, Number> figures() {
    return Map.of();
  }
}
