package io.stockroom.server.sequencer;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The writer's input: a bounded FIFO that request threads add to without a lock, taken from by
 * one writer thread that may wait for it. It replaces an ArrayBlockingQueue, whose one lock the
 * writer holds while it takes: when the writer was preempted holding it (three busy threads on
 * two cores), every request thread that tried to submit parked on the lock, and each such park
 * of a virtual thread (its stack copied to the heap and back, a wake-up to reschedule it) cost
 * more than the submission. Here a producer reserves a slot with a compare-and-set, links
 * its item with a CAS and wakes the writer only when the writer is waiting.
 *
 * <p>Methods are the ArrayBlockingQueue ones the sequencer uses. {@link #poll()} may be called
 * from any thread; {@link #poll(long, TimeUnit)} only from the writer (one waiter at a time).
 */
final class SubmissionQueue<E> {

  private final ConcurrentLinkedQueue<E> items = new ConcurrentLinkedQueue<>();
  /** Slots taken: reserved before an item is linked, given back after it is unlinked. */
  private final AtomicInteger taken = new AtomicInteger();
  private final int capacity;
  /** The writer while it waits in the timed poll, else null: whom a producer must wake. */
  private volatile Thread waiter;

  SubmissionQueue(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
  }

  /** Adds {@code item} unless {@code capacity} items are queued; never waits. */
  boolean offer(E item) {
    int slots;
    do { // a CAS rather than increment-then-undo, so that size() never reads past capacity
      slots = taken.get();
      if (slots >= capacity) {
        return false;
      }
    } while (!taken.compareAndSet(slots, slots + 1));
    items.offer(item);
    Thread writer = waiter; // read after the item is linked: see the timed poll
    if (writer != null) {
      LockSupport.unpark(writer);
    }
    return true;
  }

  /** The oldest item, or null when none is queued. */
  E poll() {
    E item = items.poll();
    if (item != null) {
      taken.decrementAndGet();
    }
    return item;
  }

  /**
   * The oldest item, waiting up to {@code timeout} for one; null when none came. The caller
   * announces itself before it looks again and a producer looks for it after linking, so one
   * of the two always sees the other: no item is left behind a sleeping writer.
   */
  E poll(long timeout, TimeUnit unit) throws InterruptedException {
    E item = poll();
    if (item != null) {
      return item;
    }
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    waiter = Thread.currentThread();
    try {
      while (true) { // bounded by the deadline
        item = poll();
        if (item != null) {
          return item;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return null;
        }
        LockSupport.parkNanos(this, left);
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
      }
    } finally {
      waiter = null;
    }
  }

  /** Items queued, including ones whose producers are linking them right now. */
  int size() {
    return taken.get();
  }

  boolean isEmpty() {
    return items.isEmpty();
  }
}
