package io.stockroom.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StockroomInProcessTest {

  @TempDir
  Path directory;

  private StockroomInProcess contender(int inFlight) {
    return new StockroomInProcess(directory, inFlight, 1_000_000, 1_000_000,
        StockroomInProcess.Batching.PRODUCT);
  }

  @Test
  void flashSaleSellsExactlyTheStockAndTheRecoveredJournalAgrees() throws Exception {
    try (StockroomInProcess contender = contender(4)) {
      ContenderRuns.sellOut(contender);
      // The check read the store back through recovery: it must see the real reservations.
      assertThat(Conservation.violations(Workload.flashSale(ContenderRuns.FLASH_UNITS),
          contender.storeState(), ContenderRuns.FLASH_UNITS + 1)).isNotEmpty();
    }
    assertThat(directory).isEmptyDirectory();
  }

  @Test
  void catalogConservesUnitsWithOneRequestInFlightPerClient() throws Exception {
    try (StockroomInProcess contender = contender(1)) {
      ContenderRuns.catalog(contender);
    }
  }
}
