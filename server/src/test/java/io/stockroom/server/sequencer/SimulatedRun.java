package io.stockroom.server.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.EventCodec;
import io.stockroom.engine.HoldView;
import io.stockroom.engine.Limits;
import io.stockroom.engine.Quantities;
import io.stockroom.engine.ReferenceModel;
import io.stockroom.engine.Rejection;
import io.stockroom.journal.FaultyStorage;
import io.stockroom.journal.JournalConfig;
import io.stockroom.journal.JournalReader;
import io.stockroom.server.read.ReadView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One seed's whole node, run on the calling thread: the production {@link Sequencer} (driven
 * through its {@link Sequencer#step} seam), {@link Ledger}, engine, journal and read view on a
 * {@link FaultyStorage}, a simulated wall clock and {@link SimulatedClients}. The seed decides
 * every interleaving: when clients submit, when the writer runs a batch, how the clock moves
 * (steps, jumps forward and back), which faults are armed (power cut after the n-th storage
 * call, failing fsync, failing directory fsync, full disk) and when the machine crashes; after a
 * crash the node is rebuilt from the same storage, which is what recovery is.
 *
 * <p>The engine is checked against the engine's {@link ReferenceModel} (an independent second
 * implementation of the stock rules) command by command; the model is rebuilt after every crash
 * from the batches the recovered journal says survived. The invariants are named in the
 * assertion messages and listed in docs/RELIABILITY.md.
 */
final class SimulatedRun {

  /** What one seed did, and a digest of everything it observed (same seed, same digest). */
  record Summary(long digest, int passes, int acknowledged, int refused, int overloaded,
      int inDoubt, int crashes, int restarts, int failures, int clockJumps, long expiries) {}

  /** A batch the live engine applied, in order: what the model replays after a crash. */
  private record Applied(long time, boolean tick, List<Command> commands, long sequenceAfter,
      long checksumAfter) {}

  private record Pending(Command command, CompletableFuture<Sequencer.Outcome> future) {}

  private static final Command TICK = new Command.Tick();
  private static final Limits TIGHT = new Limits(64, 200, 200, 1_000_000, 4, 3, 60, 30, 20,
      1_000, 3_600_000, 2, 10, 60_000, 4, 12);
  private static final JournalConfig JOURNAL = JournalConfig.defaults()
      .withRecordPayloadBytesMax(4 << 10)
      .withBufferBytes(16 << 10, 16 << 10)
      .withSegmentBytesMax(8 << 10);

  private final String where;
  private final SplittableRandom random;
  private final FaultyStorage storage;
  private final Limits limits;
  private final Sequencer.Settings settings;
  private final SimulatedClients clients;
  private final DurableEventChecks checks;
  private final List<Applied> history = new ArrayList<>();
  private final Map<Long, byte[]> produced = new HashMap<>();
  private final List<Pending> pending = new ArrayList<>();

  private long wall = 1_700_000_000_000L;
  private Node node;
  private ReferenceModel model;
  /** Highest sequence any client or subscriber was told is durable. */
  private long acknowledged;
  private long lastPassTime = Long.MIN_VALUE;
  private long digest;
  private int passes;
  private int acknowledgedCount;
  private int refused;
  private int overloaded;
  private int inDoubt;
  private int crashes;
  private int restarts;
  private int failures;
  private int clockJumps;

  SimulatedRun(long seed) {
    this.where = "seed=" + seed + " (rerun with -Dsim.seed=" + seed + ")";
    this.random = new SplittableRandom(seed);
    this.storage = new FaultyStorage(seed);
    boolean tight = random.nextInt(4) == 0;
    this.limits = tight ? TIGHT : Limits.DEFAULTS;
    this.settings = new Sequencer.Settings(4 + random.nextInt(8), 1 + random.nextInt(6),
        10 + random.nextInt(60));
    this.clients = new SimulatedClients(random.split());
    this.checks = new DurableEventChecks(where, !tight);
  }

  /** The node and what it tells the outside: a read view and a stream subscriber. */
  private final class Node {
    final Ledger ledger;
    final Sequencer sequencer;
    final ReadView view;
    /** Fed only the events subscribers were sent: the durable state, rebuilt independently. */
    final Engine replica;
    Throwable fatal;

