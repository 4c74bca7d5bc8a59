package io.stockroom.server.storefront;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.stockroom.server.security.JwtSettings;
import io.stockroom.server.stream.SseClient;
import io.stockroom.server.testing.Service;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The anonymous storefront feed: off by default, buckets only (never a count, anywhere in a
 * response), live changes over SSE, CORS for configured origins only, and its own rate limit.
 */
class AvailabilityFeedTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  /** Any digit in a public response would be a count leaking: the SKUs here have none. */
  private static final Pattern DIGIT = Pattern.compile("[0-9]");

  @TempDir
  Path data;

  private Service service(PublicFeedSettings feed) throws Exception {
    Service service = new Service(data, c -> c.withAccess(JwtSettings.defaults(), feed), null);
    service.put("/v1/items/tee", "{\"name\":\"Tee\"}");
    service.put("/v1/items/mug", "{\"name\":\"Mug\"}");
    return service;
  }

  private static PublicFeedSettings enabled(List<String> origins, int requestsPerSecond) {
    return new PublicFeedSettings(true, 5, origins, requestsPerSecond, 100);
  }

  @Test
  void theFeedIsOffUnlessEnabled() throws Exception {
    try (Service service = service(PublicFeedSettings.defaults())) {
      assertThat(anonymous(service, "/v1/public/availability?sku=tee", null).statusCode())
          .isEqualTo(404);
      assertThat(anonymous(service, "/v1/public/availability/stream?sku=tee", null)
          .statusCode()).isEqualTo(404);
    }
  }

  @Test
  void bucketsFollowStockAndNoCountLeaks() throws Exception {
    try (Service service = service(enabled(List.of(), 1_000))) {
      service.post("/v1/items/tee/receive", "{\"quantity\":10}");
      assertThat(buckets(service, "tee,mug,ghost")).containsExactly(
          Map.entry("ghost", "out_of_stock"), Map.entry("mug", "out_of_stock"),
          Map.entry("tee", "in_stock"));

      reserve(service, 6); // 4 left: low
      assertThat(buckets(service, "tee")).containsEntry("tee", "low");
      reserve(service, 4); // none left
      assertThat(buckets(service, "tee")).containsEntry("tee", "out_of_stock");

      HttpResponse<String> response = anonymous(service, "/v1/public/availability?sku=tee",
          null);
      assertThat(response.body()).doesNotContainPattern(DIGIT);
      JsonNode item = Service.json(response).get("items").get(0);
      assertThat(fieldNames(item)).containsExactlyInAnyOrder("sku", "availability");
    }
  }

  @Test
  void theStreamSendsBucketsOnConnectAndOnlyTheirChanges() throws Exception {
    try (Service service = service(enabled(List.of(), 1_000))) {
      service.post("/v1/items/tee/receive", "{\"quantity\":10}");
      try (SseClient stream = SseClient.connect(HttpClient.newHttpClient(),
          service.uri("/v1/public/availability/stream?sku=tee,mug"), null)) {
        assertThat(stream.events(2, WAIT)).extracting(SseClient.Frame::data).containsExactly(
            "{\"sku\":\"tee\",\"availability\":\"in_stock\"}",
            "{\"sku\":\"mug\",\"availability\":\"out_of_stock\"}");

        reserve(service, 2); // 8 left: still in stock, nothing to send
        service.post("/v1/items/mug/receive", "{\"quantity\":3}"); // mug: low
        reserve(service, 8); // tee: out of stock

        List<SseClient.Frame> changes = stream.events(2, WAIT);
        assertThat(changes).extracting(SseClient.Frame::data).containsExactly(
            "{\"sku\":\"mug\",\"availability\":\"low\"}",
            "{\"sku\":\"tee\",\"availability\":\"out_of_stock\"}");
        for (SseClient.Frame frame : changes) {
          assertThat(frame.id()).as("no event ids: buckets are state").isNull();
          assertThat(frame.data()).doesNotContainPattern(DIGIT);
        }
      }
    }
  }

  @Test
  void corsHeadersGoOnlyToConfiguredOriginsAndOnlyOnTheFeed() throws Exception {
    try (Service service = service(enabled(List.of("https://shop.example"), 1_000))) {
      HttpResponse<String> allowed = anonymous(service, "/v1/public/availability?sku=tee",
          "https://shop.example");
      HttpResponse<String> other = anonymous(service, "/v1/public/availability?sku=tee",
          "https://evil.example");
      HttpResponse<String> api = service.send(HttpRequest.newBuilder(service.uri("/v1/items"))
          .header("Origin", "https://shop.example"));

      assertThat(allowed.headers().firstValue("Access-Control-Allow-Origin"))
          .hasValue("https://shop.example");
      assertThat(allowed.headers().firstValue("Vary")).hasValue("Origin");
      assertThat(other.statusCode()).isEqualTo(200);
      assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
      assertThat(api.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
  }

  @Test
  void anonymousCallersShareOneRateLimitAndBadInputIsRefused() throws Exception {
    try (Service service = service(enabled(List.of(), 2))) {
      List<Integer> statuses = new ArrayList<>();
      HttpResponse<String> limited = null;
      for (int i = 0; i < 4 && limited == null; i++) {
        HttpResponse<String> response = anonymous(service, "/v1/public/availability?sku=tee",
            null);
        statuses.add(response.statusCode());
        limited = response.statusCode() == 429 ? response : null;
      }

      assertThat(limited).as("statuses %s", statuses).isNotNull();
      assertThat(limited.headers().firstValue("Retry-After")).isPresent();
      assertThat(limited.headers().firstValue("Content-Type"))
          .hasValue("application/problem+json");
    }
    try (Service service = new Service(data.resolve("second"),
        c -> c.withAccess(JwtSettings.defaults(), enabled(List.of(), 1_000)), null)) {
      String tooMany = String.join(",", java.util.stream.IntStream
          .rangeClosed(0, AvailabilityFeed.SKUS_MAX).mapToObj(i -> "k" + i).toList());
      for (String query : List.of("", "?sku=", "?sku=a,,b", "?sku=" + tooMany)) {
        HttpResponse<String> response = anonymous(service, "/v1/public/availability" + query,
            null);
        assertThat(response.statusCode()).as(query).isEqualTo(400);
      }
    }
  }

  private static void reserve(Service service, int quantity) {
    HttpResponse<String> response = service.post("/v1/reservations",
        "{\"lines\":[{\"sku\":\"tee\",\"quantity\":" + quantity + "}]}");
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
  }

  private static Map<String, String> buckets(Service service, String skus) {
    HttpResponse<String> response = anonymous(service, "/v1/public/availability?sku=" + skus,
        null);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    Map<String, String> buckets = new TreeMap<>();
    Service.json(response).get("items").forEach(item ->
        buckets.put(item.get("sku").asText(), item.get("availability").asText()));
    return buckets;
  }

  private static HttpResponse<String> anonymous(Service service, String path, String origin) {
    HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path))
        .timeout(Duration.ofSeconds(10));
    if (origin != null) {
      request.header("Origin", origin);
    }
    return service.sendAs(null, request);
  }

  private static Set<String> fieldNames(JsonNode node) {
    Set<String> names = new java.util.TreeSet<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    return names;
  }
}
