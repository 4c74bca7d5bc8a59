package io.stockroom.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stockroom.journal.Storage;
import io.stockroom.server.Stockroom;
import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.security.ApiKeys;
import io.stockroom.server.security.RateLimitSettings;
import io.stockroom.server.security.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/** A real Stockroom on a random port over a temp data directory, with a small HTTP client. */
public final class Service implements AutoCloseable {

  public static final ObjectMapper JSON = new ObjectMapper();

  private final Path data;
  private final UnaryOperator<ServerConfig> tune;
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();
  private Stockroom stockroom;
  private final String adminKey;

  public Service(Path data) throws IOException {
    this(data, UnaryOperator.identity(), null);
  }

  /** With per-key {@code rateLimits} instead of the defaults. */
  public Service(Path data, RateLimitSettings rateLimits) throws IOException {
    this(data, config -> config.withRateLimits(rateLimits), null);
  }

  public Service(Path data, UnaryOperator<ServerConfig> tune, Storage storage)
      throws IOException {
    this.data = data;
    this.tune = tune;
    this.adminKey = ApiKeys.open(data).create(Role.ADMIN, "test admin").token();
    start(storage);
  }

  public static ServerConfig config(Path data) {
    return ServerConfig.defaults().withListener(data, "127.0.0.1", 0);
  }

  private void start(Storage storage) throws IOException {
    stockroom = Stockroom.start(tune.apply(config(data)), storage);
  }

  public void restart() throws IOException {
    stockroom.close();
    start(null);
  }

  public Stockroom stockroom() {
    return stockroom;
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + stockroom.port() + path);
  }

  /** An admin key of this service, sent by every request unless {@link #sendAs} says otherwise. */
  public String adminKey() {
    return adminKey;
  }

  /** Creates a key with {@code role} and returns its token. */
  public String createKey(Role role) throws IOException {
    return ApiKeys.open(data).create(role, "test " + role).token();
  }

  public void revokeKey(String token) throws IOException {
    ApiKeys.open(data).revoke(token.substring(3, 15));
  }

  public HttpResponse<String> send(HttpRequest.Builder request) {
    return sendAs(adminKey, request);
  }

  /** Sends with {@code key} as the bearer token, or with no Authorization header when null. */
  public HttpResponse<String> sendAs(String key, HttpRequest.Builder request) {
    if (key != null) {
      request.setHeader("Authorization", "Bearer " + key);
    }
    try {
      return client.send(request.timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  public HttpResponse<String> post(String path, String json) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public HttpResponse<String> put(String path, String json) {
    return send(HttpRequest.newBuilder(uri(path)).header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  public static JsonNode json(HttpResponse<String> response) {
    try {
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + response.body(), e);
    }
  }

  /** The sequence the service reflects now. */
  public long sequence() {
    return json(get("/v1/events?limit=1")).get("sequence").asLong();
  }

  @Override
  public void close() throws IOException {
    stockroom.close();
  }
}
