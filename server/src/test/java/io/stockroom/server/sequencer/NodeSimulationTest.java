package io.stockroom.server.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The whole node from a seed, as many seeds as fit a time budget (at least a minimum number):
 * see {@link SimulatedRun} for what one seed does and docs/RELIABILITY.md for the
 * invariants. A failing seed is printed and reruns identically:
 *
 * <pre>
 *   ./mvnw -o -q -pl server -am test -Dtest=NodeSimulationTest -Dsurefire.failIfNoSpecifiedTests=false -Dsim.seed=N
 * </pre>
 *
 * Longer runs: {@code -Dsim.seconds=600} (budget, default 30), {@code -Dsim.seedsMin=N}
 * (default 1,000), {@code -Dsim.firstSeed=N} (default: from the clock, printed).
 */
class NodeSimulationTest {

  @Test
  void everySeedKeepsTheInvariantsThroughCrashesFaultsAndClockJumps() throws Exception {
    Long only = Long.getLong("sim.seed");
    if (only != null) {
      SimulatedRun.Summary summary = runSeed(only);
      System.out.println("NodeSimulationTest seed " + only + ": " + summary);
      return;
    }
    long first = Long.getLong("sim.firstSeed", System.currentTimeMillis() % 1_000_000_000L);
    double seconds = Double.parseDouble(System.getProperty("sim.seconds", "30"));
    int seedsMin = Integer.getInteger("sim.seedsMin", 1_000);
    System.out.println("NodeSimulationTest: first seed " + first + ", budget " + seconds
        + " s, at least " + seedsMin + " seeds (rerun one with -Dsim.seed=N)");

    long started = System.nanoTime();
    long deadline = started + (long) (seconds * 1e9);
    long[] totals = new long[10];
    int seeds = 0;
    while (seeds < seedsMin || System.nanoTime() < deadline) {
      add(totals, runSeed(first + seeds));
      seeds++;
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    System.out.printf("NodeSimulationTest: %,d seeds (%d..%d) in %.1f s: %,d passes, %,d"
            + " acknowledged, %,d refused, %,d overloaded, %,d in doubt at a crash, %,d crashes,"
            + " %,d operator restarts, %,d write failures, %,d clock jumps, %,d expiries%n",
        seeds, first, first + seeds - 1, tookMillis / 1e3, totals[0], totals[1], totals[2],
        totals[3], totals[4], totals[5], totals[9], totals[6], totals[7], totals[8]);

    // A simulation that never reaches the paths it claims to exercise proves nothing.
    assertThat(totals[5]).as("crashes").isGreaterThan(seeds);
    assertThat(totals[6]).as("write failures (fsync, disk full, power cut)")
        .isGreaterThan(seeds / 2);
    assertThat(totals[4]).as("requests left in doubt by a crash").isGreaterThan(seeds / 10);
    assertThat(totals[3]).as("overloaded submissions").isPositive();
    assertThat(totals[9]).as("operator restarts").isGreaterThan(seeds / 2);
    assertThat(totals[7]).as("clock jumps").isGreaterThan(seeds / 2);
    assertThat(totals[8]).as("expiries").isGreaterThan(seeds);
    assertThat(totals[1]).as("acknowledged requests").isGreaterThan(seeds * 20L);
  }

  @Test
  void aSeedReplaysIdentically() throws Exception {
    long seed = Long.getLong("sim.seed", 42);
    assertThat(runSeed(seed)).as("SeedReplaysIdentically seed=%d", seed)
        .isEqualTo(runSeed(seed));
  }

  private static SimulatedRun.Summary runSeed(long seed) throws Exception {
    try {
      return new SimulatedRun(seed).run();
    } catch (Throwable failure) {
      System.out.println("NodeSimulationTest: seed " + seed + " FAILED; rerun it with"
          + " -Dsim.seed=" + seed);
      throw failure;
    }
  }

  private static void add(long[] totals, SimulatedRun.Summary s) {
    totals[0] += s.passes();
    totals[1] += s.acknowledged();
    totals[2] += s.refused();
    totals[3] += s.overloaded();
    totals[4] += s.inDoubt();
    totals[5] += s.crashes();
    totals[6] += s.failures();
    totals[7] += s.clockJumps();
    totals[8] += s.expiries();
    totals[9] += s.restarts();
  }
}
