package io.stockroom.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.server.storefront.PublicFeedSettings;
import io.stockroom.server.testing.Service;
import io.stockroom.server.testing.TestIdentityProvider;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every served route (the optional public feed on) against every kind of caller, API keys and
 * JWTs alike: exactly the combinations the policy allows get through; the rest get 401 (no, bad
 * or revoked key; expired or forged token) or 403 (role too small) as problem+json, and change
 * nothing.
 */
class AccessMatrixTest {

  @TempDir
  Path data;

  @TempDir
  Path config;

  /** Who calls; {@code role} is what it may do, null for callers that must get 401. */
  private enum Caller {
    NONE(null), GARBAGE(null), READ(Role.READ), WRITE(Role.WRITE), ADMIN(Role.ADMIN),
    REVOKED(null), JWT_READ(Role.READ), JWT_WRITE(Role.WRITE), JWT_ADMIN(Role.ADMIN),
    JWT_EXPIRED(null), JWT_WRONG_SIGNATURE(null);

    final Role role;

    Caller(Role role) {
      this.role = role;
    }
  }

  @Test
  void onlyAllowedCallersGetThroughOnEveryRoute() throws Exception {
    TestIdentityProvider provider = new TestIdentityProvider("k1");
    TestIdentityProvider stranger = new TestIdentityProvider("k1");
    JwtSettings jwt = TestIdentityProvider.settings(provider.writePem(config.resolve("idp.pem")));
    PublicFeedSettings feed = new PublicFeedSettings(true, 5, List.of(), 10_000, 100);
    try (Service service = new Service(data, c -> c.withAccess(jwt, feed), null)) {
      service.put("/v1/items/tee", "{\"name\":\"T\"}");
      service.post("/v1/items/tee/receive", "{\"quantity\":50}");
      service.post("/v1/reservations", "{\"id\":\"r1\",\"lines\":[{\"sku\":\"tee\",\"quantity\":1}]}");
      Map<Caller, String> keys = new LinkedHashMap<>();
      keys.put(Caller.NONE, null);
      keys.put(Caller.GARBAGE, "sk_aaaaaaaaaaaa_" + "A".repeat(43));
      keys.put(Caller.READ, service.createKey(Role.READ));
      keys.put(Caller.WRITE, service.createKey(Role.WRITE));
      keys.put(Caller.ADMIN, service.adminKey());
      String revoked = service.createKey(Role.ADMIN);
      service.revokeKey(revoked);
      keys.put(Caller.REVOKED, revoked);
      keys.put(Caller.JWT_READ, provider.token("reader", List.of("read")));
      keys.put(Caller.JWT_WRITE, provider.token("writer", List.of("write")));
      keys.put(Caller.JWT_ADMIN, provider.token("admin", List.of("admin", "read")));
      keys.put(Caller.JWT_EXPIRED, provider.expiredToken("admin", List.of("admin"),
          Duration.ofMinutes(5)));
      keys.put(Caller.JWT_WRONG_SIGNATURE, stranger.token("admin", List.of("admin")));
      int checked = 0;

      for (String route : service.stockroom().routes()) {
        if (route.endsWith("/v1/stream/ws")) {
          continue; // the WebSocket upgrade has its own test below
        }
        String method = route.substring(0, route.indexOf(' '));
        String path = route.substring(route.indexOf(' ') + 1).replace("{sku}", "tee")
            .replace("{id}", "r1").replace("{name}", "dashboard.js");
        Role required = AccessPolicy.required(method, path);
        for (Map.Entry<Caller, String> caller : keys.entrySet()) {
          long before = service.sequence();
          int status = status(service, caller.getValue(), method, path);
          String what = caller.getKey() + " " + method + " " + path + " -> " + status;
          Role role = caller.getKey().role;
          if (required == null) {
            assertThat(status).as(what).isNotIn(401, 403);
          } else if (role == null) {
            assertThat(status).as(what).isEqualTo(401);
          } else if (!role.includes(required)) {
            assertThat(status).as(what).isEqualTo(403);
          } else {
            assertThat(status).as(what).isNotIn(401, 403);
          }
          if (status == 401 || status == 403) {
            assertThat(service.sequence()).as(what + " changed nothing").isEqualTo(before);
          }
          checked++;
        }
      }
      assertThat(checked).isGreaterThan(250);
    }
  }

  /** The status of one request; bodies (including an endless SSE stream) are not read. */
  private static int status(Service service, String key, String method, String path)
      throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path))
        .timeout(Duration.ofSeconds(10));
    if (key != null) {
      request.header("Authorization", "Bearer " + key);
    }
    if (method.equals("GET")) {
      request.GET();
    } else {
      request.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString("{}"));
    }
    HttpResponse<InputStream> response = HttpClient.newHttpClient()
        .send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() == 401 || response.statusCode() == 403) {
      assertThat(response.headers().firstValue("Content-Type"))
          .contains("application/problem+json");
    }
    response.body().close();
    return response.statusCode();
  }

  @Test
  void webSocketUpgradeNeedsAReadKey() throws Exception {
    try (Service service = new Service(data)) {
      String url = service.uri("/v1/stream/ws").toString().replace("http:", "ws:");
      WebSocket.Listener ignore = new WebSocket.Listener() {};

      CompletionException refused = org.junit.jupiter.api.Assertions.assertThrows(
          CompletionException.class, () -> HttpClient.newHttpClient().newWebSocketBuilder()
              .buildAsync(java.net.URI.create(url), ignore).join());
      WebSocket accepted = HttpClient.newHttpClient().newWebSocketBuilder()
          .header("Authorization", "Bearer " + service.createKey(Role.READ))
          .buildAsync(java.net.URI.create(url), ignore).join();

      assertThat(refused.getCause()).isInstanceOf(java.net.http.WebSocketHandshakeException.class);
      accepted.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
    }
  }

  @Test
  void revokedKeyIsRefusedWithoutARestart() throws Exception {
    try (Service service = new Service(data)) {
      String key = service.createKey(Role.READ);
      HttpRequest.Builder read = HttpRequest.newBuilder(service.uri("/v1/items"));
      assertThat(service.sendAs(key, read).statusCode()).isEqualTo(200);

      service.revokeKey(key);

      assertThat(service.sendAs(key, HttpRequest.newBuilder(service.uri("/v1/items")))
          .statusCode()).isEqualTo(401);
    }
  }
}
