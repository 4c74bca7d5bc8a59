package io.stockroom.server.sequencer;

import io.stockroom.engine.Command;
import io.stockroom.engine.Event;
import io.stockroom.engine.Result;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer. Request handlers {@link #submit} commands into a bounded queue; one
 * platform thread drains up to a batch of them, stamps the batch with one time, applies it to
 * the engine, makes the batch's events durable with one fsync ({@link Ledger#commit}), and only
 * then completes the callers' futures and hands the events to the {@link Listener}s (read view,
 * streams). Nothing a client can observe is ever ahead of the disk.
 *
 * <p>Failure is final: if the journal fails, every command of the failed batch and every later
 * one is refused with {@link WritesUnavailableException}; the engine now holds events the disk
 * does not, so it must not acknowledge anything again until a restart recovers from the journal.
 * Reads keep working from the read view, which only ever saw durable batches. An invariant
 * violation inside the engine goes to the fatal handler, which stops the process.
 */
public final class Sequencer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Sequencer.class);

  /** Told about every durable batch, on the writer thread: must be quick and never block. */
  public interface Listener {
    void onDurable(List<Event> events, long sequence);
  }

  /**
   * The outcome of one command, known once its batch is durable: its result and the events it
   * emitted itself (not the expiries that time caused just before it).
   */
  public record Outcome(Result result, List<Event> events, long sequence) {}

  /** Queue and batch limits; see docs/CONFIGURATION.md. */
  public record Settings(int queueCapacity, int batchCommandsMax, long snapshotEveryEvents) {
    public Settings {
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

  private static final Command TICK = new Command.Tick();
  /** Longest the writer sleeps with nothing to do, so a stop request is seen promptly. */
  private static final long IDLE_WAIT_MILLIS_MAX = 200;

  private final Ledger ledger;
  private final LongSupplier clock;
  private final Settings settings;
  private final List<Listener> listeners;
  private final Thread.UncaughtExceptionHandler fatal;
  private final SubmissionQueue<Submission> queue;
  private final Thread writer;
  private final int eventsPerCommandMax;
  private final SequencerMetrics metrics;

  private volatile boolean stopping;
  private volatile Throwable failure;
  private volatile long durableSequence;
  /** Set once the writer will take no more commands (stopped or failed). */
  private volatile boolean exited;
  private long time;
  private long eventsSinceSnapshot;

  // The writer's working set, reused from batch to batch; only the writer touches it.
  private final List<Submission> batch;
  private final List<Event> events = new ArrayList<>();
  private final int[] starts;
  private final int[] ends;
  private final Result[] results;
  private Pass lastPass;
  private boolean caughtUp;
  /** Open once the holds that fell due while the service was down are expired, durably. */
  private final CountDownLatch startupCaughtUp = new CountDownLatch(1);

  public Sequencer(Ledger ledger, LongSupplier clock, Settings settings, List<Listener> listeners,
      SequencerMetrics metrics, Thread.UncaughtExceptionHandler fatal) {
    this.ledger = ledger;
    this.clock = clock;
    this.settings = settings;
    this.listeners = List.copyOf(listeners);
    this.metrics = metrics;
    this.fatal = fatal;
    this.queue = new SubmissionQueue<>(settings.queueCapacity());
    this.batch = new ArrayList<>(settings.batchCommandsMax());
    this.starts = new int[settings.batchCommandsMax()];
    this.ends = new int[settings.batchCommandsMax()];
    this.results = new Result[settings.batchCommandsMax()];
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
        pass(null);
      }
      startupCaughtUp.countDown();
      while (true) {
        Submission first = awaitWork();
        if (first == null && stopping && queue.isEmpty()) {
          snapshotAtStop();
          return;
        }
        pass(first);
      }
    } catch (Throwable error) {
      fail(error);
    } finally {
      startupCaughtUp.countDown(); // also when the catch-up itself failed
      exit();
    }
  }

  /**
   * A graceful stop leaves a snapshot of the final state, so the next start replays nothing.
   * (A crash leaves at most snapshotEveryEvents plus one batch to replay.)
   */
  private void snapshotAtStop() throws IOException {
    if (eventsSinceSnapshot > 0) {
      snapshot();
    }
  }

  private void snapshot() throws IOException {
    long bytes = ledger.snapshot();
    if (bytes < 0) {
      LOG.warn("no snapshot written at sequence {}: the state is {} bytes, more than the"
          + " journal's snapshotBytesMax; restarts replay from the previous one",
          ledger.engine().sequence(), -bytes);
    }
    eventsSinceSnapshot = 0;
  }

  /**
   * The simulation's seam: one writer pass on the calling thread, the very code the writer
   * thread runs (catch-up first, then one batch of what is queued, or a tick when a hold is
   * due). For a sequencer that was never {@link #start started}: one thread drives it, so a
   * seeded test decides every interleaving of clients, clock, faults and crashes.
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
          pass(null);
          return lastPass;
        }
        caughtUp = true;
      }
      Submission first = queue.poll();
      if (first == null && ledger.engine().nextExpiryAt() > Math.max(time, clock.getAsLong())) {
        return null;
      }
      pass(first);
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

  /** One batch: {@code first} and what else is queued (a tick when null), made durable. */
  private void pass(Submission first) throws IOException {
    batch.clear();
    events.clear();
    stampTime();
    if (first == null) {
      ledger.apply(time, TICK, events); // a hold fell due with nothing else to do
    } else {
      fill(first);
    }
    List<Event> produced = List.copyOf(events);
    lastPass = new Pass(time, first == null, batch.size(), produced);
    commit(produced);
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

  private void stampTime() {
    time = Math.max(time, clock.getAsLong()); // a clock stepping back never moves time back
  }

  /** Applies the first command and as many queued ones as the batch limits allow. */
  private void fill(Submission first) {
    Submission next = first;
    int budget = ledger.batchEventsMax();
    long batchFirst = ledger.engine().sequence() + 1;
    while (next != null) {
      results[batch.size()] = ledger.apply(time, next.command(), events);
      starts[batch.size()] = (int) (ledger.engine().commandFirstSequence() - batchFirst);
      batch.add(next);
      ends[batch.size() - 1] = events.size();
      if (batch.size() == settings.batchCommandsMax()
          || events.size() + eventsPerCommandMax > budget) {
        return;
      }
      next = queue.poll();
    }
  }

  private void commit(List<Event> durable) throws IOException {
    long started = System.nanoTime();
    ledger.commit(durable); // throws: nothing below runs, the batch is failed by fail()
    long synced = System.nanoTime();
    long sequence = ledger.engine().sequence();
    durableSequence = sequence;
    metrics.batch(batch.size(), durable.size(), synced - started);
    // The view first, then the answers: a caller that reads right after its ack sees its write.
    if (!durable.isEmpty()) {
      for (Listener listener : listeners) {
        listener.onDurable(durable, sequence);
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).future().complete(new Outcome(results[i],
          durable.subList(Math.min(starts[i], ends[i]), ends[i]), sequence));
    }
    eventsSinceSnapshot += durable.size();
    if (eventsSinceSnapshot >= settings.snapshotEveryEvents()) {
      snapshot();
    }
  }

  /** Writes stop for good: the batch in hand and everything queued are refused. */
  private void fail(Throwable error) {
    failure = error;
    failQueued(error);
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
    failQueued(failure);
  }

  private void failQueued(Throwable error) {
    WritesUnavailableException refused = refusal(error);
    for (Submission submission : batch) {
      submission.future().completeExceptionally(refused);
    }
    drainRefusing(refused);
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
