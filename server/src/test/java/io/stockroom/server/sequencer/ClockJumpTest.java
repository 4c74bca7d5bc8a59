package io.stockroom.server.sequencer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.HoldState;
import io.stockroom.engine.Limits;
import io.stockroom.journal.FaultyStorage;
import io.stockroom.journal.JournalConfig;
import io.stockroom.server.read.ReadView;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The wall clock jumps under the running writer (its own thread, its own idle timer). The
 * semantics, documented in docs/RELIABILITY.md: the service's time is the wall clock
 * made monotonic, {@code time = max(last time, wall clock)}, also across restarts.
 *
 * <ul>
 *   <li>Backward: service time holds still until the wall clock passes it again. Nothing
 *       expires early, no deadline moves, new deadlines count from the held time, and the order
 *       of expiry is the order of deadlines.
 *   <li>Forward: it is time passing. Exactly the holds whose deadline the jump passed expire, at
 *       once, in deadline order, none before its deadline.
 * </ul>
 */
class ClockJumpTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long HOUR = 3_600_000;
  private final AtomicLong clock = new AtomicLong(T0);
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  /** Every durable event, in order, as a stream subscriber sees them. */
  private final List<Event> durable = new CopyOnWriteArrayList<>();
  private FaultyStorage storage = new FaultyStorage(11);
  private Ledger ledger;
  private Sequencer sequencer;
  private ReadView view;

  private void start(Limits limits) throws Exception {
    ledger = Ledger.open(storage, JournalConfig.defaults(), limits);
    view = ReadView.of(ledger.engine());
    sequencer = new Sequencer(ledger, clock::get, new Sequencer.Settings(1_000, 64, 1_000_000),
        List.of(view, (events, sequence) -> durable.addAll(events)), SequencerMetrics.NONE,
        (thread, error) -> fatal.set(error));
    sequencer.start();
  }

  private void stop() throws Exception {
    sequencer.close();
    ledger.close();
    sequencer = null;
  }

  @AfterEach
  void noFatalError() throws Exception {
    if (sequencer != null) {
      stop();
    }
    assertThat(fatal.get()).isNull();
  }

  private Sequencer.Outcome run(Command command) {
    return sequencer.submit(command).join();
  }

  private void reserve(String id, long ttlMillis) {
    assertThat(run(new Command.Reserve(id, List.of(new HoldLine("tee", Engine.DEFAULT_LOCATION,
        1)), null, null, ttlMillis)).result().accepted()).isTrue();
  }

  /**
   * A command the writer must answer: every hold due at the time it stamps has expired by
   * then (each command sweeps first), so what is still active after it was not due.
   */
  private void syncWithWriter() {
    assertThat(run(new Command.Release("no-such-hold")).result().accepted()).isFalse();
  }

  private List<String> expiredInOrder() {
    return durable.stream().filter(e -> e instanceof Event.HoldExpired)
        .map(e -> ((Event.HoldExpired) e).holdId()).toList();
  }

  /** NoHoldExpiresEarly: every expiry happened at or after the hold's deadline. */
  private void assertNoneExpiredEarly() {
    for (Event event : durable) {
      if (event instanceof Event.HoldExpired expired) {
        assertThat(expired.time()).as("expiry of %s", expired.holdId())
            .isGreaterThanOrEqualTo(view.hold(expired.holdId()).expiresAt());
      }
    }
  }

  @Test
  void backwardJumpMovesNoDeadlineExpiresNothingEarlyAndKeepsTheirOrder() throws Exception {
    start(Limits.DEFAULTS);
    run(new Command.DefineItem("tee", "tee", "test"));
    run(new Command.Receive("tee", Engine.DEFAULT_LOCATION, 10, null));
    reserve("a", 10_000);
    reserve("b", 20_000);

    clock.set(T0 - HOUR); // NTP steps the clock an hour back
    reserve("c", 5_000);
    assertThat(run(new Command.Extend("a", 30_000)).result().accepted()).isTrue();

    // Deadlines count from the held service time, not from the wall clock an hour behind.
    assertThat(view.hold("a").expiresAt()).isEqualTo(T0 + 30_000);
    assertThat(view.hold("b").expiresAt()).isEqualTo(T0 + 20_000);
    assertThat(view.hold("c").expiresAt()).isEqualTo(T0 + 5_000);
    clock.set(T0 - 1); // the wall clock catches up, almost
    syncWithWriter();
    assertThat(expiredInOrder()).isEmpty();

    clock.set(T0 + 5_000);
    await().atMost(Duration.ofSeconds(10)).until(() -> expiredInOrder().size() == 1);
    syncWithWriter();
    assertThat(expiredInOrder()).containsExactly("c");
    clock.set(T0 + 20_000);
    await().atMost(Duration.ofSeconds(10)).until(() -> expiredInOrder().size() == 2);
    syncWithWriter();
    assertThat(expiredInOrder()).containsExactly("c", "b");
    clock.set(T0 + 30_000);
    await().atMost(Duration.ofSeconds(10)).until(() -> expiredInOrder().size() == 3);

    assertThat(expiredInOrder()).containsExactly("c", "b", "a");
    assertNoneExpiredEarly();
    assertTimeNeverRanBackward();
    assertThat(view.item("tee").level(Engine.DEFAULT_LOCATION).available()).isEqualTo(10);
  }

  @Test
  void forwardJumpExpiresExactlyTheHoldsItPassedInDeadlineOrder() throws Exception {
    start(Limits.DEFAULTS);
    run(new Command.DefineItem("tee", "tee", "test"));
    run(new Command.Receive("tee", Engine.DEFAULT_LOCATION, 10, null));
    // Created out of deadline order, so creation order cannot pass for deadline order.
    reserve("due-15s", 15_000);
    reserve("due-5s", 5_000);
    reserve("due-1h", HOUR);
    reserve("due-10s", 10_000);
    reserve("due-20s", 20_000);

    clock.addAndGet(12_000); // the clock steps 12 s forward: that much time has passed
    await().atMost(Duration.ofSeconds(10)).until(() -> expiredInOrder().size() == 2);
    syncWithWriter();

    assertThat(expiredInOrder()).containsExactly("due-5s", "due-10s");
    for (String stillHeld : List.of("due-15s", "due-20s", "due-1h")) {
      assertThat(view.hold(stillHeld).state()).as(stillHeld).isEqualTo(HoldState.ACTIVE);
    }
    assertThat(durable.get(durable.size() - 1).time()).isEqualTo(T0 + 12_000);

    clock.addAndGet(24 * HOUR); // a day: everything left is due
    await().atMost(Duration.ofSeconds(10)).until(() -> expiredInOrder().size() == 5);
    assertThat(expiredInOrder()).containsExactly("due-5s", "due-10s", "due-15s", "due-20s",
        "due-1h");
    assertNoneExpiredEarly();
    assertTimeNeverRanBackward();
  }

  @Test
  void holdsFallingDueTogetherExpireInDeadlineOrderAcrossBoundedSweeps() throws Exception {
    Limits d = Limits.DEFAULTS;
    Limits sweepOfThree = new Limits(d.identifierLengthMax(), d.nameLengthMax(),
        d.textLengthMax(), d.quantityMax(), d.linesPerHoldMax(), d.locationsPerItemMax(),
        d.itemsMax(), d.holdsActiveMax(), d.holdsResolvedRetainedMax(), d.holdTimeoutMillisMin(),
        d.holdTimeoutMillisMax(), 3, d.idempotencyKeysMax(), d.idempotencyWindowMillis(),
        d.customerHoldsActiveMax(), d.customerUnitsHeldMax());
    start(sweepOfThree);
    run(new Command.DefineItem("tee", "tee", "test"));
    run(new Command.Receive("tee", Engine.DEFAULT_LOCATION, 100, null));
    List<String> byDeadline = new java.util.ArrayList<>();
    for (int i = 0; i < 40; i++) {
      long ttl = 1_000 + (i * 7_919L) % 40_000; // scrambled deadlines, all distinct
      reserve("h" + i, ttl);
      byDeadline.add("h" + i);
    }
    byDeadline.sort(java.util.Comparator.comparingLong(id -> view.hold(id).expiresAt()));

    clock.addAndGet(HOUR);
    await().atMost(Duration.ofSeconds(10)).until(() -> expiredInOrder().size() == 40);

    assertThat(expiredInOrder()).isEqualTo(byDeadline);
    assertNoneExpiredEarly();
  }

  @Test
  void restartWithTheClockAnHourBehindExpiresNothingEarlyAndTimeGoesOn() throws Exception {
    start(Limits.DEFAULTS);
    run(new Command.DefineItem("tee", "tee", "test"));
    run(new Command.Receive("tee", Engine.DEFAULT_LOCATION, 10, null));
    reserve("short", 5_000);
    reserve("long", 60_000);
    clock.addAndGet(1_000);
    stop();

    clock.set(T0 - HOUR); // the machine comes back with its clock an hour behind
    start(Limits.DEFAULTS);
    reserve("after", 5_000);
    syncWithWriter();

    assertThat(expiredInOrder()).isEmpty();
    assertThat(view.hold("after").expiresAt()).as("counted from the last recorded time")
        .isEqualTo(T0 + 5_000);
    clock.set(T0 + 5_000);
    await().atMost(Duration.ofSeconds(10)).until(() -> expiredInOrder().size() == 2);
    assertThat(expiredInOrder()).containsExactly("short", "after");
    assertThat(view.hold("long").state()).isEqualTo(HoldState.ACTIVE);
    assertNoneExpiredEarly();
    assertTimeNeverRanBackward();
  }

  private void assertTimeNeverRanBackward() {
    for (int i = 1; i < durable.size(); i++) {
      assertThat(durable.get(i).time()).as("event %d", durable.get(i).sequence())
          .isGreaterThanOrEqualTo(durable.get(i - 1).time());
    }
  }
}
