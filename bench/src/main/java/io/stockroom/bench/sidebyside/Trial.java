package io.stockroom.bench.sidebyside;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs one contender on one workload: {@code clients} virtual threads, each with its own
 * {@link Contender.Session}, send reservations back to back (closed loop, {@code pipelineDepth}
 * in flight per client) through a warm-up and then a measured window. Only requests sent inside
 * the window count towards throughput and latency; every acknowledged one counts towards what
 * the store must hold. The contender's store is then read back and checked ({@link
 * Conservation}).
 */
final class Trial {

  /**
   * @param stopWhenSoldOut a client stops at its first rejection (a flash sale run to the end)
   * @param seed SKU picks of client {@code c} come from {@code seed + c}
   */
  record Settings(int clients, Duration warmup, Duration measure, boolean stopWhenSoldOut,
      long seed) {
    Settings {
      if (clients < 1 || warmup.isNegative() || measure.isZero() || measure.isNegative()) {
        throw new IllegalArgumentException("clients >= 1, warmup >= 0 and measure > 0 needed: "
            + clients + ", " + warmup + ", " + measure);
      }
    }
  }

  /** How long clients may take to finish their last request after the window closes. */
  private static final Duration DRAIN_MAX = Duration.ofSeconds(60);

  private final Contender contender;
  private final Workload workload;
  private final Settings settings;
  private final Recorder latencies = new Recorder(3);
  private final LongAdder accepted = new LongAdder();
  private final LongAdder rejected = new LongAdder();
  private final LongAdder acceptedTotal = new LongAdder();
  private final LongAccumulator lastAnswer = new LongAccumulator(Math::max, Long.MIN_VALUE);
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private long windowStart;
  private long windowEnd;

  private Trial(Contender contender, Workload workload, Settings settings) {
    this.contender = contender;
    this.workload = workload;
    this.settings = settings;
  }

  /** Sets the contender up, runs the clients, checks the store. Does not close the contender. */
  static Measurement run(Contender contender, Workload workload, Settings settings)
      throws Exception {
    contender.setup(workload);
    return new Trial(contender, workload, settings).clientsThenCheck();
  }

  private Measurement clientsThenCheck() throws Exception {
    List<Contender.Session> sessions = new ArrayList<>(settings.clients());
    try {
      for (int c = 0; c < settings.clients(); c++) {
        sessions.add(contender.session(c));
      }
      long now = System.nanoTime();
      windowStart = now + settings.warmup().toNanos();
      windowEnd = windowStart + settings.measure().toNanos();
      List<Thread> threads = new ArrayList<>(sessions.size());
      for (int c = 0; c < sessions.size(); c++) {
        int client = c;
        threads.add(Thread.ofVirtual().name("client-" + c).start(
            () -> runClient(client, sessions.get(client))));
      }
      observeWindow(threads);
      joinAll(threads);
    } finally {
      for (Contender.Session session : sessions) {
        session.close();
      }
    }
    if (failure.get() != null) {
      throw new IllegalStateException(contender.name() + " failed during " + workload.name(),
          failure.get());
    }
    return measurement();
  }

  private void runClient(int client, Contender.Session session) {
    int depth = contender.pipelineDepth();
    String[] holdIds = new String[depth];
    int[] skus = new int[depth];
    boolean[] answers = new boolean[depth];
    SplittableRandom random = new SplittableRandom(settings.seed() + client);
    String prefix = "h" + client + "-";
    long sent = 0;
    try {
      while (failure.get() == null) {
        for (int i = 0; i < depth; i++) {
          holdIds[i] = prefix + (sent++);
          skus[i] = workload.pick(random);
        }
        long started = System.nanoTime();
        if (started >= windowEnd) {
          return;
        }
        session.reserve(holdIds, skus, depth, answers);
        long finished = System.nanoTime();
        if (count(started, finished, answers, depth) && settings.stopWhenSoldOut()) {
          return;
        }
      }
    } catch (Throwable error) {
      failure.compareAndSet(null, error);
    }
  }

  /** Counts one pipeline's answers; true when any was a rejection. */
  private boolean count(long started, long finished, boolean[] answers, int depth) {
    int yes = 0;
    for (int i = 0; i < depth; i++) {
      yes += answers[i] ? 1 : 0;
    }
    acceptedTotal.add(yes);
    if (started >= windowStart) {
      accepted.add(yes);
      rejected.add(depth - yes);
      latencies.recordValueWithCount(finished - started, depth);
      lastAnswer.accumulate(finished);
    }
    return yes < depth;
  }

  /**
   * Tells the contender when the window opens and closes (it may sample its CPU time): closes
   * at the end of the window, or as soon as every client has stopped (a sold-out run).
   */
  private void observeWindow(List<Thread> threads) throws InterruptedException {
    long left = windowStart - System.nanoTime();
    if (left > 0) {
      Thread.sleep(Duration.ofNanos(left)); // scheduling the runner, not waiting on a condition
    }
    contender.windowOpened();
    joinUntil(threads, windowEnd);
    contender.windowClosed();
  }

  /** Joins every thread or returns at {@code deadline}; true when all have ended. */
  private static boolean joinUntil(List<Thread> threads, long deadline)
      throws InterruptedException {
    for (Thread thread : threads) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !thread.join(Duration.ofNanos(left))) {
        return false;
      }
    }
    return true;
  }

  private void joinAll(List<Thread> threads) throws InterruptedException {
    if (!joinUntil(threads, windowEnd + DRAIN_MAX.toNanos())) {
      failure.compareAndSet(null, new IllegalStateException("a client was still waiting for"
          + " an answer " + DRAIN_MAX + " after the window closed"));
    }
  }

  private Measurement measurement() throws Exception {
    Histogram histogram = latencies.getIntervalHistogram();
    // A run that sold out ends before the window does: its rate is over the time it took.
    double seconds = Math.max(1, Math.min(windowEnd, lastAnswer.get()) - windowStart) / 1e9;
    StoreState state = contender.storeState();
    List<String> violations = Conservation.violations(workload, state, acceptedTotal.sum());
    return new Measurement(contender.name(), workload.name(), settings.clients(),
        contender.pipelineDepth(), seconds, accepted.sum(), rejected.sum(), histogram,
        acceptedTotal.sum(), contender.windowCpuNanos(), violations, loadAverage());
  }

  static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
      return fields[0] + " " + fields[1] + " " + fields[2];
    } catch (java.io.IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
