package io.stockroom.engine;

/** The mutable record of one SKU and its stock levels; only the engine touches it. */
final class Item {
  final String sku;
  String name;
  String category;
  StockLevel firstLevel;
  int levelCount;

  Item(String sku, String name, String category) {
    this.sku = sku;
    this.name = name;
    this.category = category;
  }

  /** The level at {@code location}, or null. Bounded by {@link Limits#locationsPerItemMax()}. */
  StockLevel level(String location) {
    for (StockLevel level = firstLevel; level != null; level = level.next) {
      if (level.location.equals(location)) {
        return level;
      }
    }
    return null;
  }

  /** Appends a new level; keeps insertion order so iteration is deterministic. */
  StockLevel addLevel(String location) {
    StockLevel added = new StockLevel(sku, location);
    if (firstLevel == null) {
      firstLevel = added;
    } else {
      StockLevel last = firstLevel;
      while (last.next != null) {
        last = last.next;
      }
      last.next = added;
    }
    levelCount++;
    return added;
  }
}
