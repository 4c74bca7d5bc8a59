package io.stockroom.bench.sidebyside;

import java.util.SplittableRandom;

/**
 * What every contender is asked to do, identically: {@code skus} items with {@code unitsPerSku}
 * units each, and clients that reserve 1 unit of one SKU per request, the SKU picked uniformly
 * (with one SKU, every request hits the same hot row).
 *
 * <p>A reservation is a check-and-decrement of the SKU's available units plus a durable record
 * of the hold (its id, SKU and quantity), atomically: either both happen or neither.
 *
 * @param name {@code flash-sale} or {@code uniform-catalog}, or a test's own
 * @param skus items in the store, named by {@link #sku(int)}
 * @param unitsPerSku starting available units of each item
 */
record Workload(String name, int skus, int unitsPerSku) {

  /** Units one request reserves. */
  static final int QUANTITY = 1;
  /** Items in the uniform catalog, as the issue asks. */
  static final int CATALOG_SKUS = 10_000;
  /**
   * Stock of each item in the throughput runs: more than any contender here can sell within a
   * run, so every request is a real check-and-decrement that succeeds. It is the engine's
   * {@code quantityMax}; Redis and PostgreSQL hold it in a 64-bit integer and an int.
   */
  static final int UNITS_PLENTY = 1_000_000_000;

  Workload {
    if (skus < 1 || unitsPerSku < 0) {
      throw new IllegalArgumentException("a workload needs skus >= 1 and unitsPerSku >= 0: "
          + skus + ", " + unitsPerSku);
    }
  }

  /** One hot SKU: every client hits the same row. */
  static Workload flashSale(int units) {
    return new Workload("flash-sale", 1, units);
  }

  /** {@value #CATALOG_SKUS} SKUs picked uniformly. */
  static Workload uniformCatalog(int unitsPerSku) {
    return new Workload("uniform-catalog", CATALOG_SKUS, unitsPerSku);
  }

  static String sku(int index) {
    return String.format("SKU-%06d", index + 1);
  }

  /** The index {@link #sku(int)} was given. */
  static int index(String sku) {
    return Integer.parseInt(sku.substring("SKU-".length())) - 1;
  }

  /** The SKU index of the next request. */
  int pick(SplittableRandom random) {
    return skus == 1 ? 0 : random.nextInt(skus);
  }

  long unitsTotal() {
    return (long) skus * unitsPerSku;
  }
}
