package io.stockroom.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stockroom.server.testing.Service;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-key rate limits against a real server with tiny buckets for read and write keys (1 request
 * per second, bursts of 3) and a roomy one for admin keys, so the test's own bookkeeping (as
 * admin) is never limited. The steady refill means a slow machine may let an extra request
 * through, so the tests send until refused (a bounded number of times) rather than count.
 */
class RateLimitTest {

  private static final RateLimitSettings TINY = new RateLimitSettings(
      new RateLimitSettings.Rate(1, 3), new RateLimitSettings.Rate(1, 3),
      new RateLimitSettings.Rate(10_000, 100_000), 100);
  private static final int ATTEMPTS_MAX = 50;

  @TempDir
  Path data;

  @Test
  void keyOverItsBucketGets429WithRetryAfterWhileAnotherKeyIsServed() throws Exception {
    try (Service service = new Service(data, TINY)) {
      String greedy = service.createKey(Role.READ);
      String other = service.createKey(Role.READ);

      HttpResponse<String> refused = getUntilRefused(service, greedy, "/v1/items");

      assertThat(refused.headers().firstValue("Content-Type")).hasValue("application/problem+json");
      JsonNode problem = Service.json(refused);
      assertThat(problem.get("type").asText()).isEqualTo("urn:stockroom:problem:rate-limited");
      assertThat(problem.get("status").asInt()).isEqualTo(429);
      assertThat(problem.get("detail").asText()).contains(greedy.substring(3, 15));
      long retryAfter = Long.parseLong(refused.headers().firstValue("Retry-After").orElseThrow());
      assertThat(retryAfter).isEqualTo(1); // one token a second: never more than 1 s away
      assertThat(get(service, other, "/v1/items").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void limitedRequestChangesNothing() throws Exception {
    try (Service service = new Service(data, TINY)) {
      service.put("/v1/items/tee", "{\"name\":\"T\"}");
      service.post("/v1/items/tee/receive", "{\"quantity\":1000}");
      String checkout = service.createKey(Role.WRITE);
      int refusals = 0;

      for (int attempt = 0; attempt < ATTEMPTS_MAX && refusals < 3; attempt++) {
        long before = service.sequence();
        HttpResponse<String> response = service.sendAs(checkout,
            HttpRequest.newBuilder(service.uri("/v1/reservations"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"r" + attempt
                    + "\",\"lines\":[{\"sku\":\"tee\",\"quantity\":1}]}")));
        if (response.statusCode() == 429) {
          refusals++;
          assertThat(service.sequence()).as("attempt %d was refused", attempt).isEqualTo(before);
          assertThat(service.get("/v1/reservations/r" + attempt).statusCode()).isEqualTo(404);
        } else {
          assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        }
      }
      assertThat(refusals).isEqualTo(3);
    }
  }

  @Test
  void requestsPassAgainOnceTheBucketRefills() throws Exception {
    try (Service service = new Service(data, TINY)) {
      String key = service.createKey(Role.READ);
      getUntilRefused(service, key, "/v1/items");

      // A refused request takes no token, so polling does not delay the refill it waits for.
      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
          .until(() -> get(service, key, "/v1/items").statusCode() == 200);
    }
  }

  @Test
  void publicRoutesAreNeverLimited() throws Exception {
    try (Service service = new Service(data, TINY)) {
      String key = service.createKey(Role.READ);
      getUntilRefused(service, key, "/v1/items");

      for (int i = 0; i < 20; i++) {
        assertThat(get(service, null, "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(service, key, "/health/ready").statusCode()).isEqualTo(200);
        assertThat(get(service, key, "/openapi.yaml").statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void refusalsAreCountedByRoleNeverByKey() throws Exception {
    try (Service service = new Service(data, TINY)) {
      String key = service.createKey(Role.WRITE);
      getUntilRefused(service, key, "/v1/items");

      String metrics = service.get("/metrics").body();
      assertThat(metrics).containsPattern("stockroom_rate_limited_total\\{role=\"write\"} [1-9]");
      assertThat(metrics).contains("stockroom_rate_limited_total{role=\"read\"} 0.0");
      assertThat(metrics).doesNotContain(key.substring(3, 15));
    }
  }

  /** Sends as {@code key} until a 429 comes back (every other answer must be 200). */
  private static HttpResponse<String> getUntilRefused(Service service, String key, String path) {
    for (int attempt = 0; attempt < ATTEMPTS_MAX; attempt++) {
      HttpResponse<String> response = get(service, key, path);
      if (response.statusCode() == 429) {
        return response;
      }
      assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }
    throw new AssertionError("no 429 after " + ATTEMPTS_MAX + " requests on a bucket of 3");
  }

  private static HttpResponse<String> get(Service service, String key, String path) {
    return service.sendAs(key, HttpRequest.newBuilder(service.uri(path)).GET());
  }
}
