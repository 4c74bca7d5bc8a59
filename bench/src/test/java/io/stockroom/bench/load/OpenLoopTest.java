package io.stockroom.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The open loop against a real HTTP endpoint that stalls on purpose: a stall must show in the
 * latency of every request scheduled during it (measured from its intended send time), not only
 * in the one request that was stuck, and sessions that could not be sent must be counted.
 */
class OpenLoopTest {

  private static final int RATE = 100; // one session every 10 ms

  @Test
  void latencyCountsFromTheIntendedSendTimeSoAStallShowsInEveryDelayedRequest() {
    // The first request is held until 20 more are due; with one request in flight at most,
    // those wait behind it. Request i (i = 1..20) is due at 10 i ms and cannot be sent before
    // the release, which comes after 200 ms: its latency is at least 200 - 10 i ms.
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger answers = new AtomicInteger();
    CeilingServer.Stall stall = () -> awaitIf(answers.getAndIncrement() == 0, release);
    Consumer<Progress> progress = p -> {
      if (p.waiting() >= 20) {
        release.countDown();
      }
    };

    LoadReport report = LoadTest.run(config(Duration.ofSeconds(2)), progress, stall);

    Histogram latencies = report.histogram();
    long atLeast100ms = latencies.getCountBetweenValues(100_000, latencies.getMaxValue());
    // Timed from the send, only the stuck request would be this slow.
    assertThat(atLeast100ms).isGreaterThanOrEqualTo(11);
    assertThat(report.latency().max()).isGreaterThanOrEqualTo(200.0);
    assertThat(report.statuses()).containsKey("ceiling 200");
    assertThat(report.errors()).isZero();
  }

  @Test
  void sessionsThatCouldNotBeSentBeforeTheEndAreCountedAsUnsent() {
    // The first request is held past the end of the 1 s run: nothing else can be sent.
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger answers = new AtomicInteger();
    CeilingServer.Stall stall = () -> awaitIf(answers.getAndIncrement() == 0, release);
    Consumer<Progress> progress = p -> {
      if (p.phase().equals("ceiling") && p.elapsedMillis() >= 1_250) {
        release.countDown();
      }
    };

    LoadReport report = LoadTest.run(config(Duration.ofSeconds(1)), progress, stall);

    // 101 sessions were due (at 0, 10, ..., 1000 ms); about one was sent.
    assertThat(report.unsent()).isGreaterThanOrEqualTo(90);
    assertThat(report.requests() + report.unsent()).isEqualTo(101);
  }

  private static LoadConfig config(Duration duration) {
    return LoadConfig.builder(LoadConfig.Scenario.CEILING).loop(LoadConfig.Loop.OPEN)
        .ratePerSecond(RATE).concurrency(1).duration(duration).build();
  }

  private static void awaitIf(boolean first, CountDownLatch release) {
    if (!first) {
      return;
    }
    try {
      if (!release.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the stalled request");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
