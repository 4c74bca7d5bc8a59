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
    List<Future<HttpResponse<String>>> held = new ArrayList<>();
    held.add(pool.submit(() -> service.post("/v1/items/tee/receive", "{\"quantity\":1}")));
    storage.syncsWaiting.acquire();
    // One command per batch: the writer applies BATCHES_IN_FLIGHT + 1 more ahead of the
    // stalled disk (handed over, and one in hand), then waits; the rest fill the queue.
    for (int i = 0; i < Sequencer.BATCHES_IN_FLIGHT + 1 + capacity; i++) {
      held.add(pool.submit(() -> service.post("/v1/items/tee/receive", "{\"quantity\":1}")));
    }
    // A slow machine (CI's two cores under a full build) can take longer than Awaitility's
    // default 10 s to get seven requests queued; the condition, not the clock, is the test.
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(
        () -> service.stockroom().routes() != null && queueFull(service));

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

  private static boolean queueFull(Service service) {
    String metrics = service.get("/metrics").body();
    return metrics.lines().anyMatch(line -> line.startsWith("stockroom_queue_depth ")
        && Double.parseDouble(line.substring(line.indexOf(' ') + 1)) >= 4);
  }

  private static ServerConfig withQueue(ServerConfig d, int capacity) {
    return d.withQueueCapacity(capacity).withBatchCommandsMax(1);
  }
}
