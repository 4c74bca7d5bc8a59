package io.stockroom.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConservationTest {

  private static final Workload WORKLOAD = new Workload("test", 3, 10);

  /** Three SKUs of 10: 4, 0 and 10 units reserved, one unit per reservation. */
  private static StoreState consistent() {
    return new StoreState(new long[] {6, 10, 0}, new long[] {4, 0, 10}, new long[] {4, 0, 10});
  }

  @Test
  void consistentStorePasses() {
    assertThat(Conservation.violations(WORKLOAD, consistent(), 14)).isEmpty();
  }

  @Test
  void storeThatSoldMoreThanItHadFails() {
    // Eleven reservations recorded against 10 units: available went to -1.
    StoreState oversold = new StoreState(new long[] {6, 10, -1}, new long[] {4, 0, 11},
        new long[] {4, 0, 11});
    assertThat(Conservation.violations(WORKLOAD, oversold, 15))
        .anySatisfy(v -> assertThat(v).contains("SKU-000003 went below zero"));
  }

  @Test
  void unitsTakenWithoutARecordFail() {
    StoreState leaked = consistent();
    leaked.available()[1] = 9;
    assertThat(Conservation.violations(WORKLOAD, leaked, 14))
        .containsExactly("SKU-000002 does not conserve units: available 9 + reserved 0 != 10");
  }

  @Test
  void acknowledgedReservationMissingFromTheStoreFails() {
    assertThat(Conservation.violations(WORKLOAD, consistent(), 15)).containsExactly(
        "store recorded 14 reservations, clients were told 15 succeeded");
  }

  @Test
  void reservationOfTheWrongQuantityFails() {
    StoreState wrong = new StoreState(new long[] {6, 10, 0}, new long[] {4, 0, 5},
        new long[] {4, 0, 10});
    assertThat(Conservation.violations(WORKLOAD, wrong, 9))
        .containsExactly("SKU-000003 has 5 reservations holding 10 units");
  }
}
