package io.stockroom.bench;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.Limits;
import io.stockroom.engine.Result;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The longest single reservation while one engine grows to millions of active holds: what a
 * growth of the engine's hold structures (or a collection they cause) costs the one writer in
 * one go, which an average throughput hides. One thread, no journal, no server.
 *
 * <pre>
 * java -Xms8g -Xmx8g -cp bench/target/benchmarks.jar \
 *     io.stockroom.bench.EngineGrowthMeasurement [holds, default 12000000]
 * </pre>
 *
 * <p>Prints the throughput over the whole run and the ten longest {@code apply} calls with the
 * number of holds active when each began.
 */
public final class EngineGrowthMeasurement {

  private static final int WORST_KEPT = 10;

  private EngineGrowthMeasurement() {}

  public static void main(String[] args) {
    int holds = args.length > 0 ? Integer.parseInt(args[0]) : 12_000_000;
    Limits d = Limits.DEFAULTS;
    Limits limits = new Limits(d.identifierLengthMax(), d.nameLengthMax(), d.textLengthMax(),
        d.quantityMax(), d.linesPerHoldMax(), d.locationsPerItemMax(), d.itemsMax(),
        Math.max(holds, d.holdsActiveMax()), d.holdsResolvedRetainedMax(),
        d.holdTimeoutMillisMin(), d.holdTimeoutMillisMax(), d.expiriesPerCommandMax(),
        d.idempotencyKeysMax(), d.idempotencyWindowMillis(), d.customerHoldsActiveMax(),
        d.customerUnitsHeldMax());
    Engine engine = new Engine(limits);
    List<Event> out = new ArrayList<>();
    require(engine.apply(0, new Command.DefineItem("tee", "", ""), out));
    require(engine.apply(0, new Command.Receive("tee", Engine.DEFAULT_LOCATION,
        d.quantityMax(), null), out));
    List<HoldLine> lines = List.of(new HoldLine("tee", Engine.DEFAULT_LOCATION, 1));
    long[] worstNanos = new long[WORST_KEPT];
    int[] worstAt = new int[WORST_KEPT];
    long started = System.nanoTime();
    for (int i = 0; i < holds; i++) {
      out.clear();
      Command reserve = new Command.Reserve("hold-" + i, lines, null, null,
          d.holdTimeoutMillisMax());
      long before = System.nanoTime();
      Result result = engine.apply(1, reserve, out);
      long took = System.nanoTime() - before;
      require(result);
      keepIfWorse(worstNanos, worstAt, took, i);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(Locale.ROOT, "%,d reservations into one engine in %.2f s: %,.0f/s%n",
        holds, seconds, holds / seconds);
    for (int k = 0; k < WORST_KEPT; k++) {
      System.out.printf(Locale.ROOT, "  %6.1f ms  at %,d active holds%n", worstNanos[k] / 1e6,
          worstAt[k]);
    }
  }

  /** Keeps the longest calls in descending order (insertion into a short sorted array). */
  private static void keepIfWorse(long[] worstNanos, int[] worstAt, long took, int at) {
    if (took <= worstNanos[WORST_KEPT - 1]) {
      return;
    }
    int k = WORST_KEPT - 1;
    while (k > 0 && worstNanos[k - 1] < took) {
      worstNanos[k] = worstNanos[k - 1];
      worstAt[k] = worstAt[k - 1];
      k--;
    }
    worstNanos[k] = took;
    worstAt[k] = at;
  }

  private static void require(Result result) {
    if (!result.accepted()) {
      throw new IllegalStateException("refused: " + result);
    }
  }
}
