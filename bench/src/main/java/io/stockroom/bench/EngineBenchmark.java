package io.stockroom.bench;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.Limits;
import io.stockroom.engine.Quantities;
import io.stockroom.engine.Result;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Single-line checkout throughput of the engine on one thread: each invocation is one
 * {@link Command.Reserve} of one unit followed by the {@link Command.Confirm} of that hold, and
 * counts as two operations, so the score is <b>commands per second</b>.
 *
 * <p>What runs for real: validation, the item and level lookups, the hold index, the expiry
 * queue (time advances 1 ms per reserve+confirm pair, so {@code expireDue} runs on every
 * command), bounded retention of resolved holds, conservation and range checks, and every event
 * and {@link io.stockroom.engine.LevelChange} the engine builds. Commands are allocated per
 * invocation, as the server's decoder would; events go to one reused list that is cleared after
 * each pair (the journal would consume them).
 *
 * <p>Keeping stock from running out: every reserve+confirm moves one unit from available to
 * committed. Each level starts at {@code onHand = 1,000,000,000} (quantityMax), and before every
 * iteration (outside the measured path) each level's committed units are shipped with
 * {@link Command.Fulfil} and received back with {@link Command.Receive}, so every iteration starts
 * from the same quantities. One iteration would need 10^9 pairs on one level to run dry. Any
 * rejection throws, so a benchmark that silently measured rejections cannot happen.
 *
 * <p>Hold ids come from a precomputed ring. A resolved hold stays indexed until
 * {@code holdsResolvedRetainedMax} newer holds resolved, so the ring holds at least twice that
 * many ids (and at least 2^20): an id comes round again only long after it was forgotten.
 *
 * <p>SKU and location strings in commands are never the instances the items were defined with,
 * so lookups hash and compare characters as they do for a decoded request instead of taking the
 * identity shortcut in {@link String#equals}. {@link #reserveConfirm} builds a fresh SKU string
 * per pair, as a decoder does; {@link #reserveConfirmColdSkuStrings} is its pessimistic variant.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g", "-XX:+AlwaysPreTouch"})
public class EngineBenchmark {

  /** 1: one hot SKU takes every hold. 1000000: holds spread uniformly over a million SKUs. */
  @Param({"1", "1000000"})
  public int skus;

  /**
   * Limits.holdsResolvedRetainedMax. 1000 keeps the hold index small; 1000000 is the default
   * and keeps a million resolved holds (and their events' strings) live in the heap.
   */
  @Param({"1000"})
  public int holdsResolvedRetainedMax;

  private static final String LOCATION = Engine.DEFAULT_LOCATION;
  /** The location as a decoded request would carry it: equal, not identical. */
  private static final String REQUEST_LOCATION = new String(LOCATION.toCharArray());
  private static final int STOCK_PER_LEVEL = 1_000_000_000;
  private static final long HOLD_TIMEOUT_MILLIS = 15 * 60_000L;
  private static final int PICKS = 1 << 20;
  private static final String SKU_PREFIX = "SKU-";

  private Engine engine;
  private final ArrayList<Event> out = new ArrayList<>(64);
  /** The SKUs the items were defined with (map keys). */
  private String[] definedSkus;
  /** Equal but distinct strings, for {@link #reserveConfirmColdSkuStrings}. */
  private String[] requestSkus;
  /** Precomputed uniform picks into requestSkus; cycling them is cheaper than a random call. */
  private int[] picks;
  private String[] holdIds;
  private int pick;
  private int holdId;
  private long now;
  private final byte[] skuScratch = (SKU_PREFIX + "0000000").getBytes(StandardCharsets.ISO_8859_1);

  @Setup(Level.Trial)
  public void loadEngine() {
    Limits defaults = Limits.DEFAULTS;
    Limits limits = new Limits(defaults.identifierLengthMax(), defaults.nameLengthMax(),
        defaults.textLengthMax(), defaults.quantityMax(), defaults.linesPerHoldMax(),
        defaults.locationsPerItemMax(), defaults.itemsMax(), defaults.holdsActiveMax(),
        holdsResolvedRetainedMax, defaults.holdTimeoutMillisMin(),
        defaults.holdTimeoutMillisMax(), defaults.expiriesPerCommandMax(),
        defaults.idempotencyKeysMax(), defaults.idempotencyWindowMillis(),
        defaults.customerHoldsActiveMax(), defaults.customerUnitsHeldMax());
    engine = new Engine(limits);
    definedSkus = new String[skus];
    requestSkus = new String[skus];
    for (int i = 0; i < skus; i++) {
      definedSkus[i] = String.format(SKU_PREFIX + "%07d", i + 1);
      requestSkus[i] = new String(definedSkus[i].toCharArray());
      require(engine.apply(now, new Command.DefineItem(definedSkus[i], "", ""), out));
      require(engine.apply(now, new Command.Receive(definedSkus[i], LOCATION, STOCK_PER_LEVEL,
          "benchmark"), out));
      out.clear();
    }
    SplittableRandom random = new SplittableRandom(42);
    picks = new int[PICKS];
    for (int i = 0; i < PICKS; i++) {
      picks[i] = random.nextInt(skus);
    }
    int ring = Integer.highestOneBit(Math.max(1 << 20, 2 * holdsResolvedRetainedMax) - 1) << 1;
    holdIds = new String[ring];
    for (int i = 0; i < ring; i++) {
      holdIds[i] = "hold-" + i;
    }
  }

  /** Ships and re-receives what the last iteration committed, outside the measured path. */
  @Setup(Level.Iteration)
  public void replenish() {
    for (String sku : definedSkus) {
      Quantities level = engine.level(sku, LOCATION);
      int committed = level.committed();
      if (committed > 0) {
        require(engine.apply(now, new Command.Fulfil(sku, LOCATION, committed, "ship"), out));
        require(engine.apply(now, new Command.Receive(sku, LOCATION, committed, "replenish"),
            out));
      }
      out.clear();
    }
  }

  /** The server's shape: each command carries a SKU string freshly decoded from a request. */
  @Benchmark
  @OperationsPerInvocation(2)
  public void reserveConfirm() {
    reserveThenConfirm(decodeSku(picks[pick++ & (PICKS - 1)]));
  }

  /**
   * The same, but the SKU string comes from a precomputed array of a million strings, picked at
   * random: two extra cache misses per pair (the String and its bytes) that a server, whose
   * request bytes are hot in cache, does not pay. Kept to show how memory-bound the
   * million-SKU case is.
   */
  @Benchmark
  @OperationsPerInvocation(2)
  public void reserveConfirmColdSkuStrings() {
    reserveThenConfirm(requestSkus[picks[pick++ & (PICKS - 1)]]);
  }

  private void reserveThenConfirm(String sku) {
    String id = holdIds[holdId++ & (holdIds.length - 1)];
    long time = ++now;
    List<HoldLine> lines = List.of(new HoldLine(sku, REQUEST_LOCATION, 1));
    require(engine.apply(time, new Command.Reserve(id, lines, null, null, HOLD_TIMEOUT_MILLIS),
        out));
    require(engine.apply(time, new Command.Confirm(id), out));
    out.clear();
  }

  /** Writes "SKU-%07d" of {@code index + 1} into a scratch buffer and makes a new String. */
  private String decodeSku(int index) {
    int number = index + 1;
    for (int i = skuScratch.length - 1; i >= SKU_PREFIX.length(); i--) {
      skuScratch[i] = (byte) ('0' + number % 10);
      number /= 10;
    }
    return new String(skuScratch, StandardCharsets.ISO_8859_1);
  }

  private static void require(Result result) {
    if (result != Result.ACCEPTED) {
      throw new IllegalStateException("benchmark command rejected: " + result);
    }
  }
}
