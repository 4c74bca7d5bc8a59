package io.stockroom.server.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.HoldView;
import io.stockroom.engine.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The read view's holds against the engine that produced their events. */
class ReadViewHoldsTest {

  private static final String[] SKUS = {"tee", "mug", "cap"};
  private static final String[] LOCATIONS = {Engine.DEFAULT_LOCATION, "annex"};

  private long time = 1_700_000_000_000L;

  private static Limits retaining(int resolvedMax) {
    Limits d = Limits.DEFAULTS;
    return new Limits(d.identifierLengthMax(), d.nameLengthMax(), d.textLengthMax(),
        d.quantityMax(), d.linesPerHoldMax(), d.locationsPerItemMax(), d.itemsMax(),
        d.holdsActiveMax(), resolvedMax, d.holdTimeoutMillisMin(), d.holdTimeoutMillisMax(),
        d.expiriesPerCommandMax(), d.idempotencyKeysMax(), d.idempotencyWindowMillis(),
        1_000_000, 1_000_000_000);
  }

  private List<Event> apply(Engine engine, Command command) {
    List<Event> events = new ArrayList<>();
    engine.apply(time, command, events);
    return events;
  }

  private Engine stocked(Limits limits) {
    Engine engine = new Engine(limits);
    for (String sku : SKUS) {
      apply(engine, new Command.DefineItem(sku, sku, "test"));
      for (String location : LOCATIONS) {
        apply(engine, new Command.Receive(sku, location, 100_000_000, null));
      }
    }
    return engine;
  }

  private static void assertSame(ReadView view, Engine engine, List<String> ids, String why) {
    int engineHolds = 0;
    for (String id : ids) {
      HoldView expected = engine.hold(id);
      ReadView.Hold actual = view.hold(id);
      if (expected == null) {
        assertThat(actual).as("%s: %s is forgotten", why, id).isNull();
        continue;
      }
      engineHolds++;
      assertThat(actual).as("%s: %s", why, id).isNotNull();
      assertThat(new HoldView(actual.id(), actual.state(), actual.lines(), actual.customer(),
          actual.reference(), actual.expiresAt())).as("%s", why).isEqualTo(expected);
    }
    assertThat(view.holdCount()).as("%s: holds kept", why).isEqualTo(engineHolds);
  }

  /**
   * Seeded random reservations, confirmations, releases, fulfilments, extensions and expiries:
   * after every batch the view has exactly the holds the engine keeps (forgetting resolved
   * ones in the same order, past the same retention) with the same fields, and a view made
   * from the engine afresh agrees with the one kept up to date.
   */
  @Test
  void keepsExactlyTheHoldsTheEngineKeeps() {
    long seed = System.nanoTime();
    System.out.println("ReadViewHoldsTest seed " + seed);
    Random random = new Random(seed);
    Engine engine = stocked(retaining(40));
    ReadView view = ReadView.of(engine);
    List<String> ids = new ArrayList<>();
    for (int batch = 0; batch < 600; batch++) {
      List<Event> events = new ArrayList<>();
      for (int c = 0; c < 1 + random.nextInt(8); c++) {
        int op = random.nextInt(10);
        if (op < 4 || ids.isEmpty()) {
          String id = random.nextInt(4) == 0 ? "hold-ü-" + ids.size() : "h" + ids.size();
          ids.add(id);
          List<HoldLine> lines = new ArrayList<>();
          for (int l = 0; l < 1 + random.nextInt(3); l++) {
            lines.add(new HoldLine(SKUS[l], LOCATIONS[random.nextInt(2)], 1 + random.nextInt(5)));
          }
          String customer = random.nextBoolean() ? null : "customer-" + random.nextInt(50);
          String reference = random.nextBoolean() ? null : "order ✓" + random.nextInt(1000);
          engine.apply(time, new Command.Reserve(id, lines, customer, reference,
              1_000L + random.nextInt(20_000)), events);
        } else {
          String id = ids.get(random.nextInt(ids.size()));
          Command command = switch (op) {
            case 4, 5 -> new Command.Confirm(id);
            case 6 -> new Command.Release(id);
            case 7 -> new Command.FulfilHold(id);
            case 8 -> new Command.Extend(id, 5_000L + random.nextInt(10_000));
            default -> new Command.Release("missing-" + id);
          };
          engine.apply(time, command, events);
        }
      }
      time += random.nextInt(1_500); // holds fall due and expire inside later commands
      view.onDurable(events, engine.sequence());
      assertSame(view, engine, ids, "seed " + seed + ", batch " + batch);
    }
    assertSame(ReadView.of(engine), engine, ids, "seed " + seed + ", a fresh view");
  }

  /**
   * Readers look up holds while the writer reserves and releases others, growing and
   * shrinking the index: a hold that is there all along is always found, whole, and a hold
   * that comes and goes is either absent or whole.
   */
  @Test
  void readersSeeWholeHoldsWhileTheWriterChurns() throws Exception {
    Engine engine = stocked(retaining(2_000));
    List<String> steady = new ArrayList<>();
    List<Event> initial = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      steady.add("steady-" + i);
      engine.apply(time, new Command.Reserve("steady-" + i,
          List.of(new HoldLine("tee", Engine.DEFAULT_LOCATION, 1 + i % 7)), "c" + i, null,
          3_600_000L), initial);
    }
    ReadView view = ReadView.of(engine);
    int churned = 60_000;
    AtomicBoolean done = new AtomicBoolean();
    CountDownLatch go = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      List<Future<Long>> readers = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        int reader = r;
        readers.add(pool.submit(() -> {
          go.await();
          Random random = new Random(reader);
          long reads = 0;
          while (!done.get() || reads < 10_000) {
            int i = random.nextInt(500);
            ReadView.Hold hold = view.hold("steady-" + i);
            assertThat(hold).as("steady-%d", i).isNotNull();
            assertThat(hold.lines()).containsExactly(
                new HoldLine("tee", Engine.DEFAULT_LOCATION, 1 + i % 7));
            assertThat(hold.customer()).isEqualTo("c" + i);
            String other = "churn-" + random.nextInt(churned);
            ReadView.Hold churn = view.hold(other);
            if (churn != null) {
              assertThat(churn.id()).isEqualTo(other);
              assertThat(churn.lines()).containsExactly(
                  new HoldLine("mug", Engine.DEFAULT_LOCATION, 2));
            }
            reads++;
          }
          return reads;
        }));
      }
      Future<?> writer = pool.submit(() -> {
        go.await();
        try {
          for (int i = 0; i < churned; i++) {
            List<Event> events = new ArrayList<>();
            engine.apply(time, new Command.Reserve("churn-" + i,
                List.of(new HoldLine("mug", Engine.DEFAULT_LOCATION, 2)), null, null,
                3_600_000L), events);
            if (i >= 100) {
              engine.apply(time, new Command.Release("churn-" + (i - 100)), events);
            }
            view.onDurable(events, engine.sequence());
          }
        } finally {
          done.set(true);
        }
        return null;
      });
      go.countDown();
      writer.get(60, TimeUnit.SECONDS);
      for (Future<Long> reader : readers) {
        assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
      }
    }
    List<String> all = new ArrayList<>(steady);
    for (int i = 0; i < churned; i++) {
      all.add("churn-" + i);
    }
    assertSame(view, engine, all, "after the churn");
  }
}
