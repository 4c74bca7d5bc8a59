package io.stockroom.bench.sidebyside;

import java.util.ArrayList;
import java.util.List;

/**
 * The correctness check after every run, the same for every contender: units are conserved
 * (for each SKU, available + units recorded in reservations = units at the start), nothing went
 * below zero, every reservation holds {@link Workload#QUANTITY}, and the store recorded exactly
 * the reservations its clients were told succeeded: an oversold or lost write shows up here.
 */
final class Conservation {

  /** Violations reported in full; beyond this, only counted. */
  private static final int VIOLATIONS_LISTED_MAX = 10;

  private Conservation() {}

  /** The violations found, empty when the store is consistent. */
  static List<String> violations(Workload workload, StoreState state, long acceptedByClients) {
    List<String> found = new ArrayList<>();
    int more = 0;
    if (state.available().length != workload.skus()) {
      found.add("store has " + state.available().length + " SKUs, workload " + workload.skus());
      return found;
    }
    for (int i = 0; i < workload.skus(); i++) {
      String problem = skuProblem(workload, state, i);
      if (problem != null && found.size() < VIOLATIONS_LISTED_MAX) {
        found.add(problem);
      } else if (problem != null) {
        more++;
      }
    }
    if (more > 0) {
      found.add("... and " + more + " more SKUs");
    }
    long recorded = state.recordedCountTotal();
    if (recorded != acceptedByClients) {
      found.add("store recorded " + recorded + " reservations, clients were told "
          + acceptedByClients + " succeeded");
    }
    return found;
  }

  private static String skuProblem(Workload workload, StoreState state, int sku) {
    long available = state.available()[sku];
    long units = state.recordedUnits()[sku];
    long count = state.recordedCount()[sku];
    if (available < 0) {
      return Workload.sku(sku) + " went below zero: available " + available;
    }
    if (available + units != workload.unitsPerSku()) {
      return Workload.sku(sku) + " does not conserve units: available " + available
          + " + reserved " + units + " != " + workload.unitsPerSku();
    }
    if (units != count * Workload.QUANTITY) {
      return Workload.sku(sku) + " has " + count + " reservations holding " + units + " units";
    }
    return null;
  }
}