    Node(Ledger ledger) {
      this.ledger = ledger;
      this.view = ReadView.of(ledger.engine());
      this.replica = Engine.fromSnapshot(limits, ledger.engine().snapshot());
      this.sequencer = new Sequencer(ledger, () -> wall, settings, List.of(view, this::published),
          SequencerMetrics.NONE, (thread, error) -> fatal = error);
    }

    private void published(List<Event> events, long sequence) {
      assertThat(events.get(events.size() - 1).sequence()).as("PublishedAtItsSequence %s",
          where).isEqualTo(sequence);
      assertThat(sequence).as("PublishedMeansDurable %s", where)
          .isEqualTo(ledger.journal().lastSequence());
      for (Event event : events) {
        checks.accept(event);
        replica.replay(event);
      }
    }
  }

  Summary run() throws IOException {
    node = new Node(reopen());
    model = new ReferenceModel(limits);
    int actions = 150 + random.nextInt(150);
    for (int action = 0; action < actions; action++) {
      int roll = random.nextInt(100);
      if (node.sequencer.failure() != null && roll < 30) {
        crash(); // writes stopped: only a restart recovers
      } else if (roll < 40) {
        submit();
      } else if (roll < 72) {
        step();
      } else if (roll < 88) {
        moveClock();
      } else if (roll < 93) {
        armFault();
      } else if (roll < 95) {
        crash();
      } else if (roll < 96) {
        restart();
      } else {
        drain();
      }
    }
    drain();
    checkEverything("at the end");
    crash();
    drain();
    checkEverything("after the last restart");
    node.ledger.close();
    return new Summary(mix(node.ledger.engine().checksum()), passes,
        acknowledgedCount, refused, overloaded, inDoubt, crashes, restarts, failures, clockJumps,
        checks.expiries());
  }

  /** Folds an observation into the run's digest: a rerun of the seed must give the same. */
  private long mix(long observed) {
    digest = (digest ^ observed) * 0x9E3779B97F4A7C15L;
    return digest;
  }

  // ---------------------------------------------------------------------------------------------
  // What the world does

  private void submit() {
    Command command = clients.next();
    CompletableFuture<Sequencer.Outcome> future;
    try {
      future = node.sequencer.submit(command);
    } catch (OverloadedException e) {
      assertThat(pending).as("OverloadOnlyWhenFull %s", where).hasSize(settings.queueCapacity());
      overloaded++;
      return;
    }
    if (future.isDone()) {
      assertRefused(future, "RefusedOnlyWhenUnwritable");
      assertThat(node.sequencer.writable()).as("RefusedOnlyWhenUnwritable %s", where).isFalse();
      refused++;
      return;
    }
    pending.add(new Pending(command, future));
  }

  private void moveClock() {
    int roll = random.nextInt(100);
    if (roll < 80) {
      wall += random.nextInt(1_500);
    } else if (roll < 92) {
      wall += random.nextInt(40_000);
    } else if (roll < 96) {
      wall += 60_000 + random.nextInt(3_600_000); // NTP steps the clock forward
      clockJumps++;
    } else {
      wall -= 1 + random.nextInt(3_600_000); // ... or back
      clockJumps++;
    }
  }

  private void armFault() {
    switch (random.nextInt(4)) {
      case 0 -> storage.crashAfterOperations(1 + random.nextInt(40));
      case 1 -> storage.failNextSyncs(1);
      case 2 -> storage.failNextDirectorySync();
      default -> fillDisk();
    }
  }

  /** Leaves room for a few hundred bytes more, then "No space left on device". */
  private void fillDisk() {
    long used = 0;
    try {
      for (String name : storage.list()) {
        used += storage.contents(name).length;
      }
    } catch (IOException machineDown) {
      return; // a power cut is already armed and has struck: nothing to fill
    }
    storage.fillUp(used + random.nextInt(2_048));
  }

  // ---------------------------------------------------------------------------------------------
  // The writer

