package io.stockroom.server.sequencer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.HoldState;
import io.stockroom.engine.Limits;
import io.stockroom.engine.Rejection;
import io.stockroom.journal.FaultyStorage;
import io.stockroom.journal.JournalConfig;
import io.stockroom.journal.Storage;
import io.stockroom.server.read.ReadView;
import io.stockroom.server.testing.GatedStorage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SequencerTest {

  private static final JournalConfig JOURNAL = JournalConfig.defaults();
  private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();
  private Ledger ledger;
  private Sequencer sequencer;
  private ReadView view;

  private void start(Storage storage, int queueCapacity) throws Exception {
    ledger = Ledger.open(storage, JOURNAL, Limits.DEFAULTS);
    view = ReadView.of(ledger.engine());
    sequencer = new Sequencer(ledger, clock::get,
        new Sequencer.Settings(queueCapacity, 512, 1_000_000), List.of(view),
        SequencerMetrics.NONE, (thread, error) -> fatal.set(error));
    sequencer.start();
  }

  private void stop() throws Exception {
    sequencer.close();
    ledger.close();
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

  private void stock(String sku, int units) {
    assertThat(run(new Command.DefineItem(sku, sku, "test")).result().accepted()).isTrue();
    assertThat(run(new Command.Receive(sku, Engine.DEFAULT_LOCATION, units, null)).result()
        .accepted()).isTrue();
  }

  private static Command.Reserve reserve(String id, String sku, int quantity, long ttl) {
    return new Command.Reserve(id, List.of(new HoldLine(sku, Engine.DEFAULT_LOCATION, quantity)),
        null, null, ttl);
  }

  @Test
  void lastUnitsGoToExactlyAsManyConcurrentBuyers() throws Exception {
    start(new FaultyStorage(1), 10_000);
    stock("tee", 50);
    int buyers = 400;
    CountDownLatch go = new CountDownLatch(1);
    List<CompletableFuture<Sequencer.Outcome>> outcomes = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<java.util.concurrent.Future<Sequencer.Outcome>> futures = new ArrayList<>();
      for (int i = 0; i < buyers; i++) {
        String id = "buyer-" + i;
        futures.add(pool.submit(() -> {
          go.await();
          return sequencer.submit(reserve(id, "tee", 1, 60_000)).join();
        }));
      }
      go.countDown();
      for (var future : futures) {
        outcomes.add(CompletableFuture.completedFuture(future.get(30, TimeUnit.SECONDS)));
      }
    }
    long won = outcomes.stream().filter(o -> o.join().result().accepted()).count();
    long lost = outcomes.stream()
        .filter(o -> o.join().result().rejection() == Rejection.INSUFFICIENT_STOCK).count();

    assertThat(won).isEqualTo(50);
    assertThat(lost).isEqualTo(buyers - 50);
    ReadView.Level level = view.item("tee").level(Engine.DEFAULT_LOCATION);
    assertThat(level.available()).isZero();
    assertThat(level.reserved()).isEqualTo(50);
  }

  @Test
  void outcomeCarriesTheCommandsEventsAndTheViewAlreadyShowsThem() throws Exception {
    start(new FaultyStorage(2), 100);
    stock("tee", 5);

    Sequencer.Outcome outcome = run(reserve("h1", "tee", 2, 60_000));

    assertThat(outcome.events()).singleElement().isInstanceOf(Event.HoldReserved.class);
    assertThat(outcome.sequence()).isEqualTo(outcome.events().get(0).sequence());
    assertThat(view.sequence()).isGreaterThanOrEqualTo(outcome.sequence());
    assertThat(view.hold("h1").state()).isEqualTo(HoldState.ACTIVE);
    assertThat(sequencer.durableSequence()).isEqualTo(outcome.sequence());
  }

  @Test
  void failedFsyncAcknowledgesNothingAndStopsWrites() throws Exception {
    FaultyStorage storage = new FaultyStorage(3);
    start(storage, 100);
    stock("tee", 5);
    long durable = sequencer.durableSequence();
    storage.failNextSyncs(1);

    CompletableFuture<Sequencer.Outcome> failed = sequencer.submit(reserve("h1", "tee", 1,
        60_000));

    assertThatThrownBy(failed::join).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(WritesUnavailableException.class);
    await().atMost(Duration.ofSeconds(10)).until(() -> !sequencer.writable());
    assertThatThrownBy(() -> run(reserve("h2", "tee", 1, 60_000)))
        .hasCauseInstanceOf(WritesUnavailableException.class);
    assertThat(view.sequence()).isEqualTo(durable); // readers never saw the failed batch
    assertThat(fatal.get()).isNull(); // a journal failure is fail-stop for writes, not a crash
    stop();
    sequencer = null;

    storage.crash();
    Ledger recovered = Ledger.open(storage, JOURNAL, Limits.DEFAULTS);
    assertThat(recovered.engine().sequence()).isGreaterThanOrEqualTo(durable);
    assertThat(recovered.engine().level("tee", Engine.DEFAULT_LOCATION).onHand()).isEqualTo(5);
    recovered.close();
  }

  /**
   * A submit that passed its checks just as the writer stopped (journal failure or close) must
   * still be answered: before the fix its command could land in the queue after the writer's
   * last drain and wait forever.
   */
  @Test
  void everySubmissionIsAnsweredWhenTheWriterStopsUnderConcurrentLoad() throws Exception {
    for (int round = 0; round < 12; round++) {
      FaultyStorage storage = new FaultyStorage(100 + round);
      start(storage, 64);
      stock("tee", 1_000_000);
      java.util.Queue<CompletableFuture<Sequencer.Outcome>> futures =
          new java.util.concurrent.ConcurrentLinkedQueue<>();
      try (ExecutorService submitters = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int t = 0; t < 4; t++) {
          String prefix = "r" + round + "-t" + t + "-";
          submitters.submit(() -> submitUntilRefused(prefix, futures));
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2))
            .until(() -> futures.size() > 100);
        if (round % 2 == 0) {
          storage.failAllSyncs();
        } else {
          sequencer.close();
        }
      } // the submitters end once a submit is refused on the spot
      await().atMost(Duration.ofSeconds(10))
          .until(() -> futures.stream().allMatch(CompletableFuture::isDone));
      assertThat(sequencer.writable()).isFalse();
      stop();
      sequencer = null;
    }
  }

  private void submitUntilRefused(String prefix,
      java.util.Queue<CompletableFuture<Sequencer.Outcome>> futures) {
    for (int i = 0; ; i++) {
      try {
        CompletableFuture<Sequencer.Outcome> future = sequencer.submit(
            reserve(prefix + i, "tee", 1, 60_000));
        futures.add(future);
        if (future.isCompletedExceptionally()) {
          return;
        }
      } catch (OverloadedException e) {
        Thread.yield(); // the queue is full: let the writer make room
      }
    }
  }

  /**
   * With the disk stalled, the writer may apply a few batches ahead of it (the pipeline), then
   * waits; the queue in front of it fills and refuses at once. Nothing grows without bound, and
   * once the disk moves again every command taken is answered.
   */
  @Test
  void fullQueueIsRefusedAtOnceAndServiceRecovers() throws Exception {
    GatedStorage storage = new GatedStorage(new FaultyStorage(4));
    int queueCapacity = 8;
    int batchCommandsMax = 512; // as start() sets it
    start(storage, queueCapacity);
    stock("tee", 100_000);
    storage.close(); // the next fsync waits at the gate
    List<CompletableFuture<Sequencer.Outcome>> taken = new ArrayList<>();
    taken.add(sequencer.submit(reserve("first", "tee", 1, 60_000)));
    storage.syncsWaiting.acquire(); // the syncer is inside the fsync of "first"
    // At most: the queue, the batch the writer holds, and the batches handed to the syncer.
    int bound = queueCapacity + (Sequencer.BATCHES_IN_FLIGHT + 1) * batchCommandsMax;
    OverloadedException refused = null;
    try {
      for (int i = 0; i <= bound && refused == null; i++) {
        try {
          taken.add(sequencer.submit(reserve("q" + i, "tee", 1, 60_000)));
        } catch (OverloadedException e) {
          refused = e;
        }
      }
      assertThat(taken).as("nothing is answered before it is durable")
          .noneMatch(CompletableFuture::isDone);
    } finally {
      storage.open(); // also after a failed assertion: the writer must not stay stuck
    }

    assertThat(refused).as("refused before %d commands were taken", bound).isNotNull();
    for (CompletableFuture<Sequencer.Outcome> future : taken) {
      assertThat(future.get(10, TimeUnit.SECONDS).result().accepted()).isTrue();
    }
    assertThat(run(reserve("after", "tee", 1, 60_000)).result().accepted()).isTrue();
  }

  /**
   * The pipeline: the writer applies the next batch while the previous one syncs, but its
   * answers wait. A refusal that only exists because the batch before it took the last unit
   * must not reach the buyer before that batch is durable.
   */
  @Test
  void aRefusalBehindAStalledBatchWaitsForThatBatch() throws Exception {
    GatedStorage storage = new GatedStorage(new FaultyStorage(12));
    start(storage, 100);
    stock("tee", 1);
    long handedOff = sequencer.batchesHandedOff();
    storage.close();
    CompletableFuture<Sequencer.Outcome> winner;
    CompletableFuture<Sequencer.Outcome> loser;
    try {
      winner = sequencer.submit(reserve("winner", "tee", 1, 60_000));
      storage.syncsWaiting.acquire(); // the winner's batch is inside its fsync
      loser = sequencer.submit(reserve("loser", "tee", 1, 60_000));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> sequencer.batchesHandedOff() == handedOff + 2); // the loser's applied

      assertThat(winner).isNotDone();
      assertThat(loser).as("refused, but only once the winner's batch is durable").isNotDone();
    } finally {
      storage.open();
    }

    Sequencer.Outcome won = winner.get(10, TimeUnit.SECONDS);
    Sequencer.Outcome lost = loser.get(10, TimeUnit.SECONDS);
    assertThat(won.result().accepted()).isTrue();
    assertThat(lost.result().rejection()).isEqualTo(Rejection.INSUFFICIENT_STOCK);
    assertThat(lost.sequence()).as("the refusal reflects the winner's batch")
        .isEqualTo(won.sequence());
  }

  /**
   * A batch applied behind one whose fsync fails is refused too, though its own events never
   * reached the journal's write: the engine is ahead of the disk, so nothing may be answered.
   */
  @Test
  void aFailedFsyncAlsoRefusesTheBatchAppliedBehindIt() throws Exception {
    FaultyStorage disk = new FaultyStorage(13);
    GatedStorage storage = new GatedStorage(disk);
    start(storage, 100);
    stock("tee", 5);
    long durable = sequencer.durableSequence();
    long handedOff = sequencer.batchesHandedOff();
    storage.close();
    CompletableFuture<Sequencer.Outcome> first;
    CompletableFuture<Sequencer.Outcome> behind;
    try {
      first = sequencer.submit(reserve("first", "tee", 1, 60_000));
      storage.syncsWaiting.acquire();
      behind = sequencer.submit(reserve("behind", "tee", 1, 60_000));
      await().atMost(Duration.ofSeconds(10))
          .until(() -> sequencer.batchesHandedOff() == handedOff + 2);
      disk.failNextSyncs(1); // the fsync waiting at the gate fails once let through
    } finally {
      storage.open();
    }

    for (CompletableFuture<Sequencer.Outcome> refused : List.of(first, behind)) {
      assertThatThrownBy(() -> refused.get(10, TimeUnit.SECONDS))
          .hasCauseInstanceOf(WritesUnavailableException.class);
    }
    assertThat(sequencer.writable()).isFalse();
    assertThat(view.sequence()).isEqualTo(durable);
    assertThat(fatal.get()).isNull();
    stop();
    sequencer = null;

    Ledger recovered = Ledger.open(disk, JOURNAL, Limits.DEFAULTS);
    try {
      assertThat(recovered.engine().sequence()).isEqualTo(durable);
      assertThat(recovered.engine().hold("behind")).isNull();
    } finally {
      recovered.close();
    }
  }

  @Test
  void holdsExpireOnTimeWithNoOtherTraffic() throws Exception {
    start(new FaultyStorage(5), 100);
    stock("tee", 3);
    run(reserve("h1", "tee", 2, 1_000));

    clock.addAndGet(1_000);

    await().atMost(Duration.ofSeconds(10))
        .until(() -> view.hold("h1").state() == HoldState.EXPIRED);
    assertThat(view.item("tee").level(Engine.DEFAULT_LOCATION).available()).isEqualTo(3);
  }

  @Test
  void restartRecoversTheAcknowledgedStateAndExpiresWhatFellDueWhileDown() throws Exception {
    FaultyStorage storage = new FaultyStorage(6);
    start(storage, 100);
    stock("tee", 10);
    run(reserve("short", "tee", 2, 5_000));
    run(reserve("long", "tee", 3, 3_600_000));
    run(new Command.Confirm("long"));
    long checksum = ledger.engine().checksum();
    stop();
    sequencer = null;

    Ledger reopened = Ledger.open(storage, JOURNAL, Limits.DEFAULTS);
    assertThat(reopened.engine().checksum()).isEqualTo(checksum);
    reopened.close();

    clock.addAndGet(60_000); // the service was down for a minute
    start(storage, 100);
    await().atMost(Duration.ofSeconds(10))
        .until(() -> view.hold("short").state() == HoldState.EXPIRED);
    assertThat(view.hold("long").state()).isEqualTo(HoldState.CONFIRMED);
    assertThat(view.item("tee").level(Engine.DEFAULT_LOCATION).available()).isEqualTo(7);
  }

  @Test
  void clockSteppingBackNeverMovesTimeBack() throws Exception {
    start(new FaultyStorage(7), 100);
    stock("tee", 3);
    Sequencer.Outcome first = run(reserve("h1", "tee", 1, 10_000));
    long reservedAt = first.events().get(0).time();

    clock.addAndGet(-3_600_000);
    Sequencer.Outcome second = run(reserve("h2", "tee", 1, 10_000));

    assertThat(second.events().get(0).time()).isGreaterThanOrEqualTo(reservedAt);
    assertThat(view.hold("h2").expiresAt()).isGreaterThanOrEqualTo(reservedAt + 10_000);
  }

  @Test
  void startReturnsOnlyOnceTheHoldsDueWhileDownAreExpired() throws Exception {
    FaultyStorage storage = new FaultyStorage(8);
    start(storage, 100);
    stock("tee", 10);
    run(reserve("short", "tee", 4, 5_000));
    stop();
    sequencer = null;

    clock.addAndGet(60_000); // down for a minute: "short" fell due meanwhile
    start(storage, 100);

    // No waiting: a service that answers must never show an overdue hold as active.
    assertThat(view.hold("short").state()).isEqualTo(HoldState.EXPIRED);
    assertThat(view.item("tee").level(Engine.DEFAULT_LOCATION).available()).isEqualTo(10);
  }

  @Test
  void gracefulStopLeavesASnapshotSoTheNextStartReplaysNothing() throws Exception {
    FaultyStorage storage = new FaultyStorage(9);
    start(storage, 100);
    stock("tee", 10);
    long last = run(reserve("h1", "tee", 1, 60_000)).sequence();
    stop();
    sequencer = null;

    Ledger reopened = Ledger.open(storage, JOURNAL, Limits.DEFAULTS);
    try {
      assertThat(reopened.recovered().snapshotSequence()).isEqualTo(last);
      assertThat(reopened.recovered().eventsReplayed()).isZero();
    } finally {
      reopened.close();
    }
  }

  @Test
  void aStateTooBigToSnapshotIsSkippedAndNeitherWritesNorTheStopFail() throws Exception {
    FaultyStorage storage = new FaultyStorage(11);
    JournalConfig tiny = new JournalConfig(JOURNAL.segmentBytesMax(), JOURNAL.batchRecordsMax(),
        JOURNAL.recordPayloadBytesMax(), JOURNAL.writeBufferBytes(), JOURNAL.readBufferBytes(),
        JOURNAL.snapshotsRetained(), 64); // any real state is bigger
    ledger = Ledger.open(storage, tiny, Limits.DEFAULTS);
    view = ReadView.of(ledger.engine());
    sequencer = new Sequencer(ledger, clock::get, new Sequencer.Settings(100, 512, 2),
        List.of(view), SequencerMetrics.NONE, (thread, error) -> fatal.set(error));
    sequencer.start();
    stock("tee", 10); // 2 events: a snapshot is due, and too big
    long last = run(reserve("h1", "tee", 1, 60_000)).sequence();
    assertThat(sequencer.writable()).isTrue();
    stop(); // would snapshot at the stop, too big again
    sequencer = null;

    Ledger reopened = Ledger.open(storage, tiny, Limits.DEFAULTS);
    try {
      assertThat(reopened.recovered().snapshotSequence()).isZero();
      assertThat(reopened.engine().sequence()).isEqualTo(last);
    } finally {
      reopened.close();
    }
  }

  @Test
  void replayedEventsCountTowardTheNextSnapshot() throws Exception {
    FaultyStorage storage = new FaultyStorage(10);
    // As if killed: 6 events committed, no snapshot, no graceful stop.
    Ledger killed = Ledger.open(storage, JOURNAL, Limits.DEFAULTS);
    List<Event> events = new ArrayList<>();
    killed.apply(clock.get(), new Command.DefineItem("tee", "tee", "test"), events);
    for (int i = 0; i < 5; i++) {
      killed.apply(clock.get(), new Command.Receive("tee", Engine.DEFAULT_LOCATION, 1, null),
          events);
    }
    killed.commit(events);
    killed.close();

    ledger = Ledger.open(storage, JOURNAL, Limits.DEFAULTS);
    assertThat(ledger.recovered().eventsReplayed()).isEqualTo(6);
    view = ReadView.of(ledger.engine());
    sequencer = new Sequencer(ledger, clock::get, new Sequencer.Settings(100, 512, 10),
        List.of(view), SequencerMetrics.NONE, (thread, error) -> fatal.set(error));
    sequencer.start();
    for (int i = 0; i < 4; i++) { // 6 replayed + 4 = 10: a snapshot is due, not at 16
      run(new Command.Receive("tee", Engine.DEFAULT_LOCATION, 1, null));
    }

    // Written right after the batch's answers, on the writer thread.
    await().atMost(Duration.ofSeconds(10))
        .until(() -> storage.list().contains(String.format("%020d.snapshot", 10)));
  }

  @Test
  void everySubmissionRacingCloseIsAnswered() throws Exception {
    start(new FaultyStorage(11), 10_000);
    stock("tee", 1_000_000);
    List<CompletableFuture<Sequencer.Outcome>> futures =
        java.util.Collections.synchronizedList(new ArrayList<>());
    CountDownLatch submitting = new CountDownLatch(4);
    try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
      for (int t = 0; t < 4; t++) {
        pool.submit(() -> {
          submitting.countDown();
          for (int i = 0; i < 20_000; i++) {
            try {
              futures.add(sequencer.submit(new Command.Receive("tee", Engine.DEFAULT_LOCATION,
                  1, null)));
            } catch (OverloadedException full) {
              assertThat(full.getMessage()).contains("queue is full"); // refused at once: fine
            }
          }
        });
      }
      submitting.await();
      sequencer.close();
    }

    // Each either made it into a durable batch or was refused; none is left hanging.
    await().atMost(Duration.ofSeconds(30)).until(() -> futures.stream().allMatch(
        CompletableFuture::isDone));
  }
}
