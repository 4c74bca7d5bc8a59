package io.stockroom.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hard time bound ends a run whatever the target does. */
class HardTimeoutTest {

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard, far above the bound under test
  void aRunWhoseTargetNeverAnswersEndsAtTheHardBoundWithoutAnAudit() {
    CountDownLatch never = new CountDownLatch(1);
    CeilingServer.Stall stuck = () -> {
      try {
        never.await(45, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
    LoadConfig config = LoadConfig.builder(LoadConfig.Scenario.CEILING).concurrency(4)
        .duration(Duration.ofMinutes(10)).requestTimeout(Duration.ofMinutes(10))
        .hardTimeout(Duration.ofSeconds(2)).build();

    LoadReport report;
    try {
      report = LoadTest.run(config, p -> { }, stuck);
    } finally {
      never.countDown();
    }

    assertThat(report.figures()).containsEntry("hardTimeoutReached", 1);
    assertThat(report.requests()).isZero();
    assertThat(report.audit()).isNull();
  }
}
