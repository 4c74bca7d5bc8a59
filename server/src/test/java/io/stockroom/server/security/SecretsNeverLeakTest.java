package io.stockroom.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import io.stockroom.server.storefront.PublicFeedSettings;
import io.stockroom.server.testing.Service;
import io.stockroom.server.testing.TestIdentityProvider;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Secrets (API key secrets, JWTs, stream tokens) never show up in logs (every logger at DEBUG),
 * metrics, error responses, the event log, the journal files or the key store, whatever a
 * caller does with them: use them, get them wrong, revoke them, put them in a URL.
 */
class SecretsNeverLeakTest {

  @TempDir
  Path data;
  @TempDir
  Path config;

  private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
  private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
  private final Logger helidon = (Logger) LoggerFactory.getLogger("io.helidon");
  private Level rootLevel;
  private Level helidonLevel;

  @BeforeEach
  void captureEveryLogMessage() {
    rootLevel = root.getLevel();
    helidonLevel = helidon.getLevel();
    root.setLevel(Level.DEBUG);
    helidon.setLevel(Level.DEBUG);
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void restoreLogging() {
    root.detachAppender(logs);
    root.setLevel(rootLevel);
    helidon.setLevel(helidonLevel);
  }

  @Test
  void noSecretAppearsInLogsMetricsResponsesOrStoredData() throws Exception {
    TestIdentityProvider provider = new TestIdentityProvider("k1");
    JwtSettings jwt = TestIdentityProvider.settings(provider.writePem(config.resolve("idp.pem")));
    PublicFeedSettings feed = new PublicFeedSettings(true, 5, List.of(), 1_000, 10);
    List<String> secrets = new ArrayList<>();
    List<String> seen = new ArrayList<>();
    try (Service service = new Service(data, c -> c.withAccess(jwt, feed), null)) {
      String writer = service.createKey(Role.WRITE);
      String revoked = service.createKey(Role.READ);
      String token = provider.token("checkout", List.of("write"));
      String forged = new TestIdentityProvider("k1").token("checkout", List.of("admin"));
      String wrongSecret = writer.substring(0, 16) + "B".repeat(writer.length() - 16);
      service.revokeKey(revoked);
      secrets.addAll(List.of(service.adminKey(), writer, revoked, token, forged, wrongSecret));

      seen.add(service.put("/v1/items/tee", "{\"name\":\"Tee\"}").body());
      seen.add(service.post("/v1/items/tee/receive", "{\"quantity\":5}").body());
      HttpResponse<String> issued = service.post("/v1/stream-tokens", "{}");
      String streamToken = Service.json(issued).get("token").asText();
      secrets.add(streamToken);
      for (String key : List.of(writer, token)) {
        seen.addAll(responses(service.sendAs(key, reserve(service))));
      }
      for (String bad : List.of(revoked, forged, wrongSecret, streamToken,
          "sk_" + "x".repeat(60))) {
        seen.addAll(responses(service.sendAs(bad, reserve(service))));
      }
      for (String inUrl : List.of(service.adminKey(), streamToken, token)) {
        seen.addAll(responses(service.sendAs(null, HttpRequest.newBuilder(
            service.uri("/v1/items?token=" + inUrl)))));
        seen.addAll(responses(service.sendAs(null, HttpRequest.newBuilder(
            service.uri("/v1/stream?token=" + inUrl + "x")))));
      }
      seen.add(service.get("/metrics").body());
      seen.add(service.get("/v1/events?after=0").body());
    }
    seen.add(read(data));
    for (ILoggingEvent event : logs.list) {
      seen.add(event.getFormattedMessage());
      if (event.getThrowableProxy() != null) {
        seen.add(ThrowableProxyUtil.asString(event.getThrowableProxy()));
      }
    }

    assertThat(logs.list).as("the test saw log messages at all").isNotEmpty();
    String everything = String.join("\n", seen);
    for (String secret : secrets) {
      assertThat(everything).doesNotContain(secretPart(secret));
    }
  }

  /** The part of a credential that is secret: all of it, but an API key's public id. */
  private static String secretPart(String credential) {
    return credential.startsWith("sk_") ? credential.substring(16) : credential;
  }

  private static HttpRequest.Builder reserve(Service service) {
    return HttpRequest.newBuilder(service.uri("/v1/reservations"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"lines\":[{\"sku\":\"tee\",\"quantity\":1}],\"ttlSeconds\":60}"))
        .timeout(Duration.ofSeconds(10));
  }

  private static List<String> responses(HttpResponse<String> response) {
    return List.of(response.headers().map().toString(), response.body());
  }

  /** Every byte stored under the data directory (journal, snapshots, key store), as text. */
  private static String read(Path directory) throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        all.append(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
      }
    }
    return all.toString();
  }
}
