package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.BugDetectors;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.stockroom.server.config.ConfigLoader;
import io.stockroom.server.security.Role;
import io.stockroom.server.testing.RawHttp;
import io.stockroom.server.testing.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Any request at all (Jazzer): one long-lived real Stockroom on a random port, and each input
 * turned into one HTTP/1.1 request over a raw socket (see {@link FuzzRequest} for how). Whatever
 * the bytes:
 *
 * <ul>
 *   <li>{@code AlwaysAnswered}: a status line comes back; the connection is never just dropped;
 *   <li>{@code No5xx}: never a 5xx, except 503 with {@code Retry-After} (overload, or a
 *       {@code minSequence} the view has not reached);
 *   <li>{@code RefusalsAreProblems}: every 4xx is {@code application/problem+json} with a
 *       {@code urn:stockroom:problem:} type and the same status;
 *   <li>{@code RefusalsChangeNothing}: after a 4xx the journal sequence is where it was, or moved
 *       only by holds that time expired (a command expires due holds before it is judged).
 * </ul>
 *
 * <p>Without {@code JAZZER_FUZZ} the inputs under {@code src/test/resources/.../HttpFuzzTestInputs}
 * (valid requests of every route, and refusals) run as regression tests; with it, Jazzer fuzzes
 * from them (docs/RELIABILITY.md).
 */
class HttpFuzzTest {

  private static Path data;
  private static Service service;
  private static Map<String, String> keys;

  @BeforeAll
  static void start() throws IOException {
    data = Files.createTempDirectory("stockroom-http-fuzz");
    // No waiting for a minSequence (503 at once), quick heartbeats (closed streams found fast).
    Map<String, String> environment = Map.of("STOCKROOM_READ_WAIT_MILLIS_MAX", "0",
        "STOCKROOM_STREAM_HEARTBEAT_MILLIS", "500");
    service = new Service(data, config -> ConfigLoader.load(null, environment, List.of())
        .withListener(data, "127.0.0.1", 0), null);
    keys = Map.of("$ADMIN", service.adminKey(), "$WRITE", service.createKey(Role.WRITE),
        "$READ", service.createKey(Role.READ));
    service.put("/v1/items/tee", "{\"name\":\"T-shirt\",\"category\":\"tees\"}");
    service.post("/v1/items/tee/receive", "{\"quantity\":1000}");
    service.post("/v1/reservations", "{\"id\":\"held\",\"lines\":[{\"sku\":\"tee\","
        + "\"quantity\":1}],\"ttlSeconds\":3600}");
  }

  @AfterAll
  static void stop() throws IOException {
    service.close();
    try (var files = Files.walk(data)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
    }
  }

  @FuzzTest(maxDuration = "5m")
  void anyRequestIsAnsweredWithoutA5xxAndARefusalChangesNothing(byte[] input)
      throws IOException {
    // Jazzer's SSRF detector would flag our own connections: only the service's port is ours.
    int port = service.stockroom().port();
    try (var loopback = BugDetectors.allowNetworkConnections((host, to) -> to == port
        && (host.equals("127.0.0.1") || host.equals("localhost")))) {
      exchange(FuzzRequest.parse(input, keys));
    }
  }

  private static void exchange(FuzzRequest request) throws IOException {
    long before = service.stockroom().sequence();
    RawHttp.Answer answer;
    try {
      answer = RawHttp.exchange(service.stockroom().port(), request.bytes(),
          request.method().equals("HEAD"));
    } catch (RawHttp.NoAnswerException e) {
      throw new AssertionError("AlwaysAnswered: " + request + ": " + e.getMessage(), e);
    }

    int status = answer.status();
    assertThat(status).as("No5xx: %s -> %s", request, answer.bodyText())
        .satisfiesAnyOf(s -> assertThat(s).isLessThan(500), s -> assertThat(s).isEqualTo(503));
    if (status == 503) {
      assertThat(answer.header("Retry-After")).as("No5xx: a 503 says when to retry: %s", request)
          .isNotBlank();
    }
    if (status >= 400) {
      if (!request.method().equals("HEAD")) {
        assertProblem(request, answer);
      }
      assertChangedNothing(request, before);
    }
  }

  private static void assertProblem(FuzzRequest request, RawHttp.Answer answer)
      throws IOException {
    assertThat(answer.header("Content-Type")).as("RefusalsAreProblems: %s", request)
        .isEqualTo(Problems.MEDIA_TYPE);
    JsonNode problem = Service.JSON.readTree(answer.body());
    assertThat(problem.path("type").asText()).as("RefusalsAreProblems: %s", request)
        .startsWith("urn:stockroom:problem:");
    assertThat(problem.path("status").asInt()).as("RefusalsAreProblems: %s", request)
        .isEqualTo(answer.status());
  }

