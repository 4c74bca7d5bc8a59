package io.stockroom.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

/** The runs every contender's test makes: tiny, real, and checked. */
final class ContenderRuns {

  /** Units of the one hot SKU in the sold-out run. */
  static final int FLASH_UNITS = 300;
  static final int CLIENTS = 8;
  /** An upper bound only: the sold-out run ends when every client has seen a rejection. */
  private static final Duration BOUND = Duration.ofSeconds(60);
  private static final long SEED = Long.getLong("sidebyside.seed", 42);

  private ContenderRuns() {}

  /**
   * Eight clients buy the hot SKU until it is sold out: exactly the stock is sold, every
   * client got a rejection at the end, and the store conserved its units.
   */
  static Measurement sellOut(Contender contender) throws Exception {
    Measurement m = Trial.run(contender, Workload.flashSale(FLASH_UNITS),
        new Trial.Settings(CLIENTS, Duration.ZERO, BOUND, true, SEED));
    assertThat(m.violations()).isEmpty();
    assertThat(m.accepted()).isEqualTo(FLASH_UNITS);
    assertThat(m.acceptedTotal()).isEqualTo(FLASH_UNITS);
    assertThat(m.rejected()).isGreaterThanOrEqualTo(CLIENTS);
    assertThat(m.latencyNanos().getTotalCount()).isEqualTo(m.accepted() + m.rejected());
    return m;
  }

  /** A short timed run over 200 SKUs of 5 units: some sell out, all must conserve. */
  static Measurement catalog(Contender contender) throws Exception {
    Workload workload = new Workload("small-catalog", 200, 5);
    System.out.println("seed " + SEED + " (rerun with -Dsidebyside.seed=" + SEED + ")");
    Measurement m = Trial.run(contender, workload,
        new Trial.Settings(CLIENTS, Duration.ofMillis(100), Duration.ofMillis(400), false, SEED));
    assertThat(m.violations()).isEmpty();
    assertThat(m.acceptedTotal()).isPositive().isLessThanOrEqualTo(workload.unitsTotal());
    return m;
  }
}
