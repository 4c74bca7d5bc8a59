package io.stockroom.server.sequencer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The linger's stopping rules, on a clock the pause moves: no test here waits for real. */
class LingerTest {

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final AtomicInteger queued = new AtomicInteger();
  private final AtomicInteger pauses = new AtomicInteger();
  /** The process's CPU time: tests move it with the clock to say how busy it was. */
  private final AtomicLong cpu = new AtomicLong();

  /** Each pause moves the clock by what was asked and lets {@code arriving} commands in. */
  private Linger linger(long lingerNanosMax, int arriving) {
    return new Linger(lingerNanosMax, clock::get, nanos -> {
      assertThat(nanos).isPositive().isLessThanOrEqualTo(Linger.SLICE_NANOS);
      clock.addAndGet(nanos);
      queued.addAndGet(arriving);
      pauses.incrementAndGet();
    }, cpu::get, 2);
  }

  /** {@code elapsed} nanoseconds pass, in which the process used {@code share} of 2 CPUs. */
  private void busy(long elapsed, double share) {
    clock.addAndGet(elapsed);
    cpu.addAndGet((long) (share * 2 * elapsed));
  }

  @Test
  void whileCommandsKeepArrivingItWaitsUpToItsMaximum() {
    long max = 4 * Linger.SLICE_NANOS + Linger.SLICE_NANOS / 5; // four slices and a fifth

    long waited = linger(max, 1).await(queued::get, 1_000, () -> false);

    assertThat(waited).isEqualTo(max);
    assertThat(pauses).hasValue(5);
    assertThat(queued).hasValue(5);
  }

  @Test
  void theFirstSliceThatBringsNobodyEndsIt() {
    Linger linger = new Linger(10_000_000, clock::get, nanos -> {
      clock.addAndGet(nanos);
      if (pauses.incrementAndGet() <= 3) {
        queued.incrementAndGet(); // three slices bring one command each, the fourth none
      }
    }, cpu::get, 2);

    long waited = linger.await(queued::get, 1_000, () -> false);

    assertThat(pauses).hasValue(4);
    assertThat(waited).isEqualTo(4 * Linger.SLICE_NANOS);
  }

  @Test
  void aFullBatchEndsItAtOnce() {
    long waited = linger(10_000_000, 3).await(queued::get, 7, () -> false);

    assertThat(pauses).hasValue(3); // 3, 6, then 9 >= 7
    assertThat(waited).isEqualTo(3 * Linger.SLICE_NANOS);

    queued.set(7);
    assertThat(linger(10_000_000, 3).await(queued::get, 7, () -> false)).isZero();
    assertThat(pauses).hasValue(3);
  }

  @Test
  void aStopEndsIt() {
    AtomicInteger asked = new AtomicInteger();

    long waited = linger(10_000_000, 1).await(queued::get, 1_000,
        () -> asked.incrementAndGet() > 2);

    assertThat(pauses).hasValue(2);
    assertThat(waited).isEqualTo(2 * Linger.SLICE_NANOS);
  }

  @Test
  void itIsWorthWaitingOnlyWhenBatchesHaveCompanyAndTheCpuIsShort() {
    Linger linger = linger(2_000_000, 1);
    busy(Linger.CPU_SAMPLE_NANOS, 0.95);

    linger.batchTaken(3); // the average: 1.5
    assertThat(linger.worthWaiting()).isFalse(); // below two: not even sampled
    linger.batchTaken(3); // 2.25
    assertThat(linger.worthWaiting()).isTrue();
    linger.batchTaken(8);
    busy(Linger.CPU_SAMPLE_NANOS / 2, 0.1);
    assertThat(linger.worthWaiting()).isTrue(); // too soon to sample again: still short

    busy(Linger.CPU_SAMPLE_NANOS / 2, 0.1); // 0.1 of the CPUs over the whole sample
    assertThat(linger.worthWaiting()).isFalse();
    busy(Linger.CPU_SAMPLE_NANOS, Linger.CPU_BUSY_SHARE - 0.02);
    assertThat(linger.worthWaiting()).isFalse();
    busy(Linger.CPU_SAMPLE_NANOS, Linger.CPU_BUSY_SHARE + 0.02);
    assertThat(linger.worthWaiting()).isTrue();
  }

  @Test
  void neverWorthWaitingWhenOffOrWhenTheCpuTimeIsUnknown() {
    Linger off = linger(0, 1);
    off.batchTaken(100);
    busy(Linger.CPU_SAMPLE_NANOS, 1.0);
    assertThat(off.worthWaiting()).isFalse();

    Linger blind = new Linger(2_000_000, clock::get, nanos -> { }, () -> -1, 2);
    blind.batchTaken(100);
    clock.addAndGet(Linger.CPU_SAMPLE_NANOS);
    assertThat(blind.worthWaiting()).isFalse();
  }

  @Test
  void aNegativeMaximumIsRefused() {
    assertThatThrownBy(() -> linger(-1, 1)).isInstanceOf(IllegalArgumentException.class);
  }
}