  private void drain() {
    for (int i = 0; i < 10_000; i++) {
      if (!step()) {
        return;
      }
    }
    throw new AssertionError("WriterSettles " + where + ": still busy after 10,000 passes");
  }

  /** One writer pass and every check on what it did; false when there was nothing to do. */
  private boolean step() {
    Sequencer.Pass pass = node.sequencer.step();
    if (node.fatal != null) {
      throw new AssertionError("NoInvariantViolated " + where + ": " + node.fatal, node.fatal);
    }
    if (pass == null) {
      checkIdle();
      return false;
    }
    passes++;
    Engine engine = node.ledger.engine();
    boolean stopped = node.sequencer.failure() != null;
    List<Pending> batch = new ArrayList<>(pending.subList(0, pass.commands()));
    pending.subList(0, pass.commands()).clear();
    if (pass.tick()) {
      model.apply(pass.time(), TICK);
    }
    List<Command> commands = new ArrayList<>(batch.size());
    for (Pending submitted : batch) {
      commands.add(submitted.command());
      Rejection expected = model.apply(pass.time(), submitted.command());
      answered(submitted, expected, stopped);
    }
    lastPassTime = pass.time();
    mix(pass.time() * 31 + engine.sequence());
    history.add(new Applied(pass.time(), pass.tick(), commands, engine.sequence(),
        engine.checksum()));
    for (Event event : pass.events()) {
      produced.put(event.sequence(), EventCodec.encode(event));
    }
    if (stopped) {
      failures++;
      for (Pending queued : pending) {
        assertRefused(queued.future(), "FailedWritesRefuseEverythingQueued");
        refused++;
      }
      pending.clear();
    }
    acknowledged = node.sequencer.durableSequence();
    checkLive();
    return true;
  }

  private void answered(Pending submitted, Rejection expected, boolean stopped) {
    CompletableFuture<Sequencer.Outcome> future = submitted.future();
    assertThat(future).as("EveryBatchAnswered %s: %s", where, submitted.command()).isDone();
    if (future.isCompletedExceptionally()) {
      assertThat(stopped).as("RefusedOnlyWhenUnwritable %s", where).isTrue();
      assertRefused(future, "FailedWritesAreRefused");
      refused++;
      mix(-1);
      return;
    }
    Sequencer.Outcome outcome = future.join();
    assertThat(outcome.result().rejection()).as("ResultsAgree %s: %s -> %s", where,
        submitted.command(), outcome.result()).isEqualTo(expected);
    assertThat(outcome.sequence()).as("AcknowledgedMeansDurable %s", where)
        .isLessThanOrEqualTo(node.ledger.journal().lastSequence());
    acknowledgedCount++;
    mix(expected == null ? outcome.sequence() : expected.ordinal());
  }

  private void assertRefused(CompletableFuture<Sequencer.Outcome> future, String invariant) {
    assertThat(future).as("%s %s", invariant, where).isCompletedExceptionally();
    try {
      future.join();
    } catch (CompletionException e) {
      assertThat(e.getCause()).as("%s %s", invariant, where)
          .isInstanceOf(WritesUnavailableException.class);
    }
  }

  /** The writer found nothing to do: no hold whose deadline passed may still be active. */
  private void checkIdle() {
    if (node.sequencer.failure() == null) {
      assertThat(model.nextExpiryAt()).as("NoDueHoldLeftActive %s (wall %d)", where, wall)
          .isGreaterThan(Math.max(lastPassTime, wall));
    }
  }

  /** After every pass: the live engine, the read view and the subscriber's replica agree. */
  private void checkLive() {
    Engine engine = node.ledger.engine();
    long durable = node.sequencer.durableSequence();
    assertThat(node.view.sequence()).as("ReadsShowOnlyDurable %s", where).isEqualTo(durable);
    assertThat(checks.lastSequence()).as("SubscribersSeeEveryDurableEvent %s", where)
        .isEqualTo(durable);
    if (durable == engine.sequence()) {
      assertThat(node.replica.checksum()).as("ReplayEqualsLive %s at %d", where, durable)
          .isEqualTo(engine.checksum());
    }
    for (String key : model.levelKeys()) {
      int at = key.lastIndexOf('@');
      compareLevel(engine, key.substring(0, at), key.substring(at + 1), "live");
      compareView(key.substring(0, at), key.substring(at + 1));
    }
    checks.checkState(node.replica, "live");
  }

