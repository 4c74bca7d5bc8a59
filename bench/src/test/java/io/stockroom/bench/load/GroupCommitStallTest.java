package io.stockroom.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The durable ceiling's wait: released only after a sync, many waiters per sync, never hung. */
class GroupCommitStallTest {

  @Test
  void everyWaiterIsReleasedOnlyAfterASyncCoveredItsRecord() throws Exception {
    int threads = 64;
    int awaitsEach = 50;
    AtomicLong returned = new AtomicLong();
    ConcurrentLinkedQueue<String> early = new ConcurrentLinkedQueue<>();
    try (GroupCommitStall stall = GroupCommitStall.open()) {
      List<Thread> started = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        started.add(Thread.ofVirtual().start(() -> {
          for (int i = 0; i < awaitsEach; i++) {
            stall.await();
            long released = returned.incrementAndGet();
            long synced = stall.syncedRecords();
            if (synced < released) { // a waiter went on before its record was synced
              early.add(released + " released, " + synced + " synced");
            }
          }
        }));
      }
      for (Thread thread : started) {
        thread.join();
      }
      assertThat(early).isEmpty();
      assertThat(returned).hasValue(threads * awaitsEach);
      assertThat(stall.syncedRecords()).isEqualTo(threads * awaitsEach);
      // 64 waiters at once share syncs: group commit, not one fdatasync a request.
      assertThat(stall.syncs()).isBetween(1L, threads * awaitsEach - 1L);
    }
  }

  @Test
  void aWaiterAfterCloseIsRefusedRatherThanLeftHanging() {
    GroupCommitStall stall = GroupCommitStall.open();
    stall.await();
    stall.close();
    assertThatThrownBy(stall::await).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void theDurableCeilingScenarioAnswersEveryRequestAfterItsSync() {
    LoadReport report = LoadTest.run(LoadConfig.builder(LoadConfig.Scenario.DURABLE_CEILING)
        .concurrency(16).duration(Duration.ofSeconds(1)).build());

    assertThat(report.scenario()).isEqualTo("durable-ceiling");
    assertThat(report.requests()).isPositive();
    assertThat(report.statuses()).containsOnlyKeys("ceiling 200");
    assertThat(report.errors()).isZero();
    assertThat(new LoadTestMain.ScenarioConverter().convert("durable-ceiling"))
        .isEqualTo(LoadConfig.Scenario.DURABLE_CEILING);
  }
}
