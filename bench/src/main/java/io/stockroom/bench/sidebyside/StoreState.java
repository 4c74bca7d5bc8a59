package io.stockroom.bench.sidebyside;

/**
 * A store's contents after a run, as read back from the store: per SKU, the units still
 * available and the reservations recorded (how many, and their units).
 */
record StoreState(long[] available, long[] recordedCount, long[] recordedUnits) {

  StoreState {
    if (available.length != recordedCount.length || available.length != recordedUnits.length) {
      throw new IllegalArgumentException("one entry per SKU in every array");
    }
  }

  static StoreState empty(int skus) {
    return new StoreState(new long[skus], new long[skus], new long[skus]);
  }

  long recordedCountTotal() {
    long total = 0;
    for (long count : recordedCount) {
      total += count;
    }
    return total;
  }
}
