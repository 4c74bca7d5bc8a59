package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.server.stream.SseClient;
import io.stockroom.server.testing.Service;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Request latencies stay request latencies: a stream's lifetime is counted on its own. */
class HttpMetricsTest {

  @TempDir
  Path data;

  @Test
  void anEndedStreamIsTimedAsAStreamNotAsARequest() throws Exception {
    try (Service service = new Service(data, c -> c.withStreams(100, 10_000, 200), null)) {
      String token = Service.json(service.post("/v1/stream-tokens", "{}")).get("token").asText();
      SseClient stream = SseClient.connect(HttpClient.newHttpClient(),
          service.uri("/v1/stream?token=" + token), null);
      stream.next(Duration.ofSeconds(10)); // opened
      stream.close(); // the server notices at its next heartbeat, 200 ms on

      String series = "_seconds_count{method=\"GET\",route=\"/v1/stream\"";
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> service.get("/metrics")
          .body().contains("stockroom_http_streams" + series));
      assertThat(service.get("/metrics").body()).doesNotContain("stockroom_http_requests" + series);
    }
  }
}
