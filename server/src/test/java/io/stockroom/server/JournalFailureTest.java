package io.stockroom.server;

import static io.stockroom.server.testing.Service.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.stockroom.journal.FileStorage;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalConfig;
import io.stockroom.journal.VerifyReport;
import io.stockroom.server.testing.FailingStorage;
import io.stockroom.server.testing.Service;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real service on real files whose disk fails under it: fsync returns an I/O error, or the
 * disk fills up. The service must stop acknowledging writes (503 problem+json with Retry-After,
 * for the failed write and every later one, even once the disk is well again), say so on
 * {@code /health/ready}, keep serving reads that show only what was synced, and, restarted on
 * the same files, find a journal that verifies and holds exactly the acknowledged writes.
 */
class JournalFailureTest {

  @TempDir
  Path data;

  @Test
  void failedFsyncStopsWritesKeepsReadsAndLosesNothingAcknowledged() throws Exception {
    writesStopAndRestartRecoversExactlyTheAcknowledged(FailingStorage::failSyncs);
  }

  @Test
  void fullDiskStopsWritesKeepsReadsAndLosesNothingAcknowledged() throws Exception {
    writesStopAndRestartRecoversExactlyTheAcknowledged(FailingStorage::fillUp);
  }

  private void writesStopAndRestartRecoversExactlyTheAcknowledged(
      Consumer<FailingStorage> fault) throws Exception {
    Path journal = data.resolve("journal");
    FailingStorage storage = new FailingStorage(FileStorage.open(journal));
    List<String> acknowledged = new ArrayList<>();
    long durable;
    try (Service service = new Service(data, UnaryOperator.identity(), storage)) {
      assertThat(service.put("/v1/items/tee", "{\"name\":\"Tee\"}").statusCode()).isEqualTo(200);
      assertThat(service.post("/v1/items/tee/receive", "{\"quantity\":10}").statusCode())
          .isEqualTo(200);
      HttpResponse<String> held = service.post("/v1/reservations",
          "{\"id\":\"kept\",\"lines\":[{\"sku\":\"tee\",\"quantity\":2}]}");
      assertThat(held.statusCode()).isEqualTo(201);
      durable = service.sequence();
      acknowledged.addAll(eventTypes(service));

      fault.accept(storage);
      HttpResponse<String> failed = service.post("/v1/reservations",
          "{\"id\":\"lost\",\"lines\":[{\"sku\":\"tee\",\"quantity\":3}]}");
      storage.heal(); // a disk that works again must not tempt the service into writing
      HttpResponse<String> later = service.post("/v1/items/tee/receive", "{\"quantity\":5}");

      assertUnavailable(failed);
      assertUnavailable(later);
      HttpResponse<String> ready = service.get("/health/ready");
      assertThat(ready.statusCode()).isEqualTo(503);
      assertThat(json(ready).get("status").asText()).isEqualTo("DOWN");
      assertThat(json(ready).get("reason").asText()).startsWith("writes stopped");
      assertThat(service.get("/health/live").statusCode()).isEqualTo(200);
      // Reads go on, and show exactly what was synced: not the failed hold, not the receipt.
      assertOnlyTheAcknowledged(service, durable);
      assertThat(eventTypes(service)).isEqualTo(acknowledged);
      assertThat(service.get("/metrics").body()).contains("stockroom_writes_available 0.0");
    }

    VerifyReport verified = Journal.verify(FileStorage.open(journal), JournalConfig.defaults());
    assertThat(verified.lastSequence()).as("the journal on disk: %s", verified)
        .isEqualTo(durable);

    try (Service restarted = new Service(data)) {
      assertThat(restarted.get("/health/ready").statusCode()).isEqualTo(200);
      assertOnlyTheAcknowledged(restarted, durable);
      assertThat(eventTypes(restarted)).isEqualTo(acknowledged);
      assertThat(restarted.post("/v1/items/tee/receive", "{\"quantity\":5}").statusCode())
          .as("writes work again after the restart").isEqualTo(200);
    }
  }

  private static void assertUnavailable(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(response.headers().firstValue("Retry-After")).isPresent();
    JsonNode problem = json(response);
    assertThat(problem.get("type").asText()).isEqualTo("urn:stockroom:problem:unavailable");
    assertThat(problem.get("status").asInt()).isEqualTo(503);
  }

  private static void assertOnlyTheAcknowledged(Service service, long durable) {
    HttpResponse<String> item = service.get("/v1/items/tee");
    assertThat(item.statusCode()).isEqualTo(200);
    JsonNode level = json(item).get("levels").get(0);
    assertThat(level.get("onHand").asInt()).isEqualTo(10);
    assertThat(level.get("reserved").asInt()).isEqualTo(2);
    assertThat(json(item).get("sequence").asLong()).isEqualTo(durable);
    assertThat(service.get("/v1/reservations/kept").statusCode()).isEqualTo(200);
    assertThat(service.get("/v1/reservations/lost").statusCode()).isEqualTo(404);
  }

  private static List<String> eventTypes(Service service) {
    HttpResponse<String> events = service.get("/v1/events?after=0&limit=1000");
    assertThat(events.statusCode()).isEqualTo(200);
    List<String> types = new ArrayList<>();
    for (JsonNode event : json(events).get("events")) {
      types.add(event.get("sequence").asLong() + " " + event.get("type").asText());
    }
    return types;
  }
}
