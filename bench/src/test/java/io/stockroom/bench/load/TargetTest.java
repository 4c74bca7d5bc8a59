package io.stockroom.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The in-process Stockroom a run starts takes its settings from STOCKROOM_* variables. */
class TargetTest {

  @Test
  void theEmbeddedServiceAppliesTheEnvironmentsSettings() throws Exception {
    try (Target target = Target.embedded(Map.of("STOCKROOM_REQUEST_BODY_BYTES_MAX", "1024"));
        HttpClient client = HttpClient.newHttpClient()) {
      String body = "{\"name\":\"" + "x".repeat(2_000) + "\"}";
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(
              target.uri().resolve("/v1/items/tee"))
          .header("Authorization", "Bearer " + target.key())
          .header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
          HttpResponse.BodyHandlers.ofString());

      // 413 for the body limit set here; the default 1 MiB would read it and refuse its name (400)
      assertThat(response.statusCode()).isEqualTo(413);
    }
  }

  @Test
  void aBadSettingIsRefusedWithItsName() {
    assertThatThrownBy(() -> Target.embedded(Map.of("STOCKROOM_BATCH_LINGER_MICROS_MAX", "-1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("batchLingerMicrosMax");
  }
}
