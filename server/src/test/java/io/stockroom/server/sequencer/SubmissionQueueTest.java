package io.stockroom.server.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class SubmissionQueueTest {

  @Test
  void refusesPastItsCapacityAndTakesAgainOnceOneIsTaken() {
    SubmissionQueue<Integer> queue = new SubmissionQueue<>(3);
    assertThat(queue.offer(1)).isTrue();
    assertThat(queue.offer(2)).isTrue();
    assertThat(queue.offer(3)).isTrue();
    assertThat(queue.offer(4)).isFalse();
    assertThat(queue.size()).isEqualTo(3);

    assertThat(queue.poll()).isEqualTo(1);
    assertThat(queue.offer(5)).isTrue();
    assertThat(List.of(queue.poll(), queue.poll(), queue.poll())).containsExactly(2, 3, 5);
    assertThat(queue.poll()).isNull();
    assertThat(queue.isEmpty()).isTrue();
    assertThat(queue.size()).isZero();
  }

  @Test
  void aWaitingWriterIsWokenByTheNextOffer() throws Exception {
    SubmissionQueue<String> queue = new SubmissionQueue<>(10);
    CompletableFuture<String> taken = new CompletableFuture<>();
    Thread writer = Thread.ofPlatform().start(() -> {
      try {
        taken.complete(queue.poll(60, TimeUnit.SECONDS));
      } catch (InterruptedException e) {
        taken.completeExceptionally(e);
      }
    });
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> writer.getState() == Thread.State.TIMED_WAITING);

    long offered = System.nanoTime();
    queue.offer("first");

    // Long before the minute the writer said it would wait.
    assertThat(taken.get(10, TimeUnit.SECONDS)).isEqualTo("first");
    assertThat(System.nanoTime() - offered).isLessThan(TimeUnit.SECONDS.toNanos(10));
  }

  @Test
  void aTimedPollWithNothingOfferedReturnsNullAtItsDeadline() throws Exception {
    SubmissionQueue<String> queue = new SubmissionQueue<>(10);
    long started = System.nanoTime();
    assertThat(queue.poll(50, TimeUnit.MILLISECONDS)).isNull();
    assertThat(System.nanoTime() - started).isGreaterThanOrEqualTo(
        TimeUnit.MILLISECONDS.toNanos(50));
  }

  @Test
  void manyProducersAndOneWaitingWriterLoseNothingAndNeverPassTheBound() throws Exception {
    int producers = 8;
    int each = 20_000;
    int capacity = 64;
    SubmissionQueue<Integer> queue = new SubmissionQueue<>(capacity);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int first = p * each;
      threads.add(Thread.ofVirtual().start(() -> {
        for (int i = first; i < first + each; i++) {
          while (!queue.offer(i)) {
            Thread.onSpinWait(); // full: the writer will take some
          }
        }
      }));
    }
    Set<Integer> seen = new HashSet<>();
    int sizeMax = 0;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (seen.size() < producers * each && System.nanoTime() < deadline) {
      sizeMax = Math.max(sizeMax, queue.size());
      Integer item = queue.poll(100, TimeUnit.MILLISECONDS);
      if (item != null) {
        assertThat(seen.add(item)).as("item %d taken twice", item).isTrue();
      }
    }
    for (Thread thread : threads) {
      thread.join(Duration.ofSeconds(10));
    }

    assertThat(seen).hasSize(producers * each);
    assertThat(sizeMax).isLessThanOrEqualTo(capacity);
    assertThat(queue.poll()).isNull();
  }
}
