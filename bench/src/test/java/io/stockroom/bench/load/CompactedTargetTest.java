package io.stockroom.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stockroom.server.Stockroom;
import io.stockroom.server.config.ConfigLoader;
import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.security.ApiKeys;
import io.stockroom.server.security.Role;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator against a service that has run long enough for its first events to be retired
 * behind a snapshot, as any long-running production service has: {@code GET /v1/events} from
 * the start answers 410 there, and the run must still start and audit its own events.
 */
class CompactedTargetTest {

  @Test
  void auditsARunAgainstAServiceWhoseFirstEventsWereRetired(@TempDir Path data)
      throws Exception {
    String key = ApiKeys.open(data).create(Role.ADMIN, "compacted target").token();
    ServerConfig config = ConfigLoader.load(null, Map.of(), List.of(
        flag("dataDirectory", data.toString()), flag("host", "127.0.0.1"), flag("port", "0"),
        flag("snapshotEveryEvents", "200"), flag("journal.segmentBytesMax", "8192"),
        flag("journal.snapshotsRetained", "1")));
    try (Stockroom stockroom = Stockroom.start(config)) {
      URI uri = URI.create("http://127.0.0.1:" + stockroom.port());
      try (Http admin = Http.open(LoadConfig.Client.JDK, uri, key, 1, Duration.ofSeconds(10))) {
        writeHistoryUntilItsStartIsRetired(admin);
      }

      LoadReport report = LoadTest.run(LoadConfig.builder(LoadConfig.Scenario.FLASH_SALE)
          .target(uri, key).units(20).concurrency(60).duration(Duration.ofSeconds(30)).build());

      AuditResult audit = report.audit();
      assertThat(audit.violations()).isEmpty();
      assertThat(audit.passed()).isTrue();
      assertThat(audit.acknowledged()).isEqualTo(20);
      assertThat(audit.rejected()).isEqualTo(40);
      assertThat(audit.oversold()).isZero();
      assertThat(audit.undersold()).isZero();
    }
  }

  /** Receipts enough for several snapshots and segment rolls, until the first events are gone. */
  private static void writeHistoryUntilItsStartIsRetired(Http admin) {
    Catalog.of("old", 10).setup(admin, 5);
    for (int round = 0; round < 20; round++) {
      StringBuilder body = new StringBuilder("{\"commands\":[");
      for (int i = 0; i < 50; i++) {
        body.append(i == 0 ? "" : ",").append("{\"op\":\"receive\",\"sku\":\"old-")
            .append(i % 10).append("\",\"quantity\":1}");
      }
      Http.Response response = admin.send("POST", "/v1/batch",
          body.append("]}").toString().getBytes(StandardCharsets.UTF_8));
      assertThat(response.status()).isEqualTo(200);
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(admin.send("GET", "/v1/events?limit=1", null).status()).isEqualTo(410));
  }

  private static ConfigLoader.Flag flag(String key, String value) {
    return new ConfigLoader.Flag(key, value, "--set");
  }
}
