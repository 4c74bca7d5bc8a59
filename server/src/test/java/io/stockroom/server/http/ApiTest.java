package io.stockroom.server.http;

import static io.stockroom.server.testing.Service.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stockroom.server.testing.Service;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiTest {

  @TempDir
  Path data;
  private Service service;

  @BeforeEach
  void start() throws Exception {
    service = new Service(data);
  }

  @AfterEach
  void stop() throws Exception {
    service.close();
  }

  private void stock(String sku, int units) {
    assertThat(service.put("/v1/items/" + sku, "{\"name\":\"" + sku + "\",\"category\":\"tees\"}")
        .statusCode()).isEqualTo(200);
    assertThat(service.post("/v1/items/" + sku + "/receive", "{\"quantity\":" + units + "}")
        .statusCode()).isEqualTo(200);
  }

  @Test
  void itemCanBeStockedReservedConfirmedAndRead() {
    stock("tee", 10);

    HttpResponse<String> reserved = service.post("/v1/reservations",
        "{\"id\":\"r1\",\"lines\":[{\"sku\":\"tee\",\"quantity\":3}],\"customer\":\"alice\"}");
    HttpResponse<String> confirmed = service.post("/v1/reservations/r1/confirm", "");
    HttpResponse<String> item = service.get("/v1/items/tee?minSequence="
        + json(confirmed).get("sequence").asLong());

    assertThat(reserved.statusCode()).isEqualTo(201);
    assertThat(json(reserved).get("state").asText()).isEqualTo("ACTIVE");
    assertThat(json(reserved).get("expiresAt").asLong()).isPositive();
    assertThat(confirmed.statusCode()).isEqualTo(200);
    assertThat(json(confirmed).get("state").asText()).isEqualTo("CONFIRMED");
    JsonNode level = json(item).get("levels").get(0);
    assertThat(level.get("location").asText()).isEqualTo("default");
    assertThat(level.get("onHand").asInt()).isEqualTo(10);
    assertThat(level.get("committed").asInt()).isEqualTo(3);
    assertThat(level.get("available").asInt()).isEqualTo(7);
    assertThat(json(item).get("totals").get("available").asInt()).isEqualTo(7);
    assertThat(service.get("/v1/reservations/r1").body()).contains("\"CONFIRMED\"");
  }

  @Test
  void unchangedItemAnswers304ToItsETag() {
    stock("tee", 1);
    HttpResponse<String> first = service.get("/v1/items/tee");
    String etag = first.headers().firstValue("ETag").orElseThrow();

    HttpResponse<String> again = service.send(HttpRequest.newBuilder(service.uri("/v1/items/tee"))
        .header("If-None-Match", etag).GET());
    service.post("/v1/items/tee/receive", "{\"quantity\":1}");
    HttpResponse<String> changed = service.send(HttpRequest.newBuilder(
        service.uri("/v1/items/tee")).header("If-None-Match", etag).GET());

    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(first.headers().firstValue("Cache-Control")).isPresent();
  }

  @Test
  void concurrentBuyersGetExactlyTheUnitsThereAre() throws Exception {
    int units = 37;
    int buyers = 200;
    stock("drop", units);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<HttpResponse<String>>> responses = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < buyers; i++) {
        String body = "{\"id\":\"buyer-" + i + "\",\"lines\":[{\"sku\":\"drop\",\"quantity\":1}]}";
        responses.add(pool.submit(() -> {
          go.await();
          return service.post("/v1/reservations", body);
        }));
      }
      go.countDown();
      int won = 0;
      int lost = 0;
      for (Future<HttpResponse<String>> future : responses) {
        HttpResponse<String> response = future.get();
        if (response.statusCode() == 201) {
          won++;
        } else {
          assertThat(response.statusCode()).isEqualTo(409);
          assertThat(json(response).get("type").asText())
              .isEqualTo("urn:stockroom:problem:insufficient-stock");
          lost++;
        }
      }
      assertThat(won).isEqualTo(units);
      assertThat(lost).isEqualTo(buyers - units);
    }
    JsonNode level = json(service.get("/v1/items/drop")).get("levels").get(0);
    assertThat(level.get("available").asInt()).isZero();
    assertThat(level.get("reserved").asInt()).isEqualTo(units);
    long held = 0;
    for (JsonNode event : json(service.get("/v1/events?limit=1000")).get("events")) {
      if (event.get("type").asText().equals("hold-reserved")) {
        held += event.get("lines").get(0).get("quantity").asLong();
      }
    }
    assertThat(held).as("the event log accounts for every unit").isEqualTo(units);
  }

  @Test
  void retryWithTheSameKeyGetsTheOriginalResponseAlsoAfterARestart() throws Exception {
    stock("tee", 5);
    String body = "{\"lines\":[{\"sku\":\"tee\",\"quantity\":2}]}";
    HttpRequest.Builder request = HttpRequest.newBuilder(service.uri("/v1/reservations"))
        .header("Content-Type", "application/json").header("Idempotency-Key", "order-7")
        .POST(HttpRequest.BodyPublishers.ofString(body));

    HttpResponse<String> first = service.send(request);
    HttpResponse<String> retry = service.send(request);
    service.restart();
    HttpResponse<String> afterRestart = service.send(HttpRequest.newBuilder(
            service.uri("/v1/reservations")).header("Content-Type", "application/json")
        .header("Idempotency-Key", "order-7").POST(HttpRequest.BodyPublishers.ofString(body)));
    HttpResponse<String> otherBody = service.send(HttpRequest.newBuilder(
            service.uri("/v1/reservations")).header("Content-Type", "application/json")
        .header("Idempotency-Key", "order-7")
        .POST(HttpRequest.BodyPublishers.ofString(body.replace("2", "1"))));

    assertThat(first.statusCode()).isEqualTo(201);
    assertThat(retry.statusCode()).isEqualTo(201);
    assertThat(retry.body()).isEqualTo(first.body());
    assertThat(retry.headers().firstValue("Idempotent-Replayed")).contains("true");
    assertThat(afterRestart.statusCode()).isEqualTo(201);
    assertThat(afterRestart.body()).isEqualTo(first.body());
    assertThat(otherBody.statusCode()).isEqualTo(422);
    assertThat(json(otherBody).get("type").asText())
        .isEqualTo("urn:stockroom:problem:idempotency-key-reused");
    JsonNode level = json(service.get("/v1/items/tee")).get("levels").get(0);
    assertThat(level.get("reserved").asInt()).as("held once, not three times").isEqualTo(2);
  }

  @Test
  void restartBringsBackAcknowledgedStateAndReleasesWhatExpiredWhileDown() throws Exception {
    stock("tee", 10);
    HttpResponse<String> shortHold = service.post("/v1/reservations",
        "{\"id\":\"short\",\"lines\":[{\"sku\":\"tee\",\"quantity\":2}],\"ttlSeconds\":1}");
    service.post("/v1/reservations",
        "{\"id\":\"long\",\"lines\":[{\"sku\":\"tee\",\"quantity\":3}],\"ttlSeconds\":3600}");
    service.post("/v1/reservations/long/confirm", "");
    long expiresAt = json(shortHold).get("expiresAt").asLong();

    service.stockroom().close();
    await().atMost(Duration.ofSeconds(10)).until(() -> System.currentTimeMillis() > expiresAt);
    service.restart();

    await().atMost(Duration.ofSeconds(10)).until(() ->
        json(service.get("/v1/reservations/short")).get("state").asText().equals("EXPIRED"));
    assertThat(json(service.get("/v1/reservations/long")).get("state").asText())
        .isEqualTo("CONFIRMED");
    JsonNode level = json(service.get("/v1/items/tee")).get("levels").get(0);
    assertThat(level.get("available").asInt()).isEqualTo(7);
    assertThat(service.get("/v1/events?limit=1000").body()).contains("\"hold-expired\"");
  }

  @Test
  void unknownRouteIsAProblem() {
    HttpResponse<String> response = service.get("/v2/nothing");

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/problem+json");
  }

  @Test
  void healthAndMetricsAnswer() {
    stock("tee", 1);

    assertThat(service.get("/health/live").statusCode()).isEqualTo(200);
    assertThat(service.get("/health/ready").statusCode()).isEqualTo(200);
    String metrics = service.get("/metrics").body();
    assertThat(metrics).contains("stockroom_queue_depth", "stockroom_journal_commit_seconds",
        "stockroom_http_requests_seconds_count", "stockroom_batch_commands",
        "stockroom_reservations_active", "stockroom_recovery_seconds",
        "stockroom_events_by_type_total{type=\"stock-received\"}");
  }

  @Test
  void batchAppliesEachCommandWithItsOwnResult() {
    HttpResponse<String> response = service.post("/v1/batch", """
        {"commands":[
          {"op":"define","sku":"mug","name":"Mug"},
          {"op":"receive","sku":"mug","quantity":4},
          {"op":"receive","sku":"nosuch","quantity":4},
          {"op":"reserve","id":"b1","lines":[{"sku":"mug","quantity":9}]},
          {"op":"frobnicate","sku":"mug"}
        ]}""");

    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode results = json(response).get("results");
    assertThat(results).hasSize(5);
    assertThat(results.get(0).get("status").asInt()).isEqualTo(200);
    assertThat(results.get(1).get("status").asInt()).isEqualTo(200);
    assertThat(results.get(2).get("status").asInt()).isEqualTo(404);
    assertThat(results.get(3).get("status").asInt()).isEqualTo(409);
    assertThat(results.get(4).get("status").asInt()).isEqualTo(400);
    assertThat(json(service.get("/v1/items/mug")).get("levels").get(0).get("onHand").asInt())
        .isEqualTo(4);
  }

  @Test
  void itemsArePagedBySkuAndFilteredByCategoryAndLowStock() {
    for (int i = 0; i < 5; i++) {
      service.put("/v1/items/sku-" + i, "{\"name\":\"n\",\"category\":\""
          + (i % 2 == 0 ? "even" : "odd") + "\"}");
      service.post("/v1/items/sku-" + i + "/receive", "{\"quantity\":" + (i + 1) * 10 + "}");
    }

    JsonNode first = json(service.get("/v1/items?limit=2"));
    JsonNode second = json(service.get("/v1/items?limit=2&after=" + first.get("next").asText()));
    JsonNode even = json(service.get("/v1/items?category=even"));
    JsonNode low = json(service.get("/v1/items?lowStock=20"));

    assertThat(first.get("items").findValuesAsText("sku")).containsExactly("sku-0", "sku-1");
    assertThat(second.get("items").findValuesAsText("sku")).containsExactly("sku-2", "sku-3");
    assertThat(even.get("items").findValues("sku").stream().map(JsonNode::asText))
        .containsExactly("sku-0", "sku-2", "sku-4");
    assertThat(even.get("next").isNull()).isTrue();
    assertThat(low.get("items").findValues("sku").stream().map(JsonNode::asText))
        .containsExactly("sku-0", "sku-1");
  }

  @Test
  void eventsArePagedInOrder() {
    stock("tee", 3);
    service.post("/v1/items/tee/receive", "{\"quantity\":2}");

    JsonNode first = json(service.get("/v1/events?after=0&limit=2"));
    JsonNode rest = json(service.get("/v1/events?after=" + first.get("next").asLong()));

    assertThat(first.get("events")).hasSize(2);
    assertThat(first.get("events").get(0).get("sequence").asLong()).isEqualTo(1);
    assertThat(rest.get("events").get(0).get("sequence").asLong()).isEqualTo(3);
    assertThat(rest.get("events").get(0).get("type").asText()).isEqualTo("stock-received");
  }
}
