package io.stockroom.server.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.HoldState;
import io.stockroom.engine.Limits;
import io.stockroom.engine.Rejection;
import io.stockroom.journal.FaultyStorage;
import io.stockroom.journal.JournalConfig;
import io.stockroom.server.read.ReadView;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The writer's linger in a running sequencer. The pause is the test's: it runs on the writer
 * thread while the writer waits, and decides what arrives meanwhile, so every batch's makeup is
 * known. The maximum is a minute: a linger that failed to stop would time the test out.
 */
class SequencerLingerTest {

  private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private final List<Integer> batches = new CopyOnWriteArrayList<>();
  private final List<Long> lingers = new CopyOnWriteArrayList<>();
  private final AtomicInteger pauses = new AtomicInteger();
  /** What the pause does on each call, given how many calls came before (0 for the first). */
  private volatile java.util.function.IntConsumer whilePaused = call -> { };
  private final List<CompletableFuture<Sequencer.Outcome>> arrived = new CopyOnWriteArrayList<>();
  private Ledger ledger;
  private Sequencer sequencer;
  private ReadView view;

  private final SequencerMetrics metrics = new SequencerMetrics() {
    @Override
    public void batch(int commands, int events, long commitNanos) {
      batches.add(commands);
    }

    @Override
    public void rejectedOverload() {}

    @Override
    public void lingered(long nanos) {
      lingers.add(nanos);
    }
  };

  /**
   * A sequencer whose first batch is {@code first} (queued before the writer starts, so taken
   * together), already durable when this returns. Four commands make the average batch two,
   * the least that lingers.
   */
  private void start(int batchCommandsMax, Command... first) throws Exception {
    start(batchCommandsMax, true, first);
  }

  /** As above; {@code cpuShort}: whether the process used all of its processor meanwhile. */
  private void start(int batchCommandsMax, boolean cpuShort, Command... first)
      throws Exception {
    ledger = Ledger.open(new FaultyStorage(7), JournalConfig.defaults(), Limits.DEFAULTS);
    view = ReadView.of(ledger.engine());
    // One processor, and CPU time that is wall time (all of it used) or stands still (none).
    Linger linger = new Linger(MINUTE_NANOS, System::nanoTime,
        nanos -> whilePaused.accept(pauses.getAndIncrement()),
        cpuShort ? System::nanoTime : () -> 0, 1);
    sequencer = new Sequencer(ledger, clock::get,
        new Sequencer.Settings(10_000, batchCommandsMax, 1_000_000), List.of(view), metrics,
        (thread, error) -> fatal.set(error), linger);
    List<CompletableFuture<Sequencer.Outcome>> queued = new ArrayList<>();
    for (Command command : first) {
      queued.add(sequencer.submit(command));
    }
    sequencer.start();
    for (CompletableFuture<Sequencer.Outcome> future : queued) {
      assertThat(future.get(30, TimeUnit.SECONDS).result().accepted()).isTrue();
    }
    assertThat(batches).containsExactly(first.length);
  }

  @AfterEach
  void stop() throws Exception {
    if (sequencer != null) {
      sequencer.close();
      ledger.close();
    }
    assertThat(fatal.get()).isNull();
  }

  private static Command define(String sku) {
    return new Command.DefineItem(sku, sku, "test");
  }

  private static Command receive(String sku, int units) {
    return new Command.Receive(sku, Engine.DEFAULT_LOCATION, units, null);
  }

  private static Command reserve(String id, long ttlMillis) {
    return new Command.Reserve(id, List.of(new HoldLine("tee", Engine.DEFAULT_LOCATION, 1)),
        null, null, ttlMillis);
  }

  private Sequencer.Outcome run(Command command) throws Exception {
    return sequencer.submit(command).get(30, TimeUnit.SECONDS);
  }

  @Test
  void aLoneCommandAfterALoneCommandIsTakenAtOnce() throws Exception {
    start(512, define("tee"));

    assertThat(run(receive("tee", 5)).result().accepted()).isTrue();
    assertThat(run(reserve("h1", 60_000)).result().accepted()).isTrue();

    assertNoBatchWaited(1, 1, 1);
  }

  @Test
  void afterABatchWithCompanyTheNextWaitsWhileCommandsArriveAndGoesAtTheFirstQuietSlice()
      throws Exception {
    start(512, define("tee"), receive("tee", 10), define("cap"), receive("cap", 10));
    whilePaused = call -> {
      if (call < 3) { // three slices bring a buyer each, the fourth nobody
        arrived.add(sequencer.submit(reserve("late-" + call, 60_000)));
      }
    };

    Sequencer.Outcome first = run(reserve("first", 60_000));

    assertThat(pauses).hasValue(4);
    assertThat(batches).containsExactly(4, 4);
    assertThat(lingers).hasSize(1);
    assertThat(first.result().accepted()).isTrue();
    for (CompletableFuture<Sequencer.Outcome> late : arrived) {
      Sequencer.Outcome outcome = late.get(30, TimeUnit.SECONDS);
      assertThat(outcome.result().accepted()).isTrue();
      assertThat(outcome.sequence()).isEqualTo(first.sequence()); // one batch, one fsync
    }
  }

  @Test
  void withCpuToSpareNoBatchWaits() throws Exception {
    start(512, false, define("tee"), receive("tee", 10), define("cap"), receive("cap", 10));
    whilePaused = call -> arrived.add(sequencer.submit(reserve("late-" + call, 60_000)));

    assertThat(run(reserve("first", 60_000)).result().accepted()).isTrue();
    assertThat(run(reserve("second", 60_000)).result().accepted()).isTrue();

    assertNoBatchWaited(4, 1, 1);
  }

  /** The writer never paused, and took batches of these sizes. */
  private void assertNoBatchWaited(Integer... commandsPerBatch) {
    assertThat(pauses).hasValue(0);
    assertThat(lingers).isEmpty();
    assertThat(batches).containsExactly(commandsPerBatch);
  }

  @Test
  void aBatchThatFillsUpGoesAtOnceWhileCommandsStillArrive() throws Exception {
    start(8, define("tee"), receive("tee", 100), define("cap"), receive("cap", 10));
    whilePaused = call -> arrived.add(sequencer.submit(reserve("late-" + call, 60_000)));

    assertThat(run(reserve("first", 60_000)).result().accepted()).isTrue();

    assertThat(pauses).hasValue(7); // the first and 7 queued make batchCommandsMax
    assertThat(batches).containsExactly(4, 8);
    assertThat(arrived).hasSize(7);
  }

  @Test
  void theBatchTimeIsTakenAfterTheWaitSoAHoldDueMeanwhileIsNotConfirmed() throws Exception {
    start(512, define("tee"), receive("tee", 5), reserve("h1", 1_000), define("cap"));
    whilePaused = call -> clock.addAndGet(2_000); // h1 falls due while the writer waits

    Sequencer.Outcome confirm = run(new Command.Confirm("h1"));

    assertThat(pauses).hasValue(1);
    assertThat(confirm.result().rejection()).isEqualTo(Rejection.HOLD_EXPIRED);
    assertThat(view.hold("h1").state()).isEqualTo(HoldState.EXPIRED);
  }
}
