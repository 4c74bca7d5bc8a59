package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.server.stream.SseClient;
import io.stockroom.server.testing.Service;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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

  @Test
  void inventedMethodsShareOneLabelSoTheyCannotGrowTheSeries() throws Exception {
    try (Service service = new Service(data)) {
      for (String method : new String[] {"FROB", "FROB2", "BREW"}) {
        HttpResponse<String> answer = service.send(HttpRequest.newBuilder(
            service.uri("/v1/items")).method(method, HttpRequest.BodyPublishers.noBody()));
        assertThat(answer.statusCode()).isEqualTo(404);
      }
      service.get("/v1/items");
      service.get("/v1/items");

      List<String> lines = service.get("/metrics").body().lines()
          .filter(line -> line.startsWith("stockroom_http_requests_seconds_count")).toList();
      assertThat(lines).anyMatch(line -> line.contains("method=\"OTHER\"")
          && line.contains("status=\"404\"") && line.endsWith(" 3"));
      assertThat(lines).anyMatch(line -> line.contains("method=\"GET\"")
          && line.contains("route=\"/v1/items\"") && line.endsWith(" 2"));
      assertThat(lines).noneMatch(line -> line.contains("FROB") || line.contains("BREW"));
    }
  }
}
