package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stockroom.journal.FileStorage;
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

/**
 * With {@code http.requestsInFlightMax} requests being handled, one more is refused at once with
 * 503 and Retry-After, reads included, while health checks and metrics still answer; once the
 * requests in flight finish, requests are served again.
 */
class InFlightLimitTest {

  private static final int IN_FLIGHT_MAX = 2;

  @TempDir
  Path data;

  @Test
  void requestBeyondTheInFlightLimitIsRefusedAtOnceAndHealthStillAnswers() throws Exception {
    GatedStorage storage = new GatedStorage(FileStorage.open(data.resolve("journal")));
    try (Service service = new Service(data, config -> config.withStreams(10, 10_000, 15_000)
            .withHttpLimits(config.httpLimits().withConcurrency(100, IN_FLIGHT_MAX)), storage);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      service.put("/v1/items/tee", "{\"name\":\"T\"}");
      storage.close(); // the writer will wait inside its next fsync, its requests in flight
      List<Future<HttpResponse<String>>> held = new ArrayList<>();
      try {
        held.add(pool.submit(() -> service.post("/v1/items/tee/receive", "{\"quantity\":1}")));
        storage.syncsWaiting.acquire();
        held.add(pool.submit(() -> service.post("/v1/items/tee/receive", "{\"quantity\":2}")));
        await().until(() -> metric(service, "stockroom_http_requests_in_flight ") >= 2);

        HttpResponse<String> write = service.post("/v1/items/tee/receive", "{\"quantity\":4}");
        HttpResponse<String> read = service.get("/v1/items/tee");

        for (HttpResponse<String> refused : List.of(write, read)) {
          assertThat(refused.statusCode()).isEqualTo(503);
          assertThat(refused.headers().firstValue("Retry-After")).contains("1");
          assertThat(refused.headers().firstValue("Content-Type"))
              .contains("application/problem+json");
          assertThat(refused.body()).contains("urn:stockroom:problem:overloaded")
              .contains("http.requestsInFlightMax");
        }
        assertThat(service.get("/health/live").statusCode()).isEqualTo(200);
        assertThat(service.get("/health/ready").statusCode()).isEqualTo(200);
        assertThat(metric(service, "stockroom_http_requests_refused_total{"))
            .isEqualTo(2);
      } finally {
        storage.open(); // also after a failed assertion: the writer must not stay stuck
      }
      for (Future<HttpResponse<String>> future : held) {
        assertThat(future.get().statusCode()).isEqualTo(200);
      }
      HttpResponse<String> after = service.get("/v1/items/tee");
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(Service.json(after).get("totals").get("onHand").asLong())
          .as("the refused receipt of 4 changed nothing").isEqualTo(3);
    }
  }

  private static double metric(Service service, String prefix) {
    return service.get("/metrics").body().lines().filter(line -> line.startsWith(prefix))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }
}
