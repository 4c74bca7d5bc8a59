package io.stockroom.server.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.engine.Command;
import io.stockroom.engine.Event;
import io.stockroom.engine.EventCodec;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.Limits;
import io.stockroom.journal.FaultyStorage;
import io.stockroom.journal.JournalConfig;
import io.stockroom.journal.JournalReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Engine + journal on the fault-injecting storage, from a seed: batches of generated commands
 * are committed while the storage cuts power after a random call, tears writes and fails fsyncs.
 * After every crash the ledger is reopened and must hold exactly the state the live engine had
 * at some batch boundary at or after the last acknowledged batch:
 *
 * <ul>
 *   <li>{@code AcknowledgedMeansDurable}: recovered sequence >= last acknowledged sequence;
 *   <li>{@code NothingInvented}: every recovered event is byte-for-byte one the engine produced;
 *   <li>{@code BatchesAreAtomic}: the recovered sequence is a batch boundary;
 *   <li>{@code RecoveredEqualsLive}: the recovered checksum is the live checksum at that boundary.
 * </ul>
 * Rerun one seed with {@code -Dledger.seed=N}; run more with {@code -Dledger.seeds=N}.
 */
class LedgerCrashSimulationTest {

  private static final String[] SKUS = {"tee", "mug", "cap", "hat", "bag"};
  private static final String[] LOCATIONS = {"default", "north"};
  private static final JournalConfig JOURNAL = JournalConfig.defaults()
      .withSegmentBytesMax(16 * 1024);

  @Test
  void recoveryKeepsEveryAcknowledgedBatchAndInventsNothing() throws IOException {
    Long only = Long.getLong("ledger.seed");
    int seeds = Integer.getInteger("ledger.seeds", 200);
    long first = only != null ? only : 0;
    long last = only != null ? only : seeds - 1;
    int crashes = 0;
    for (long seed = first; seed <= last; seed++) {
      crashes += runSeed(seed);
    }
    System.out.println("LedgerCrashSimulationTest seeds " + first + ".." + last + ": "
        + crashes + " crashes recovered");
    assertThat(crashes).as("the simulation must actually crash").isGreaterThan(seeds);
  }

  /** History of one seed's run, trimmed back whenever a crash loses unacknowledged batches. */
  private static final class History {
    final TreeMap<Long, Long> checksumAtBoundary = new TreeMap<>();
    final Map<Long, byte[]> produced = new HashMap<>();

    void forgetAfter(long sequence) {
      checksumAtBoundary.tailMap(sequence, false).clear();
      produced.keySet().removeIf(s -> s > sequence);
    }
  }

  private int runSeed(long seed) throws IOException {
    String where = "seed=" + seed + " (rerun with -Dledger.seed=" + seed + ")";
    SplittableRandom random = new SplittableRandom(seed);
    FaultyStorage storage = new FaultyStorage(seed);
    Workload workload = new Workload(random);
    History history = new History();
    history.checksumAtBoundary.put(0L, new io.stockroom.engine.Engine(Limits.DEFAULTS)
        .checksum());
    long acknowledged = 0;
    int crashes = 0;
    Ledger ledger = Ledger.open(storage, JOURNAL, Limits.DEFAULTS);
    for (int round = 0; round < 6; round++) {
      arm(storage, random);
      List<Event> events = new ArrayList<>();
      boolean failed = false;
      for (int batch = 0; batch < 40 && !failed; batch++) {
        events.clear();
        int commands = 1 + random.nextInt(12);
        for (int i = 0; i < commands; i++) {
          ledger.apply(workload.nextTime(), workload.next(), events);
        }
        for (Event event : events) {
          history.produced.put(event.sequence(), EventCodec.encode(event));
        }
        history.checksumAtBoundary.put(ledger.engine().sequence(), ledger.engine().checksum());
        try {
          ledger.commit(events);
          acknowledged = ledger.engine().sequence();
          if (random.nextInt(15) == 0) {
            ledger.snapshot();
          }
        } catch (IOException e) {
          failed = true;
        }
      }
      ledger.close();
      storage.crash();
      crashes++;
      ledger = reopen(storage, where);
      long recovered = ledger.engine().sequence();
      assertThat(recovered).as("AcknowledgedMeansDurable %s", where)
          .isGreaterThanOrEqualTo(acknowledged);
      assertThat(history.checksumAtBoundary.containsKey(recovered)).as("BatchesAreAtomic %s:"
          + " recovered at %d, between batch ends %d and %d", where, recovered,
          history.checksumAtBoundary.floorKey(recovered),
          history.checksumAtBoundary.ceilingKey(recovered)).isTrue();
      assertThat(ledger.engine().checksum()).as("RecoveredEqualsLive %s at %d", where, recovered)
          .isEqualTo(history.checksumAtBoundary.get(recovered));
      checkNothingInvented(ledger, history, where);
      history.forgetAfter(recovered);
      acknowledged = recovered;
      workload.resumeAt(ledger.engine().now());
    }
    ledger.close();
    return crashes;
  }

