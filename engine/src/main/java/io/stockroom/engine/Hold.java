package io.stockroom.engine;

import java.util.List;

/**
 * The mutable record of one hold. It keeps direct references to the levels its lines touch so
 * confirm, release and expiry never look them up again. A line is its level (which knows its SKU
 * and location) and a quantity, so a hold keeps two small arrays rather than a list of line
 * records: a restart rebuilds hundreds of thousands of holds, and every object per hold is one
 * more for the young collections to copy.
 */
final class Hold {
  final String id;
  /** {@code id.hashCode()}, kept so {@link HoldIndex} can forget a hold without reading its id. */
  final int idHash;
  final StockLevel[] levels;
  /** Units held per line, line {@code i} at {@code levels[i]}. */
  final int[] quantities;
  final String customer;
  final String reference;
  /** Order of creation; breaks ties between equal expiry times so expiry order is total. */
  final long ordinal;
  long expiresAt;
  HoldState state = HoldState.ACTIVE;
  /** Position in {@link ExpiryQueue}, or -1 when not queued. */
  int queueIndex = -1;

  Hold(String id, StockLevel[] levels, int[] quantities, String customer, String reference,
      long ordinal, long expiresAt) {
    this.id = id;
    this.idHash = id.hashCode();
    this.levels = levels;
    this.quantities = quantities;
    this.customer = customer;
    this.reference = reference;
    this.ordinal = ordinal;
    this.expiresAt = expiresAt;
  }

  /** The lines as records, built on each call: for views and snapshots, not for hot paths. */
  List<HoldLine> lines() {
    HoldLine[] lines = new HoldLine[levels.length];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = new HoldLine(levels[i].sku, levels[i].location, quantities[i]);
    }
    return List.of(lines);
  }

  /** Units held over all lines. */
  long units() {
    long units = 0;
    for (int quantity : quantities) {
      units += quantity;
    }
    return units;
  }

  HoldView view() {
    return new HoldView(id, state, lines(), customer, reference, expiresAt);
  }
}
