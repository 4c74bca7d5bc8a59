package io.stockroom.engine;

import java.util.List;

/** A read-only copy of an item and its levels at one moment. */
public record ItemView(String sku, String name, String category, List<Level> levels) {

  /** One location's quantities and version. */
  public record Level(String location, Quantities quantities, long version) {}
}