  /** Power cuts, tears and failing fsyncs at random points of the coming round. */
  private static void arm(FaultyStorage storage, SplittableRandom random) {
    int roll = random.nextInt(10);
    if (roll < 6) {
      storage.crashAfterOperations(1 + random.nextInt(120));
    } else if (roll < 8) {
      storage.failNextSyncs(1);
    }
  }

  /** Recovery itself may be cut by a crash (storage still armed); then it is simply retried. */
  private static Ledger reopen(FaultyStorage storage, String where) throws IOException {
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        return Ledger.open(storage, JOURNAL, Limits.DEFAULTS);
      } catch (IOException e) {
        assertThat(Ledger.isCorruption(e)).as("recovery found corruption %s: %s", where, e)
            .isFalse();
        storage.crash();
      }
    }
    throw new AssertionError("recovery did not succeed in 10 attempts " + where);
  }

  private static void checkNothingInvented(Ledger ledger, History history, String where)
      throws IOException {
    try (JournalReader reader = ledger.journal().read(ledger.journal().firstSequence())) {
      while (reader.next()) {
        assertThat(reader.payload()).as("NothingInvented %s at %d", where, reader.sequence())
            .isEqualTo(history.produced.get(reader.sequence()));
      }
    }
  }

  /** A small checkout workload over a few SKUs: receipts, holds, confirms, releases, counts. */
  private static final class Workload {
    private final SplittableRandom random;
    private final List<String> holds = new ArrayList<>();
    private long time = 1_700_000_000_000L;
    private boolean defined;
    private int nextHold;

    Workload(SplittableRandom random) {
      this.random = random;
    }

    long nextTime() {
      time += random.nextInt(10) == 0 ? random.nextInt(20_000) : random.nextInt(20);
      return time;
    }

    void resumeAt(long recoveredNow) {
      time = Math.max(time, recoveredNow);
      defined = false; // items may have been lost with an unacknowledged batch
    }

    Command next() {
      if (!defined) {
        defined = true;
        return new Command.DefineItem(SKUS[random.nextInt(SKUS.length)], "item", "cat");
      }
      String sku = SKUS[random.nextInt(SKUS.length)];
      String location = LOCATIONS[random.nextInt(LOCATIONS.length)];
      int roll = random.nextInt(100);
      if (roll < 10) {
        return new Command.DefineItem(sku, "item " + sku, "cat");
      }
      if (roll < 30) {
        return new Command.Receive(sku, location, 1 + random.nextInt(20), "delivery");
      }
      if (roll < 60) {
        String id = "h" + nextHold++;
        holds.add(id);
        List<HoldLine> lines = random.nextInt(4) == 0
            ? List.of(new HoldLine(sku, location, 1), new HoldLine(SKUS[(random.nextInt(4) + 1
                + List.of(SKUS).indexOf(sku)) % SKUS.length], location, 2))
            : List.of(new HoldLine(sku, location, 1 + random.nextInt(3)));
        return new Command.Reserve(id, lines, "c", "r", 1_000 + random.nextInt(10_000));
      }
      String hold = holds.isEmpty() ? "none" : holds.get(random.nextInt(holds.size()));
      if (roll < 75) {
        return new Command.Confirm(hold);
      }
      if (roll < 85) {
        return new Command.Release(hold);
      }
      if (roll < 90) {
        return new Command.Adjust(sku, location, random.nextInt(10), -1, "count");
      }
      if (roll < 95) {
        return new Command.Fulfil(sku, location, 1, "ship");
      }
      return new Command.Tick();
    }
  }
}
