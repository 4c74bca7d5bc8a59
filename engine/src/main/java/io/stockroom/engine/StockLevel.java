package io.stockroom.engine;

/**
 * The mutable stock of one (SKU, location); only the engine touches it. This is the object the
 * engine holds millions of, so it is kept small: int quantities, and the levels of one item form
 * a singly linked list instead of an array or map (most items have one to a few locations).
 */
final class StockLevel {
  /** The item's SKU, so a hold's line is just its level and a quantity. */
  final String sku;
  final String location;
  int onHand;
  int reserved;
  int committed;
  int safetyStock;
  long version;
  StockLevel next;

  StockLevel(String sku, String location) {
    this.sku = sku;
    this.location = location;
  }

  long available() {
    return (long) onHand - reserved - committed - safetyStock;
  }

  Quantities quantities() {
    return new Quantities(onHand, reserved, committed, safetyStock);
  }
}