  /** What readers see is exactly the durable state (the replica), never the engine's lead. */
  private void compareView(String sku, String location) {
    Quantities durable = node.replica.level(sku, location);
    ReadView.Item item = node.view.item(sku);
    ReadView.Level seen = item == null ? null : item.level(location);
    if (durable == null) {
      assertThat(seen).as("ReadsShowOnlyDurable %s: %s@%s", where, sku, location).isNull();
      return;
    }
    assertThat(seen).as("ReadsShowOnlyDurable %s: %s@%s", where, sku, location).isNotNull();
    assertThat(new Quantities(seen.onHand(), seen.reserved(), seen.committed(),
        seen.safetyStock())).as("ReadsShowOnlyDurable %s: %s@%s", where, sku, location)
        .isEqualTo(durable);
  }

  private void compareLevel(Engine engine, String sku, String location, String when) {
    long[] expected = model.level(sku, location);
    for (int field = ReferenceModel.ON_HAND; field <= ReferenceModel.SAFETY; field++) {
      assertThat(expected[field]).as("StockNeverNegative %s %s: %s@%s", where, when, sku,
          location).isNotNegative();
    }
    Quantities actual = engine.level(sku, location);
    assertThat(actual).as("StateAgrees %s %s: %s@%s", where, when, sku, location).isEqualTo(
        new Quantities((int) expected[ReferenceModel.ON_HAND],
            (int) expected[ReferenceModel.RESERVED], (int) expected[ReferenceModel.COMMITTED],
            (int) expected[ReferenceModel.SAFETY]));
    assertThat(engine.levelVersion(sku, location)).as("StateAgrees %s %s: version of %s@%s",
        where, when, sku, location).isEqualTo(expected[ReferenceModel.VERSION]);
  }

  private void checkEverything(String when) {
    Engine engine = node.ledger.engine();
    engine.checkInvariants();
    assertThat(engine.itemCount()).as("StateAgrees %s %s: items", where, when)
        .isEqualTo(model.itemCount());
    assertThat(engine.levelCount()).as("StateAgrees %s %s: levels", where, when)
        .isEqualTo(model.levelKeys().size());
    for (String key : model.levelKeys()) {
      int at = key.lastIndexOf('@');
      compareLevel(engine, key.substring(0, at), key.substring(at + 1), when);
    }
    assertThat(engine.activeHoldCount()).as("StateAgrees %s %s: active holds", where, when)
        .isEqualTo(model.activeHoldCount());
    for (String id : model.holdIds()) {
      HoldView hold = engine.hold(id);
      assertThat(hold).as("StateAgrees %s %s: hold %s", where, when, id).isNotNull();
      assertThat(hold.state()).as("StateAgrees %s %s: hold %s", where, when, id)
          .isEqualTo(model.holdState(id));
      assertThat(hold.expiresAt()).as("StateAgrees %s %s: deadline of %s", where, when, id)
          .isEqualTo(model.holdExpiresAt(id));
    }
    // The live engine may hold a batch whose fsync failed; the replica is the durable state.
    checks.checkState(node.replica, when);
  }

  // ---------------------------------------------------------------------------------------------
  // Power loss and recovery

  private void crash() throws IOException {
    storage.crash();
    crashes++;
    inDoubt += pending.size(); // their answers never came: the clients do not know
    pending.clear();
    node.ledger.close();
    if (random.nextInt(6) == 0) {
      storage.crashAfterOperations(1 + random.nextInt(8)); // power fails again, mid-recovery
    }
    recover(-1);
  }

