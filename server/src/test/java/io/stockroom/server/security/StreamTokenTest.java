package io.stockroom.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import io.stockroom.server.testing.Service;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream tokens against a real server: a read key trades itself for a token that opens the SSE
 * and WebSocket streams from a URL, and nothing else does: not a tampered token, not a token on
 * any other route or in the header, not an API key in the URL. Expiry is proven on a fake clock
 * in {@link StreamTokensTest}, so nothing here waits for time to pass.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamTokenTest {

  /** Lines read from an SSE body before giving up on seeing an event. */
  private static final int SSE_LINES_MAX = 200;

  @TempDir
  Path data;

  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  @Test
  void readKeyGetsATokenThatOpensTheEventStreamWithoutAHeader() throws Exception {
    try (Service service = new Service(data)) {
      service.put("/v1/items/tee", "{\"name\":\"T\"}");
      String readKey = service.createKey(Role.READ);
      long before = System.currentTimeMillis();

      HttpResponse<String> issued = issue(service, readKey, null);

      assertThat(issued.statusCode()).isEqualTo(201);
      assertThat(issued.headers().firstValue("Cache-Control")).hasValue("no-store");
      JsonNode body = Service.json(issued);
      assertThat(body.get("token").asText()).startsWith("st_");
      assertThat(body.get("expiresAt").asLong())
          .isBetween(before + 300_000, System.currentTimeMillis() + 300_000);
      assertThat(body.size()).isEqualTo(2);

      // after=0 replays the journal, so the item's event is there without racing a write.
      HttpResponse<InputStream> stream = openStream(service,
          "/v1/stream?after=0&token=" + body.get("token").asText());
      assertThat(stream.statusCode()).isEqualTo(200);
      assertThat(stream.headers().firstValue("Content-Type")).hasValue("text/event-stream");
      assertThat(linesUntilAnEvent(stream)).contains("event: item-defined");
    }
  }

  @Test
  void bodyMayBeEmptyOrAnEmptyObjectButNothingElse() throws Exception {
    try (Service service = new Service(data)) {
      String readKey = service.createKey(Role.READ);

      assertThat(issue(service, readKey, "{}").statusCode()).isEqualTo(201);
      HttpResponse<String> withField = issue(service, readKey, "{\"ttlSeconds\":86400}");
      assertThat(withField.statusCode()).isEqualTo(400);
      assertThat(Service.json(withField).get("detail").asText()).contains("unknown field");
    }
  }

  @Test
  void webSocketOpensWithATokenAndRefusesATamperedOne() throws Exception {
    try (Service service = new Service(data)) {
      String token = token(service, service.createKey(Role.READ));
      String url = service.uri("/v1/stream/ws?token=").toString().replace("http:", "ws:");
      WebSocket.Listener ignore = new WebSocket.Listener() {};

      WebSocket accepted = http.newWebSocketBuilder()
          .buildAsync(URI.create(url + token), ignore).join();
      CompletionException refused = assertThrows(CompletionException.class,
          () -> http.newWebSocketBuilder()
              .buildAsync(URI.create(url + tamperSignature(token)), ignore).join());

      assertThat(refused.getCause()).isInstanceOf(WebSocketHandshakeException.class);
      accepted.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }
  }

  @Test
  void tamperedTokenIsRefusedWith401() throws Exception {
    try (Service service = new Service(data)) {
      String token = token(service, service.createKey(Role.READ));
      String dot = token.substring(token.indexOf('.'));
      String payload = token.substring(3, token.indexOf('.'));
      String payloadChanged = "st_" + flip(payload, payload.length() / 2) + dot;

      for (String tampered : List.of(tamperSignature(token), payloadChanged)) {
        HttpResponse<String> refused = get(service, null, "/v1/stream?token=" + tampered);

        assertUnauthenticated(refused);
        assertThat(Service.json(refused).get("detail").asText()).contains("signature");
      }
    }
  }

  @Test
  void tokenIsAcceptedOnNoOtherRouteAndNeverInTheHeader() throws Exception {
    try (Service service = new Service(data)) {
      String token = token(service, service.adminKey());

      HttpResponse<String> onItems = get(service, null, "/v1/items?token=" + token);
      HttpResponse<String> onEvents = get(service, null, "/v1/events?token=" + token);
      HttpResponse<String> inHeader = get(service, token, "/v1/stream");
      HttpResponse<String> mintingAnother = issue(service, token, null);

      assertUnauthenticated(onItems);
      assertThat(Service.json(onItems).get("detail").asText()).contains("only on GET /v1/stream");
      assertUnauthenticated(onEvents);
      assertUnauthenticated(inHeader);
      assertThat(Service.json(inHeader).get("detail").asText())
          .contains("never in the Authorization header");
      assertUnauthenticated(mintingAnother);
    }
  }

  @Test
  void apiKeyInTheUrlIsRefusedEvenWhenValid() throws Exception {
    try (Service service = new Service(data)) {
      for (String key : List.of(service.createKey(Role.READ), service.adminKey())) {
        HttpResponse<String> asToken = get(service, null, "/v1/stream?token=" + key);
        HttpResponse<String> asOther = get(service, null, "/v1/stream?key=" + key);

        assertUnauthenticated(asToken);
        assertThat(Service.json(asToken).get("detail").asText())
            .contains("API keys are never accepted in a URL");
        assertUnauthenticated(asOther);
      }
    }
  }

  @Test
  void anonymousCallerCannotGetAToken() throws Exception {
    try (Service service = new Service(data)) {
      assertUnauthenticated(issue(service, null, null));
      assertUnauthenticated(issue(service, "sk_aaaaaaaaaaaa_" + "A".repeat(43), "{}"));
    }
  }

  @Test
  void streamConnectsWithATokenDrawFromTheIssuingKeysReadBucket() throws Exception {
    RateLimitSettings tiny = new RateLimitSettings(new RateLimitSettings.Rate(1, 3),
        new RateLimitSettings.Rate(1, 3), new RateLimitSettings.Rate(10_000, 100_000), 100);
    try (Service service = new Service(data, tiny)) {
      String readKey = service.createKey(Role.READ);
      String token = token(service, readKey);

      // A bad ?after is refused with 400 after authentication and the rate limit, so each try
      // takes a token from the bucket without holding a stream open. The refill means a slow
      // machine may let an extra one through: send until refused, a bounded number of times.
      HttpResponse<String> last = null;
      for (int attempt = 0; attempt < 50; attempt++) {
        last = get(service, null, "/v1/stream?after=x&token=" + token);
        if (last.statusCode() != 400) {
          break;
        }
      }

      assertThat(last.statusCode()).isEqualTo(429);
      assertThat(Service.json(last).get("detail").asText())
          .contains("key " + readKey.substring(3, 15) + " (role read)");
    }
  }

  private HttpResponse<String> issue(Service service, String key, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(service.uri("/v1/stream-tokens"));
    if (body == null) {
      request.POST(HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body));
    }
    return service.sendAs(key, request);
  }

  private String token(Service service, String key) {
    HttpResponse<String> issued = issue(service, key, null);
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    return Service.json(issued).get("token").asText();
  }

  private static HttpResponse<String> get(Service service, String key, String pathAndQuery) {
    return service.sendAs(key, HttpRequest.newBuilder(service.uri(pathAndQuery)).GET());
  }

  private HttpResponse<InputStream> openStream(Service service, String pathAndQuery)
      throws Exception {
    return http.send(HttpRequest.newBuilder(service.uri(pathAndQuery))
        .header("Accept", "text/event-stream").GET().build(),
        HttpResponse.BodyHandlers.ofInputStream());
  }

  /** Lines of an SSE body up to and including the first {@code event:} line; then stops. */
  private static List<String> linesUntilAnEvent(HttpResponse<InputStream> stream)
      throws Exception {
    List<String> lines = new ArrayList<>();
    try (BufferedReader reader = new BufferedReader(
        new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
      for (int i = 0; i < SSE_LINES_MAX; i++) {
        String line = reader.readLine();
        if (line == null) {
          break;
        }
        lines.add(line);
        if (line.startsWith("event:")) {
          break;
        }
      }
    }
    return lines;
  }

  private static String tamperSignature(String token) {
    return flip(token, token.length() - 5);
  }

  private static String flip(String text, int index) {
    char flipped = text.charAt(index) == 'A' ? 'B' : 'A';
    return text.substring(0, index) + flipped + text.substring(index + 1);
  }

  private static void assertUnauthenticated(HttpResponse<String> response) {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("application/problem+json");
    assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
    assertThat(Service.json(response).get("type").asText())
        .isEqualTo("urn:stockroom:problem:unauthenticated");
  }
}
