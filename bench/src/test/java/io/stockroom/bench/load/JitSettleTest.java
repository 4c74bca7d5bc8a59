package io.stockroom.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JitSettleTest {

  @Test
  void endsAfterOneQuietWindow() {
    long waited = JitSettle.await(() -> 1_234, 10_000, new AtomicBoolean());

    assertThat(waited).isBetween(JitSettle.WINDOW_MILLIS, 3 * JitSettle.WINDOW_MILLIS);
  }

  @Test
  void waitsWhileTheCompilersAreBusyButNoLongerThanItsBound() {
    AtomicLong compiled = new AtomicLong();
    // Every look finds 100 ms more compilation: never quiet.
    long waited = JitSettle.await(() -> compiled.addAndGet(100), 1_600, new AtomicBoolean());

    assertThat(waited).isBetween(1_600L, 1_600L + 2 * JitSettle.WINDOW_MILLIS);
    assertThat(compiled.get()).isGreaterThanOrEqualTo(400); // it looked again each window
  }

  @Test
  void aStoppedRunDoesNotWait() {
    assertThat(JitSettle.await(() -> System.nanoTime(), 10_000, new AtomicBoolean(true)))
        .isLessThan(JitSettle.WINDOW_MILLIS);
  }
}
