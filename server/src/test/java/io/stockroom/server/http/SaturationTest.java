package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.journal.FileStorage;
import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.sequencer.Sequencer;
import io.stockroom.server.testing.GatedStorage;
import io.stockroom.server.testing.Service;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full write queue answers 503 with Retry-After at once, and the service keeps serving. */
class SaturationTest {

  @TempDir
  Path data;

  @Test
  void fullQueueAnswers503WithRetryAfterAndServiceRecovers() throws Exception {
    GatedStorage storage = new GatedStorage(FileStorage.open(data.resolve("journal")));
    int capacity = 4;
    try (Service service = new Service(data, config -> withQueue(config, capacity), storage);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      service.put("/v1/items/tee", "{\"name\":\"T\"}");
      service.post("/v1/items/tee/receive", "{\"quantity\":100}");
      storage.close(); // the syncer will wait inside its next fsync
      try {
        holdThenRefuse(service, storage, pool, capacity);
      } finally {
        storage.open(); // a failed assertion must not leave the service stuck at the gate
      }
    }
  }

  private static void holdThenRefuse(Service service, GatedStorage storage, ExecutorService pool,
    int capacity) throws Exception {
    List<Future<HttpResponse<String>>> held = new CopyOnWriteArrayList<>();
    held.add(pool.submit(() -> service.post("/v1/items/tee/receive", "{\"quantity\":1}")));
    storage.syncsWaiting.acquire();
    // One command per batch: the writer applies BATCHES_IN_FLIGHT + 1 more ahead of the
    // stalled disk (handed over, and one in hand), then waits; the rest fill the queue. If
    // they arrive faster than the writer takes its share, the queue is full for a moment and
    // refuses one, rightly; it is sent again until the writer's share is taken and the queue
    // is full for good.
    for (int i = 0; i < Sequencer.BATCHES_IN_FLIGHT + 1 + capacity; i++) {
      held.add(pool.submit(() -> service.post("/v1/items/tee/receive", "{\"quantity\":1}")));
    }
    List<HttpResponse<String>> refusedEarly = new CopyOnWriteArrayList<>();
    // A slow machine (CI's two cores under a full build) can take longer than Awaitility's
    // default 10 s to get seven requests queued; the condition, not the clock, is the test.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> {
      for (int i = 0; i < held.size(); i++) {
        Future<HttpResponse<String>> future = held.get(i);
        if (future.state() == Future.State.SUCCESS && future.resultNow().statusCode() == 503) {
          refusedEarly.add(future.resultNow());
          held.set(i, pool.submit(() -> service.post("/v1/items/tee/receive",
              "{\"quantity\":1}")));
        }
      }
      // Every held request inside the server and the queue full: then the writer has taken
      // its share (a request refused and sent again is in neither until it arrives).
      return service.stockroom().routes() != null
          && saturated(service, held.size(), capacity);
    });
    assertThat(refusedEarly).as("refused only while the queue was full")
        .allSatisfy(early -> assertThat(early.body()).contains("the write queue is full"))
        .hasSizeLessThanOrEqualTo(Sequencer.BATCHES_IN_FLIGHT + 1);

    HttpResponse<String> refused = service.post("/v1/items/tee/receive", "{\"quantity\":1}");
    HttpResponse<String> read = service.get("/v1/items/tee");

    assertThat(refused.statusCode()).isEqualTo(503);
    assertThat(refused.headers().firstValue("Retry-After")).contains("1");
    assertThat(refused.body()).contains("urn:stockroom:problem:overloaded");
    assertThat(read.statusCode()).as("reads go on while writes queue").isEqualTo(200);
    storage.open();
    for (Future<HttpResponse<String>> future : held) {
      assertThat(future.get().statusCode()).isEqualTo(200);
    }
    assertThat(service.post("/v1/items/tee/receive", "{\"quantity\":1}").statusCode())
        .isEqualTo(200);
  }

  private static boolean saturated(Service service, int inFlight, int capacity) {
    List<String> metrics = service.get("/metrics").body().lines().toList();
    return metric(metrics, "stockroom_queue_depth") == capacity
        && metric(metrics, "stockroom_http_requests_in_flight") == inFlight;
  }

  private static double metric(List<String> metrics, String name) {
    return metrics.stream().filter(line -> line.startsWith(name + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
        .findFirst().orElse(Double.NaN);
  }

  private static ServerConfig withQueue(ServerConfig d, int capacity) {
    return d.withQueueCapacity(capacity).withBatchCommandsMax(1);
  }
}
