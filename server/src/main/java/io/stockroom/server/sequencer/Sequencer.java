package io.stockroom.server.sequencer;

import io.stockroom.engine.Command;
import io.stockroom.engine.Event;
import io.stockroom.engine.Result;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer. Request handlers {@link #submit} commands into a bounded queue; one
 * platform thread (the writer) drains up to a batch of them, stamps the batch with one time and
 * applies it to the engine; a second platform thread (the syncer) makes the batch's events
 * durable with one fsync ({@link Ledger#commit}) and only then completes the callers' futures
 * and hands the events to the {@link Listener}s (read view, streams). Nothing a client can
 * observe is ever ahead of the disk.
 *
 * <p>The two threads form a pipeline: while batch N is written and synced, the writer applies
 * batch N+1. Its answers are derived from a state that includes batch N, so they wait for it:
 * batches become durable, and are answered, strictly in the order they were applied (a batch
 * whose commands were all refused still waits for the batches before it). At most {@link
 * #BATCHES_IN_FLIGHT} batches wait for the syncer; past that the writer waits, and the queue in
 * front of it fills and sheds load as before. The engine belongs to the writer alone; the
 * journal to the syncer alone (and to the writer again once the syncer has stopped).
 *
 * <p>When the CPU is short and commands come several at a time, the writer lingers before it
 * takes a batch ({@link Linger}): it waits, slice by slice and at most {@code lingerMicrosMax},
 * while commands keep arriving, so that more of them share one fsync. A lone client's command
 * is taken at once.
 *
 * <p>Failure is final: if the journal fails, every command of the failed batch, of every batch
 * behind it and every later one is refused with {@link WritesUnavailableException}; the engine
 * now holds events the disk does not, so it must not acknowledge anything again until a restart
 * recovers from the journal. Reads keep working from the read view, which only ever saw durable
 * batches. An invariant violation inside the engine goes to the fatal handler, which stops the
 * process.
 */
public final class Sequencer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Sequencer.class);

  /** Told about every durable batch, on the syncer thread: must be quick and never block. */
  public interface Listener {
    void onDurable(List<Event> events, long sequence);
  }

  /**
   * The outcome of one command, known once its batch is durable: its result and the events it
   * emitted itself (not the expiries that time caused just before it).
   */
  public record Outcome(Result result, List<Event> events, long sequence) {}

  /** Queue and batch limits; see docs/CONFIGURATION.md. */
  public record Settings(int queueCapacity, int batchCommandsMax, long snapshotEveryEvents,
      long lingerMicrosMax) {

    /** Without lingering: each batch is whatever is queued when the writer takes it. */
    public Settings(int queueCapacity, int batchCommandsMax, long snapshotEveryEvents) {
      this(queueCapacity, batchCommandsMax, snapshotEveryEvents, 0);
    }

    public Settings {
      if (lingerMicrosMax < 0 || lingerMicrosMax > LINGER_MICROS_LIMIT) {
        throw new IllegalArgumentException("lingerMicrosMax must be 0.." + LINGER_MICROS_LIMIT
            + ": " + lingerMicrosMax);
      }
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("queueCapacity must be positive: " + queueCapacity);
      }
      if (batchCommandsMax < 1) {
        throw new IllegalArgumentException("batchCommandsMax must be positive: "
            + batchCommandsMax);
      }
      if (snapshotEveryEvents < 1) {
        throw new IllegalArgumentException("snapshotEveryEvents must be positive: "
            + snapshotEveryEvents);
      }
    }
  }

  private record Submission(Command command, CompletableFuture<Outcome> future) {}

  /** What the writer hands the syncer, in order. */
  private sealed interface Work {}

  /**
   * One applied batch on its way to the disk: the submissions in queue order, each one's result
   * and the range of its own events in {@code events}, and the engine's sequence after it.
   */
  private record Batch(List<Submission> submissions, Result[] results, int[] starts, int[] ends,
      List<Event> events, long sequence) implements Work {}

  /** The engine's state encoded by the writer at {@code sequence}, to be written once durable. */
  private record SnapshotState(byte[] state, long sequence) implements Work {}

  /** The writer is done: the syncer finishes what it was given, then ends. */
  private record End() implements Work {}

  private static final Command TICK = new Command.Tick();
  /** The most a batch may be held open for more commands: 100 ms, in µs. */
  public static final long LINGER_MICROS_LIMIT = 100_000;
  /** Longest the writer sleeps with nothing to do, so a stop request is seen promptly. */
  private static final long IDLE_WAIT_MILLIS_MAX = 200;
  /**
   * Batches applied but not yet handed to the journal. Two keep both threads busy (one batch
   * syncing, the next one ready the moment it finishes) without letting the engine run far
   * ahead of the disk: answers wait for their batch's fsync whatever this is.
   */
  public static final int BATCHES_IN_FLIGHT = 2;

  private final Ledger ledger;
  private final LongSupplier clock;
  private final Settings settings;
  private final List<Listener> listeners;
  private final Thread.UncaughtExceptionHandler fatal;
  private final SubmissionQueue<Submission> queue;
  private final ArrayBlockingQueue<Work> toSyncer = new ArrayBlockingQueue<>(BATCHES_IN_FLIGHT);
  private final Thread writer;
  private final Thread syncer;
  private final int eventsPerCommandMax;
  private final SequencerMetrics metrics;
  private final Linger linger;

  private volatile boolean stopping;
  private volatile Throwable failure;
  private volatile long durableSequence;
  /** Set once the writer will take no more commands (stopped or failed). */
  private volatile boolean exited;
  /** Batches the writer has applied and handed to the syncer (tests wait on it). */
  private volatile long batchesHandedOff;
  private long time;
  private long eventsSinceSnapshot;

  /** The writer's (or step's) batch being applied, refused if the writer fails with it. */
  private List<Submission> inHand = List.of();
  // The writer's working arrays, reused; each batch takes exact-size copies.
  private final Result[] results;
  private final int[] starts;
  private final int[] ends;
  private Pass lastPass;
  private boolean caughtUp;
  /** Open once the holds that fell due while the service was down are expired, durably. */
  private final CountDownLatch startupCaughtUp = new CountDownLatch(1);

  public Sequencer(Ledger ledger, LongSupplier clock, Settings settings, List<Listener> listeners,
      SequencerMetrics metrics, Thread.UncaughtExceptionHandler fatal) {
    this(ledger, clock, settings, listeners, metrics, fatal,
        Linger.parking(TimeUnit.MICROSECONDS.toNanos(settings.lingerMicrosMax())));
  }

  /** With the writer's linger given: tests decide what arrives while it waits. */
  Sequencer(Ledger ledger, LongSupplier clock, Settings settings, List<Listener> listeners,
      SequencerMetrics metrics, Thread.UncaughtExceptionHandler fatal, Linger linger) {
    this.ledger = ledger;
    this.linger = linger;
    this.clock = clock;
    this.settings = settings;
    this.listeners = List.copyOf(listeners);
    this.metrics = metrics;
    this.fatal = fatal;
    this.queue = new SubmissionQueue<>(settings.queueCapacity());
    this.results = new Result[settings.batchCommandsMax()];
    this.starts = new int[settings.batchCommandsMax()];
    this.ends = new int[settings.batchCommandsMax()];
    // A command may expire up to expiriesPerCommandMax holds, then emit its own events (at most
    // two, e.g. an adjust and its shortage) and its idempotency record. A batch must always
    // have room for one more.
    this.eventsPerCommandMax = ledger.engine().limits().expiriesPerCommandMax() + 3;
    if (eventsPerCommandMax > ledger.batchEventsMax()) {
      throw new IllegalArgumentException("the journal's batchRecordsMax ("
          + ledger.batchEventsMax() + ") must be at least expiriesPerCommandMax + 3 ("
          + eventsPerCommandMax + ") so one command's events always fit in one batch");
    }
    this.durableSequence = ledger.engine().sequence();
    this.time = ledger.engine().now(); // never go back behind the last recorded event
    // The replayed tail counts: else a service killed before each automatic snapshot would
    // never write one, and every start would replay a longer journal than the one before.
    this.eventsSinceSnapshot = ledger.recovered().eventsReplayed();
    this.writer = Thread.ofPlatform().name("stockroom-writer").unstarted(this::run);
    this.syncer = Thread.ofPlatform().name("stockroom-syncer").unstarted(this::sync);
  }

  /**
   * Starts the writer and returns once it has expired, durably, every hold that fell due while
   * the service was down (or once the journal failed doing so: {@link #writable()} says which).
   * So a service that starts answering never shows an overdue hold as active.
   */
  public void start() {
    writer.start();
    try {
      startupCaughtUp.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Queues a command. The future completes once the command's batch is durable (or fails with
   * {@link WritesUnavailableException} when the journal has failed or the service is stopping).
   *
   * @throws OverloadedException the queue is full: answer 503 with Retry-After, do not wait
   */
  public CompletableFuture<Outcome> submit(Command command) {
    if (failure != null) {
      return CompletableFuture.failedFuture(new WritesUnavailableException(
          "writes are unavailable: " + failure.getMessage(), failure));
    }
    if (stopping) {
      return CompletableFuture.failedFuture(
          new WritesUnavailableException("the service is stopping", null));
    }
    CompletableFuture<Outcome> future = new CompletableFuture<>();
    if (!queue.offer(new Submission(command, future))) {
      metrics.rejectedOverload();
      throw new OverloadedException(queue.size());
    }
    if (exited) { // the writer may have drained the queue for the last time before our offer
      drainRefusing(refusal(failure));
    }
    return future;
  }

  /** The sequence of the last durable event. */
  public long durableSequence() {
    return durableSequence;
  }

  public int queueDepth() {
    return queue.size();
  }

  public int queueCapacity() {
    return settings.queueCapacity();
  }

  /** True while writes can be acknowledged (not failed, not stopping). */
  public boolean writable() {
    return failure == null && !stopping && !exited;
  }

  public Throwable failure() {
    return failure;
  }

  /**
   * Stops accepting, lets the writer finish what is queued (each command is still made durable
   * and answered), and waits for it. Safe to call twice.
   */
  @Override
  public void close() throws InterruptedException {
    stopping = true;
    if (writer.getState() == Thread.State.NEW) {
      exit(); // never started (driven by step, or startup failed): refuse what is queued
    } else {
      writer.join();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The writer thread

  private void run() {
    try {
      while (catchUpPending()) {
        durable(pass(null)); // before the pipeline starts: start() waits for these
      }
      if (eventsSinceSnapshot >= settings.snapshotEveryEvents()) {
        writeSnapshot(ledger.snapshotState(), ledger.engine().sequence());
        eventsSinceSnapshot = 0;
      }
      startupCaughtUp.countDown();
      syncer.start();
      while (true) {
        Submission first = awaitWork();
        if (failure != null || (first == null && stopping && queue.isEmpty())) {
          inHand = first == null ? List.of() : List.of(first); // refused by exit()
          break;
        }
        if (first != null) {
          linger();
        }
        handOff(pass(first));
        snapshotWhenDue();
      }
    } catch (Throwable error) {
      fail(error);
    } finally {
      startupCaughtUp.countDown(); // also when the catch-up itself failed
      stopSyncer();
      exit();
    }
  }

  /** Hands a batch or a snapshot to the syncer, waiting while it has enough to do. */
  private void handOff(Work work) throws InterruptedException {
    if (work instanceof Batch) {
      // Only the writer writes it, and before the put: once the syncer has the batch it may
      // answer it at once, and whoever sees that answer must see the batch counted.
      batchesHandedOff++;
    }
    toSyncer.put(work); // the syncer never stops taking before End, so this never hangs
    inHand = List.of();
  }

  /**
   * How many batches the writer has applied and handed (or is handing) to the syncer so far; a
   * batch whose submissions were answered is always counted.
   */
  long batchesHandedOff() {
    return batchesHandedOff;
  }

  /**
   * Lets the syncer finish, then (after a graceful stop, with the journal the writer's again)
   * leaves a snapshot of the final state, so the next start replays nothing. A crash leaves at
   * most snapshotEveryEvents plus the batches in flight to replay.
   */
  private void stopSyncer() {
    boolean interrupted = false;
    if (syncer.getState() != Thread.State.NEW) {
      while (true) {
        try {
          toSyncer.put(new End());
          syncer.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true; // the syncer still holds answers: wait for it all the same
        }
      }
    }
    try {
      if (failure == null && stopping && eventsSinceSnapshot > 0) {
        writeSnapshot(ledger.snapshotState(), ledger.engine().sequence());
      }
    } catch (Throwable error) {
      fail(error);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** After enough events, the writer encodes the state; the syncer writes it in its turn. */
  private void snapshotWhenDue() throws InterruptedException {
    if (eventsSinceSnapshot >= settings.snapshotEveryEvents()) {
      handOff(new SnapshotState(ledger.snapshotState(), ledger.engine().sequence()));
      eventsSinceSnapshot = 0;
    }
  }

  /**
   * The simulation's seam: one writer pass on the calling thread, the very code the writer
   * thread runs (catch-up first, then one batch of what is queued, or a tick when a hold is
   * due), with the syncer's part run inline right after it. For a sequencer that was never
   * {@link #start started}: one thread drives it, so a seeded test decides every interleaving
   * of clients, clock, faults and crashes.
   *
   * @return the pass it ran (also one whose commit failed: see {@link #failure()}), or null when
   *     nothing was queued and no hold was due, or writes have stopped
   */
  Pass step() {
    if (failure != null || exited) {
      return null;
    }
    lastPass = null;
    try {
      if (!caughtUp) {
        if (catchUpPending()) {
          durable(pass(null));
          return lastPass;
        }
        caughtUp = true;
      }
      Submission first = queue.poll();
      if (first == null && ledger.engine().nextExpiryAt() > Math.max(time, clock.getAsLong())) {
        return null;
      }
      durable(pass(first));
      inHand = List.of();
      if (eventsSinceSnapshot >= settings.snapshotEveryEvents()) {
        writeSnapshot(ledger.snapshotState(), ledger.engine().sequence());
        eventsSinceSnapshot = 0;
      }
    } catch (Throwable error) {
      fail(error);
    }
    return lastPass;
  }

  /**
   * What one writer pass did, for the simulation to check: the batch time, whether it was a
   * tick, how many queued commands it took (in queue order), and every event it produced.
   */
  record Pass(long time, boolean tick, int commands, List<Event> events) {}

  /** True while holds that fell due while the service was down remain, before taking requests. */
  private boolean catchUpPending() {
    stampTime();
    return ledger.engine().nextExpiryAt() <= time;
  }

  /** One batch: {@code first} and what else is queued (a tick when null), applied. */
  private Batch pass(Submission first) {
    stampTime();
    List<Event> events = new ArrayList<>();
    Batch batch;
    if (first == null) {
      ledger.apply(time, TICK, events); // a hold fell due with nothing else to do
      batch = new Batch(List.of(), new Result[0], new int[0], new int[0], List.copyOf(events),
          ledger.engine().sequence());
    } else {
      batch = fill(first, events);
    }
    eventsSinceSnapshot += batch.events().size();
    lastPass = new Pass(time, first == null, batch.submissions().size(), batch.events());
    return batch;
  }

  /** The next submission, or null when a hold falls due (or a stop is requested) first. */
  private Submission awaitWork() throws InterruptedException {
    while (true) {
      Submission next = queue.poll();
      if (next != null || stopping) {
        return next;
      }
      long now = Math.max(time, clock.getAsLong());
      long untilExpiry = ledger.engine().nextExpiryAt() - now;
      if (untilExpiry <= 0) {
        return null;
      }
      next = queue.poll(Math.min(untilExpiry, IDLE_WAIT_MILLIS_MAX), TimeUnit.MILLISECONDS);
      if (next != null) {
        return next;
      }
    }
  }

  /**
   * Before a batch is taken, when {@link Linger#worthWaiting} says so: waits while more keep
   * arriving. The batch's time is stamped after, so no hold is acted on past its deadline
   * because the batch waited.
   */
  private void linger() {
    if (!linger.worthWaiting()) {
      return;
    }
    // The first command is already taken: a batch is full with batchCommandsMax - 1 queued.
    long waited = linger.await(queue::size, settings.batchCommandsMax() - 1, () -> stopping);
    metrics.lingered(waited);
  }

  private void stampTime() {
    time = Math.max(time, clock.getAsLong()); // a clock stepping back never moves time back
  }

  /** Applies the first command and as many queued ones as the batch limits allow. */
  private Batch fill(Submission first, List<Event> events) {
    int commandsMax = settings.batchCommandsMax();
    List<Submission> submissions = new ArrayList<>();
    inHand = submissions;
    int budget = ledger.batchEventsMax();
    long batchFirst = ledger.engine().sequence() + 1;
    Submission next = first;
    while (next != null) {
      int i = submissions.size();
      submissions.add(next);
      results[i] = ledger.apply(time, next.command(), events);
      starts[i] = (int) (ledger.engine().commandFirstSequence() - batchFirst);
      ends[i] = events.size();
      if (i + 1 == commandsMax || events.size() + eventsPerCommandMax > budget) {
        break;
      }
      next = queue.poll();
    }
    int count = submissions.size();
    linger.batchTaken(count);
    return new Batch(submissions, Arrays.copyOf(results, count), Arrays.copyOf(starts, count),
        Arrays.copyOf(ends, count), List.copyOf(events), ledger.engine().sequence());
  }

  // ---------------------------------------------------------------------------------------------
  // The syncer thread

  private void sync() {
    while (true) {
      Work work;
      try {
        work = toSyncer.take();
      } catch (InterruptedException e) {
        continue; // nobody interrupts it; the writer's End is what stops it
      }
      switch (work) {
        case End end -> {
          return;
        }
        case Batch batch when failure != null -> refuse(batch.submissions(), refusal(failure));
        case SnapshotState snapshot when failure != null -> { }
        case Batch batch -> {
          try {
            durable(batch);
          } catch (Throwable error) {
            refuse(batch.submissions(), refusal(error));
            fail(error);
          }
        }
        case SnapshotState snapshot -> {
          try {
            writeSnapshot(snapshot.state(), snapshot.sequence());
          } catch (Throwable error) {
            fail(error);
          }
        }
      }
    }
  }

  /**
   * Makes a batch durable, then shows it to the listeners and answers its submissions. Runs on
   * the syncer (on the writer during catch-up and in {@link #step}), batches in applied order.
   */
  private void durable(Batch batch) throws IOException {
    List<Event> events = batch.events();
    long started = System.nanoTime();
    ledger.commit(events); // throws: nothing below runs, the batch is refused by the caller
    long synced = System.nanoTime();
    long sequence = batch.sequence();
    durableSequence = sequence;
    metrics.batch(batch.submissions().size(), events.size(), synced - started);
    // The view first, then the answers: a caller that reads right after its ack sees its write.
    if (!events.isEmpty()) {
      for (Listener listener : listeners) {
        listener.onDurable(events, sequence);
      }
    }
    List<Submission> submissions = batch.submissions();
    for (int i = 0; i < submissions.size(); i++) {
      int start = batch.starts()[i];
      int end = batch.ends()[i];
      submissions.get(i).future().complete(new Outcome(batch.results()[i],
          events.subList(Math.min(start, end), end), sequence));
    }
  }

  private void writeSnapshot(byte[] state, long sequence) throws IOException {
    long bytes = ledger.writeSnapshot(state, sequence);
    if (bytes < 0) {
      LOG.warn("no snapshot written at sequence {}: the state is {} bytes, more than the"
          + " journal's snapshotBytesMax; restarts replay from the previous one",
          sequence, -bytes);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Failure and exit

  /**
   * Writes stop for good: the batch in hand and everything queued are refused (batches already
   * handed to the syncer are refused there). The first failure is the one reported.
   */
  private void fail(Throwable error) {
    synchronized (this) {
      if (failure == null) {
        failure = error;
      }
    }
    WritesUnavailableException refused = refusal(error);
    if (Thread.currentThread() != syncer) {
      refuse(inHand, refused);
      drainRefusing(refused);
    }
    if (!(error instanceof IOException)) {
      fatal.uncaughtException(Thread.currentThread(), error);
    }
  }

  /**
   * The writer is done (stopped, or failed). A submit that passed its checks just before may
   * still have queued a command after the last drain; marking the exit first and draining again
   * here, while {@link #submit} drains itself when it sees the mark, leaves none unanswered.
   */
  private void exit() {
    exited = true;
    WritesUnavailableException refused = refusal(failure);
    refuse(inHand, refused);
    drainRefusing(refused);
  }


  private static void refuse(List<Submission> submissions, WritesUnavailableException refused) {
    for (Submission submission : submissions) {
      submission.future().completeExceptionally(refused); // no-op for those already answered
    }
  }

  private void drainRefusing(WritesUnavailableException refused) {
    Submission queued;
    while ((queued = queue.poll()) != null) {
      queued.future().completeExceptionally(refused);
    }
  }

  private static WritesUnavailableException refusal(Throwable error) {
    return error != null
        ? new WritesUnavailableException("writes are unavailable: " + error.getMessage(), error)
        : new WritesUnavailableException("the service is stopping", null);
  }
}
