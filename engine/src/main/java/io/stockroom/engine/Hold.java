package io.stockroom.engine;

import java.util.List;

/**
 * The mutable record of one hold. It keeps direct references to the levels its lines touch so
 * confirm, release and expiry never look them up again. A line is its level (which knows its SKU
 * and location) and a quantity. Most holds have one line, and a hold lives for minutes, long
 * enough to be copied by a young collection: so line 0 sits in the hold itself, and only a hold
 * of two or more lines keeps arrays. A single-line hold is then one object (and its id) instead
 * of three, which is what a flash sale with millions of active holds makes the collector copy.
 */
final class Hold {
  final String id;
  /** {@code id.hashCode()}, kept so {@link HoldIndex} can forget a hold without reading its id. */
  final int idHash;
  /** Line 0's level and units: every hold has a line 0. */
  private final StockLevel level0;
  private final int quantity0;
  /** All lines' levels and units (line {@code i} at index {@code i}) if there are two or more. */
  private final StockLevel[] levels;
  private final int[] quantities;
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
    if (levels.length == 0 || levels.length != quantities.length) {
      throw new IllegalArgumentException("a hold has one or more lines, each a level and a"
          + " quantity: " + levels.length + " levels, " + quantities.length + " quantities");
    }
    this.level0 = levels[0];
    this.quantity0 = quantities[0];
    boolean several = levels.length > 1;
    this.levels = several ? levels : null;
    this.quantities = several ? quantities : null;
    this.customer = customer;
    this.reference = reference;
    this.ordinal = ordinal;
    this.expiresAt = expiresAt;
  }

  int lineCount() {
    return levels == null ? 1 : levels.length;
  }

  /** The level of line {@code i}, {@code 0 <= i < lineCount()}. */
  StockLevel level(int i) {
    return i == 0 ? level0 : levels[i];
  }

  /** The units line {@code i} holds. */
  int quantity(int i) {
    return i == 0 ? quantity0 : quantities[i];
  }

  /** The lines as records, built on each call: for views and snapshots, not for hot paths. */
  List<HoldLine> lines() {
    if (levels == null) {
      return List.of(new HoldLine(level0.sku, level0.location, quantity0));
    }
    HoldLine[] lines = new HoldLine[levels.length];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = new HoldLine(levels[i].sku, levels[i].location, quantities[i]);
    }
    return List.of(lines);
  }

  /** Units held over all lines. */
  long units() {
    if (quantities == null) {
      return quantity0;
    }
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
