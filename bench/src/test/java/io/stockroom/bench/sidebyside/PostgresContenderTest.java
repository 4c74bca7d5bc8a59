package io.stockroom.bench.sidebyside;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Needs PostgreSQL's server binaries (Debian's postgresql package; .ci/run installs it). */
class PostgresContenderTest {

  @TempDir
  Path directory;

  /** As root the server runs as the postgres user, who must be able to reach its directory. */
  @BeforeEach
  void letThePostgresUserIn() throws Exception {
    Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx--x--x"));
  }

  /** One server for both runs would share tables; each contender starts its own. */
  @Test
  void flashSaleSellsExactlyTheStockAndTheCheckCatchesAnOversell() throws Exception {
    try (PostgresContender contender = new PostgresContender(directory,
        ContenderRuns.CLIENTS)) {
      ContenderRuns.sellOut(contender);
      contender.oversell(0, "one-too-many"); // a reservation row for a unit that was not there
      assertThat(Conservation.violations(Workload.flashSale(ContenderRuns.FLASH_UNITS),
          contender.storeState(), ContenderRuns.FLASH_UNITS)).containsExactly(
          "SKU-000001 does not conserve units: available 0 + reserved 301 != 300",
          "store recorded 301 reservations, clients were told 300 succeeded");
    }
    assertThat(directory).isEmptyDirectory();
  }

  @Test
  void catalogConservesUnits() throws Exception {
    try (PostgresContender contender = new PostgresContender(directory,
        ContenderRuns.CLIENTS)) {
      ContenderRuns.catalog(contender);
    }
  }
}
