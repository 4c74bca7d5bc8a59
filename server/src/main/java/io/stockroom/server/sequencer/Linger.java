package io.stockroom.server.sequencer;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * How long the writer holds a batch open for commands still arriving, so that they share its
 * fsync. An fsync costs the same CPU whatever it covers (about 80 µs on the benchmark machine,
 * docs/BENCHMARKS.md), and with hundreds of requests in flight on two cores the back-to-back
 * fsyncs of batches of a few commands took CPU the requests needed.
 *
 * <p>Waiting costs latency and only pays back when CPU is short, so the writer waits only
 * ({@link #worthWaiting}) while recent batches had company (a lone client is never held) and
 * the process used at least {@link #CPU_BUSY_SHARE} of the machine's processors over the last
 * {@link #CPU_SAMPLE_NANOS}: with CPU to spare, an fsync more takes nothing from the requests,
 * and holding a few clients' commands back only slows them down. It then waits in slices of
 * {@link #SLICE_NANOS} and stops at the first slice that brought no command, or at {@code
 * lingerNanosMax}, or once a full batch is queued.
 */
final class Linger {

  /** How long each wait is; a slice that brings no command ends the linger. */
  static final long SLICE_NANOS = 250_000;
  /** The share of all processors the process must have used for the CPU to count as short. */
  static final double CPU_BUSY_SHARE = 0.9;
  /** How often the process's CPU use is sampled. */
  static final long CPU_SAMPLE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  /** Waits about {@code nanos}: parks the writer in production, moves a clock in tests. */
  interface Pause {
    void pause(long nanos);
  }

  private final long lingerNanosMax;
  private final LongSupplier nanoTime;
  private final Pause pause;
  /** The process's CPU time so far, in nanoseconds; negative when unknown. */
  private final LongSupplier cpuNanos;
  private final int processors;
  /**
   * Commands per batch, a moving average that halves the weight of each older batch: at least
   * two while commands come several at a time, so a lone client is never held, and one lone
   * command in a busy stream (the first back after a big batch was answered) does not stop it.
   */
  private double recentBatchCommands;
  private long sampledAt;
  private long sampledCpu;
  private boolean sampled;
  private boolean cpuShort;

  Linger(long lingerNanosMax, LongSupplier nanoTime, Pause pause, LongSupplier cpuNanos,
      int processors) {
    if (lingerNanosMax < 0) {
      throw new IllegalArgumentException("lingerNanosMax must not be negative: "
          + lingerNanosMax);
    }
    this.lingerNanosMax = lingerNanosMax;
    this.nanoTime = nanoTime;
    this.pause = pause;
    this.cpuNanos = cpuNanos;
    this.processors = processors;
    this.sampledAt = nanoTime.getAsLong();
    this.sampledCpu = cpuNanos.getAsLong();
  }

  /**
   * The writer's linger: parks the calling thread, measures with {@link System#nanoTime} and
   * the process's CPU time (never waits on a JVM that does not report it).
   */
  static Linger parking(long lingerNanosMax) {
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    LongSupplier cpu = os instanceof com.sun.management.OperatingSystemMXBean hotspot
        ? hotspot::getProcessCpuTime : () -> -1;
    return new Linger(lingerNanosMax, System::nanoTime, LockSupport::parkNanos, cpu,
        Runtime.getRuntime().availableProcessors());
  }

  /** The writer took a batch of {@code commands}. */
  void batchTaken(int commands) {
    recentBatchCommands = (recentBatchCommands + commands) / 2;
  }

  /**
   * Whether a batch should wait for more: lingering is on, recent batches averaged at least
   * two commands, and the CPU was short at the last sample (taken here, at most every {@link
   * #CPU_SAMPLE_NANOS}; the first one covers the time since this linger was made).
   */
  boolean worthWaiting() {
    if (lingerNanosMax == 0 || recentBatchCommands < 2) {
      return false;
    }
    long now = nanoTime.getAsLong();
    long elapsed = now - sampledAt;
    if (!sampled || elapsed >= CPU_SAMPLE_NANOS) { // the first covers the time since made
      long cpu = cpuNanos.getAsLong();
      cpuShort = elapsed > 0 && cpu >= 0 && sampledCpu >= 0
          && cpu - sampledCpu >= CPU_BUSY_SHARE * processors * elapsed;
      sampledAt = now;
      sampledCpu = cpu;
      sampled = true;
    }
    return cpuShort;
  }

  /**
   * Waits while commands keep arriving: returns when a slice brought none, when {@code
   * queuedMax} are queued, when {@code stop} says so, or after {@code lingerNanosMax}.
   *
   * @param queued how many commands are queued now
   * @return how long it waited, in nanoseconds
   */
  long await(IntSupplier queued, int queuedMax, BooleanSupplier stop) {
    long started = nanoTime.getAsLong();
    long deadline = started + lingerNanosMax;
    int seen = queued.getAsInt();
    while (seen < queuedMax && !stop.getAsBoolean()) {
      long left = deadline - nanoTime.getAsLong();
      if (left <= 0) {
        break;
      }
      pause.pause(Math.min(left, SLICE_NANOS));
      int now = queued.getAsInt();
      if (now <= seen) {
        break; // nobody came in a whole slice: the rest are not about to
      }
      seen = now;
    }
    return nanoTime.getAsLong() - started;
  }
}
