package io.stockroom.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Needs redis-server (Debian's redis-server package; .ci/run installs it when absent). */
class RedisContenderTest {

  @TempDir
  Path directory;

  @Test
  void pipelinedFlashSaleWithFsyncAlwaysSellsExactlyTheStock() throws Exception {
    try (RedisContender contender = new RedisContender(directory, "always", 8)) {
      ContenderRuns.sellOut(contender);
    }
    assertThat(directory).isEmptyDirectory();
  }

  @Test
  void catalogWithoutPipeliningConservesUnits() throws Exception {
    try (RedisContender contender = new RedisContender(directory, "everysec", 1)) {
      ContenderRuns.catalog(contender);
    }
  }

  @Test
  void checkFailsWhenTheStoreOversold() throws Exception {
    try (RedisContender contender = new RedisContender(directory, "everysec", 1)) {
      ContenderRuns.sellOut(contender);
      contender.oversell(0, 1); // one more unit gone, no hold recorded: available is -1
      assertThat(Conservation.violations(Workload.flashSale(ContenderRuns.FLASH_UNITS),
          contender.storeState(), ContenderRuns.FLASH_UNITS))
          .anySatisfy(v -> assertThat(v).contains("went below zero: available -1"));
    }
  }
}
