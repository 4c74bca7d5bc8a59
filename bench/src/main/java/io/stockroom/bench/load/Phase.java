package io.stockroom.bench.load;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * One measured (or warm-up) phase: sessions of a workload started in a closed or an open loop
 * for a duration, then drained. Every session runs on its own virtual thread; the phase ends
 * at the duration (a finite workload sooner, when its last session is done), and in any case
 * by {@code hardDeadlineNanos}, abandoning what is still running.
 */
final class Phase {

  private final Workload workload;
  private final Http http;
  private final Measurements measurements;
  private final Outcomes outcomes;
  private final LoadConfig config;
  private final long hardDeadlineNanos;
  private final AtomicBoolean stop;
  private final LongAdder inFlight = new LongAdder();
  private final AtomicLong dispatched = new AtomicLong();
  private volatile long startNanos;
  private volatile long periodNanos;
  private volatile long due;

  /** What the phase did. */
  record Result(long startNanos, long endNanos, long sessions, long unsent) {}

  Phase(Workload workload, Http http, Measurements measurements, Outcomes outcomes,
      LoadConfig config, long hardDeadlineNanos, AtomicBoolean stop) {
    this.workload = workload;
    this.http = http;
    this.measurements = measurements;
    this.outcomes = outcomes;
    this.config = config;
    this.hardDeadlineNanos = hardDeadlineNanos;
    this.stop = stop;
  }

  Result run(long durationNanos) throws InterruptedException {
    return config.loop == LoadConfig.Loop.CLOSED ? closed(durationNanos) : open(durationNanos);
  }

  long inFlight() {
    return inFlight.sum();
  }

  /** Open loop: sessions whose slot has come but that are not sent yet. */
  long waiting() {
    if (periodNanos == 0 || startNanos == 0) {
      return 0;
    }
    long dueNow = Math.min(due, (System.nanoTime() - startNanos) / periodNanos + 1);
    return Math.max(0, dueNow - dispatched.get());
  }

  private Result closed(long durationNanos) throws InterruptedException {
    int clients = (int) Math.min(config.concurrency, workload.sessionsMax());
    java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
    List<Thread> threads = new ArrayList<>(clients);
    for (int c = 0; c < clients; c++) {
      threads.add(Thread.ofVirtual().name("client-" + c).start(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        long until = startNanos + durationNanos;
        while (!stop.get() && System.nanoTime() < until) {
          long index = dispatched.getAndIncrement();
          if (index >= workload.sessionsMax()) {
            return;
          }
          session(index, System.nanoTime());
        }
      }));
    }
    startNanos = System.nanoTime();
    go.countDown();
    joinAll(threads);
    return new Result(startNanos, System.nanoTime(), Math.min(dispatched.get(), workload.sessionsMax()), 0);
  }

  private Result open(long durationNanos) throws InterruptedException {
    Semaphore permits = new Semaphore(config.concurrency);
    periodNanos = Math.max(1, 1_000_000_000L / config.ratePerSecond);
    startNanos = System.nanoTime();
    long endNanos = startNanos + durationNanos;
    due = Math.min(workload.sessionsMax(), durationNanos / periodNanos + 1);
    for (long index = 0; index < due && !stop.get(); index++) {
      long intended = startNanos + index * periodNanos;
      for (long now = System.nanoTime(); now < intended && !stop.get(); now = System.nanoTime()) {
        LockSupport.parkNanos(intended - now); // pacing to the schedule, not waiting on a state
      }
      long left = endNanos - System.nanoTime();
      if (!permits.tryAcquire(Math.max(0, left), TimeUnit.NANOSECONDS)) {
        break; // the in-flight bound held until the end: the rest of the schedule is unsent
      }
      dispatched.incrementAndGet();
      long session = index;
      Thread.ofVirtual().start(() -> {
        try {
          session(session, intended);
        } finally {
          permits.release();
        }
      });
    }
    long waitNanos = hardDeadlineNanos - System.nanoTime();
    if (!permits.tryAcquire(config.concurrency, Math.max(0, waitNanos), TimeUnit.NANOSECONDS)) {
      stop.set(true); // the hard bound: whatever still runs is abandoned
    }
    return new Result(startNanos, System.nanoTime(), dispatched.get(), due - dispatched.get());
  }

  private void session(long index, long intendedNanos) {
    inFlight.increment();
    try {
      workload.run(index, new Session(http, measurements, outcomes, config.seed, index,
          intendedNanos));
    } finally {
      inFlight.decrement();
    }
  }

  private void joinAll(List<Thread> threads) throws InterruptedException {
    for (Thread thread : threads) {
      long left = hardDeadlineNanos - System.nanoTime();
      if (left <= 0 || !thread.join(java.time.Duration.ofNanos(left))) {
        stop.set(true); // the hard bound: whatever still runs is abandoned
        return;
      }
    }
  }
}
