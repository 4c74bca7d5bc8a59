package io.stockroom.server.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stockroom.server.testing.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * HTTP/1.1 to one start of a {@link ServiceProcess}, as an API key. {@link #send} lets an
 * {@link IOException} through: for a write that means "unknown", it may or may not have happened.
 */
final class Client implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode jsonOf(String body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + body, e);
    }
  }

  /** A response: its status, body and the headers these tests look at. */
  record Reply(int status, String body, Optional<String> retryAfter, boolean replayed) {

    boolean ok() {
      return status >= 200 && status < 300;
    }

    JsonNode json() {
      return jsonOf(body);
    }

    /** The problem type's slug, e.g. {@code insufficient-stock}, or "" for a success. */
    String problem() {
      return ok() ? "" : json().path("type").asText().replace("urn:stockroom:problem:", "");
    }
  }

  private final ServiceProcess service;
  private final String key;
  private final Duration timeout;
  private final HttpClient http;

  Client(ServiceProcess service, String key, Duration timeout) {
    this.service = service;
    this.key = key;
    this.timeout = timeout;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(timeout).build();
  }

  /** One request; {@code json} null for none, {@code idempotencyKey} null for none. */
  Reply send(String method, String path, String json, String idempotencyKey) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path)).timeout(timeout)
        .header("Authorization", "Bearer " + key)
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(json));
    if (json != null) {
      request.header("Content-Type", "application/json");
    }
    if (idempotencyKey != null) {
      request.header("Idempotency-Key", idempotencyKey);
    }
    try {
      HttpResponse<String> response = http.send(request.build(),
          HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body(),
          response.headers().firstValue("Retry-After"),
          response.headers().firstValue("Idempotent-Replayed").orElse("").equals("true"));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** A request that must be answered (the service is up and idle): any I/O error fails. */
  Reply call(String method, String path, String json) {
    try {
      return send(method, path, json, null);
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    }
  }

  /** A request that must succeed with 2xx; returns the body as JSON. */
  JsonNode ok(String method, String path, String json) {
    Reply reply = call(method, path, json);
    if (!reply.ok()) {
      throw new AssertionError(method + " " + path + " answered " + reply.status() + ": "
          + reply.body());
    }
    return reply.json();
  }

  JsonNode get(String path) {
    return ok("GET", path, null);
  }

  @Override
  public void close() {
    http.close();
  }
}
