package io.stockroom.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.stockroom.server.testing.Service;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every event names who caused it; a caller cannot borrow another's idempotent response. */
class ActorTest {

  @TempDir
  Path data;

  @Test
  void eventsRecordTheKeyThatCausedThemAndTheSystemForExpiry() throws Exception {
    try (Service service = new Service(data)) {
      String writer = service.createKey(Role.WRITE);
      String adminActor = "key:" + service.adminKey().substring(3, 15);
      String writerActor = "key:" + writer.substring(3, 15);
      service.put("/v1/items/tee", "{\"name\":\"Tee\"}");
      service.post("/v1/items/tee/receive", "{\"quantity\":5}");
      HttpResponse<String> held = service.sendAs(writer, reservation(service, "r1", 1));
      assertThat(held.statusCode()).as(held.body()).isEqualTo(201);

      Awaitility.await().atMost(Duration.ofSeconds(15)).until(() ->
          Service.json(service.get("/v1/reservations/r1")).get("state").asText()
              .equals("EXPIRED"));

      List<String> actors = new ArrayList<>();
      for (JsonNode event : Service.json(service.get("/v1/events?after=0")).get("events")) {
        actors.add(event.get("type").asText() + " " + event.get("actor").asText());
      }
      assertThat(actors).containsExactly("item-defined " + adminActor,
          "stock-received " + adminActor, "hold-reserved " + writerActor,
          "hold-expired system");
    }
  }

  @Test
  void anotherCallersRetryWithTheSameIdempotencyKeyIsAReuseNotAReplay() throws Exception {
    try (Service service = new Service(data)) {
      service.put("/v1/items/tee", "{\"name\":\"Tee\"}");
      service.post("/v1/items/tee/receive", "{\"quantity\":5}");
      String alice = service.createKey(Role.WRITE);
      String mallory = service.createKey(Role.WRITE);

      HttpResponse<String> first = service.sendAs(alice, reservation(service, "r1", 60)
          .header("Idempotency-Key", "cart-1"));
      HttpResponse<String> retry = service.sendAs(alice, reservation(service, "r1", 60)
          .header("Idempotency-Key", "cart-1"));
      HttpResponse<String> borrowed = service.sendAs(mallory, reservation(service, "r1", 60)
          .header("Idempotency-Key", "cart-1"));

      assertThat(first.statusCode()).isEqualTo(201);
      assertThat(retry.statusCode()).isEqualTo(201);
      assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
      assertThat(borrowed.statusCode()).as(borrowed.body()).isEqualTo(422);
      assertThat(Service.json(borrowed).get("type").asText()).endsWith("idempotency-key-reused");
    }
  }

  private static HttpRequest.Builder reservation(Service service, String id, int ttlSeconds) {
    return HttpRequest.newBuilder(service.uri("/v1/reservations")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"" + id + "\",\"lines\":[{\"sku\":"
            + "\"tee\",\"quantity\":1}],\"ttlSeconds\":" + ttlSeconds + "}"));
  }
}
