package io.stockroom.bench.load;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * After a warm-up, waits until the JIT compilers have caught up with it: until the JVM's total
 * compilation time grew by less than {@link #QUIET_GROWTH_MILLIS} over {@link #WINDOW_MILLIS},
 * or at most a given time. On two shared cores, five seconds of warm-up leave the C2 compiler a
 * backlog of hot methods (String.startsWith, the JSON parser, Helidon's header code) that it
 * then compiles during the measured phase: in a flash sale, whose burst lasts a fifth of a
 * second, the compiler threads took 45 % of the CPU. A service that has been running meets a
 * sale with that work done; the measured phase should too.
 */
final class JitSettle {

  static final long WINDOW_MILLIS = 500;
  static final long QUIET_GROWTH_MILLIS = 10;

  private JitSettle() {}

  /**
   * Waits as above, at most {@code maxMillis} (also ends when {@code stop} is set); returns the
   * milliseconds it waited, or 0 where the JVM does not report compilation time.
   */
  static long await(long maxMillis, AtomicBoolean stop) {
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
      return 0;
    }
    return await(jit::getTotalCompilationTime, maxMillis, stop);
  }

  /** As above, reading the total compilation time (ms) from {@code compilationMillis}. */
  static long await(LongSupplier compilationMillis, long maxMillis, AtomicBoolean stop) {
    long started = System.nanoTime();
    long deadline = started + TimeUnit.MILLISECONDS.toNanos(maxMillis);
    long before = compilationMillis.getAsLong();
    while (!stop.get() && System.nanoTime() < deadline) {
      // Polling the JVM's compilation counter: there is nothing to wait on instead.
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(WINDOW_MILLIS));
      long now = compilationMillis.getAsLong();
      if (now - before < QUIET_GROWTH_MILLIS) {
        break;
      }
      before = now;
    }
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
  }
}