  private static void assertChangedNothing(FuzzRequest request, long before) {
    long after = service.stockroom().sequence();
    if (after == before) {
      return;
    }
    JsonNode events = Service.json(service.get("/v1/events?after=" + before + "&limit=1000"));
    for (JsonNode event : events.get("events")) {
      assertThat(event.get("type").asText() + " by " + event.get("actor").asText())
          .as("RefusalsChangeNothing: %s", request).isEqualTo("hold-expired by system");
    }
  }

  /**
   * How an input becomes a request, leniently, so that every input is one: the input's bytes
   * (ISO-8859-1, so each byte is kept) are a method line, a path line, header lines up to a blank
   * line, then the body. A method that is not a token becomes one of {@link #METHODS}. Header
   * values {@code $ADMIN}, {@code $WRITE} and {@code $READ} become real API keys of those roles;
   * with no {@code Authorization} header the admin key is sent. Framing is ours, so that each
   * input is exactly one request: {@code Content-Length} (the body's), {@code Connection: close}
   * and {@code Host} are set, and the input's own framing headers are dropped. A corpus file is
   * therefore readable text:
   *
   * <pre>
   * POST
   * /v1/items/tee/receive
   * Content-Type: application/json
   *
   * {"quantity":1}
   * </pre>
   */
  record FuzzRequest(String method, String path, List<String> headers, byte[] body) {

    static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "HEAD",
        "OPTIONS", "PATCH");
    private static final Set<String> FRAMING = Set.of("content-length", "transfer-encoding",
        "connection", "host", "expect", "te", "trailer", "keep-alive");

    static FuzzRequest parse(byte[] input, Map<String, String> keys) {
      String text = new String(input, StandardCharsets.ISO_8859_1);
      int at = 0;
      List<String> lines = new ArrayList<>();
      // Method, path, then headers up to a blank line; bounded by the input's length.
      while (at <= text.length()) {
        int newline = text.indexOf('\n', at);
        if (newline < 0) {
          lines.add(text.substring(at).replace("\r", ""));
          at = text.length() + 1;
          break;
        }
        String line = text.substring(at, newline).replace("\r", "");
        at = newline + 1;
        if (lines.size() >= 2 && line.isEmpty()) {
          break;
        }
        lines.add(line);
      }
      String method = lines.isEmpty() ? "GET" : method(lines.get(0).strip());
      String path = lines.size() < 2 || lines.get(1).isEmpty() ? "/" : lines.get(1);
      List<String> headers = new ArrayList<>();
      boolean authorized = false;
      for (String line : lines.subList(Math.min(2, lines.size()), lines.size())) {
        int colon = line.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = line.substring(0, colon).strip();
        if (FRAMING.contains(name.toLowerCase(Locale.ROOT))) {
          continue;
        }
        String value = line.substring(colon + 1).strip();
        for (Map.Entry<String, String> key : keys.entrySet()) {
          value = value.replace(key.getKey(), key.getValue());
        }
        authorized |= name.equalsIgnoreCase("Authorization");
        headers.add(name + ": " + value);
      }
      if (!authorized) {
        headers.add("Authorization: Bearer " + keys.get("$ADMIN"));
      }
      byte[] body = at >= text.length() ? new byte[0]
          : java.util.Arrays.copyOfRange(input, at, input.length);
      return new FuzzRequest(method, path, List.copyOf(headers), body);
    }

    private static String method(String given) {
      if (given.matches("[A-Za-z]{1,12}")) {
        return given;
      }
      return METHODS.get(Math.floorMod(given.hashCode(), METHODS.size()));
    }

    byte[] bytes() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      StringBuilder head = new StringBuilder()
          .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
          .append("Host: 127.0.0.1\r\n");
      for (String header : headers) {
        head.append(header).append("\r\n");
      }
      head.append("Content-Length: ").append(body.length).append("\r\n")
          .append("Connection: close\r\n\r\n");
      out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      out.writeBytes(body);
      return out.toByteArray();
    }

    @Override
    public String toString() {
      String shown = new String(body, StandardCharsets.ISO_8859_1);
      return method + " " + abbreviate(path) + " " + headers.stream()
          .map(h -> h.startsWith("Authorization") ? "Authorization: <key>" : abbreviate(h))
          .toList() + " body " + abbreviate(shown);
    }

    private static String abbreviate(String text) {
      return text.length() <= 200 ? text : text.substring(0, 200) + "...(" + text.length()
          + " chars)";
    }
  }
}
