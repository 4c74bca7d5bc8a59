package io.stockroom.engine;

import java.util.List;

/**
 * The mutable record of one hold. It keeps direct references to the levels its lines touch so
 * confirm, release and expiry never look them up again.
 */
final class Hold {
  final String id;
  /** {@code id.hashCode()}, kept so {@link HoldIndex} can forget a hold without reading its id. */
  final int idHash;
  final List<HoldLine> lines;
  final StockLevel[] levels;
  final String customer;
  final String reference;
  /** Order of creation; breaks ties between equal expiry times so expiry order is total. */
  final long ordinal;
  long expiresAt;
  HoldState state = HoldState.ACTIVE;
  /** Position in {@link ExpiryQueue}, or -1 when not queued. */
  int queueIndex = -1;

  Hold(String id, List<HoldLine> lines, StockLevel[] levels, String customer, String reference,
      long ordinal, long expiresAt) {
    this.id = id;
    this.idHash = id.hashCode();
    this.lines = lines;
    this.levels = levels;
    this.customer = customer;
    this.reference = reference;
    this.ordinal = ordinal;
    this.expiresAt = expiresAt;
  }

  HoldView view() {
    return new HoldView(id, state, lines, customer, reference, expiresAt);
  }
}