  /**
   * An operator restart with the power on: the writer finishes what is queued, the disk is
   * mended (no more failing fsyncs, space freed), the process starts again on the same files.
   * What it finds is exactly what was acknowledged: a batch refused for a failed fsync or a
   * full disk does not come back ({@code RefusedStaysRefused}), unless the restart itself was
   * cut by a power loss (a power cut armed earlier strikes during recovery).
   */
  private void restart() throws IOException {
    drain();
    long durable = node.sequencer.durableSequence();
    try {
      node.sequencer.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    node.ledger.close();
    storage.failNextSyncs(0);
    storage.fillUp(Long.MAX_VALUE);
    restarts++;
    recover(durable);
  }

  /** Rebuilds the node from the storage; {@code exactly} >= 0: no power was lost since. */
  private void recover(long exactly) throws IOException {
    int crashesBefore = crashes;
    Ledger ledger = reopen();
    Engine engine = ledger.engine();
    long recovered = engine.sequence();
    assertThat(recovered).as("AcknowledgedMeansDurable %s", where)
        .isGreaterThanOrEqualTo(acknowledged);
    if (exactly >= 0 && crashes == crashesBefore) {
      assertThat(recovered).as("RefusedStaysRefused %s", where).isEqualTo(exactly);
    }
    int kept = batchEndingAt(recovered);
    long expected = kept < 0 ? new Engine(limits).checksum() : history.get(kept).checksumAfter();
    assertThat(engine.checksum()).as("RecoveredEqualsLive %s at %d", where, recovered)
        .isEqualTo(expected);
    checkNothingInvented(ledger);
    acceptUnpublished(ledger, recovered);
    history.subList(kept + 1, history.size()).clear();
    produced.keySet().removeIf(sequence -> sequence > recovered);
    model = rebuildModel();
    acknowledged = recovered;
    lastPassTime = engine.now();
    mix(recovered);
    checks.checkState(engine, "after recovery");
    node = new Node(ledger);
    checkEverything("after recovery");
  }

  /**
   * {@code BatchesAreAtomic}: the index of the first batch after which the live engine was at
   * {@code sequence} (later ones at the same sequence only had rejections, which leave no
   * trace), or -1 for the empty journal.
   */
  private int batchEndingAt(long sequence) {
    if (sequence == 0) {
      return -1;
    }
    for (int i = 0; i < history.size(); i++) {
      if (history.get(i).sequenceAfter() == sequence) {
        return i;
      }
    }
    throw new AssertionError("BatchesAreAtomic " + where + ": recovered at " + sequence
        + ", which no batch ended at");
  }

  /** Recovery itself may be cut by a power loss; then it is simply run again. */
  private Ledger reopen() throws IOException {
    for (int attempt = 0; attempt < 10; attempt++) {
      try {
        return Ledger.open(storage, JOURNAL, limits);
      } catch (IOException e) {
        assertThat(Ledger.isCorruption(e)).as("RecoveryNeverFindsCorruption %s: %s", where, e)
            .isFalse();
        storage.crash();
        crashes++;
      }
    }
    throw new AssertionError("RecoverySucceeds " + where + ": 10 attempts failed");
  }

  /** {@code NothingInvented}: every record on disk is byte for byte an event the engine made. */
  private void checkNothingInvented(Ledger ledger) throws IOException {
    try (JournalReader reader = ledger.journal().read(ledger.journal().firstSequence())) {
      while (reader.next()) {
        assertThat(reader.payload()).as("NothingInvented %s at %d", where, reader.sequence())
            .isEqualTo(produced.get(reader.sequence()));
      }
    }
  }

  /** A batch refused for a failed fsync may still have reached the disk: now it is history. */
  private void acceptUnpublished(Ledger ledger, long recovered) throws IOException {
    if (checks.lastSequence() == recovered) {
      return;
    }
    try (JournalReader reader = ledger.journal().read(checks.lastSequence() + 1)) {
      while (reader.next()) {
        checks.accept(EventCodec.decode(reader.payload()));
      }
    }
  }

  private ReferenceModel rebuildModel() {
    ReferenceModel rebuilt = new ReferenceModel(limits);
    for (Applied batch : history) {
      if (batch.tick()) {
        rebuilt.apply(batch.time(), TICK);
      }
      for (Command command : batch.commands()) {
        rebuilt.apply(batch.time(), command);
      }
    }
    return rebuilt;
  }
}
