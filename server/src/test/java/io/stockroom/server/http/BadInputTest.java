package io.stockroom.server.http;

import static io.stockroom.server.testing.Service.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.server.testing.Service;
import com.fasterxml.jackson.databind.JsonNode;
import io.stockroom.server.testing.RawHttp;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad request gets a 4xx problem+json and changes nothing: the sequence does not move.
 * Malformed and out-of-range fields, huge and deep JSON, unicode where identifiers are ASCII,
 * and (over a raw socket) header abuse: huge heads, bad Idempotency-Key and Last-Event-ID,
 * lying framing. Free text keeps any well-formed unicode exactly.
 */
class BadInputTest {

  @TempDir
  static Path data;
  private static Service service;

  @BeforeAll
  static void start() throws Exception {
    service = new Service(data);
    service.put("/v1/items/tee", "{\"name\":\"T-shirt\",\"category\":\"tees\"}");
    service.post("/v1/items/tee/receive", "{\"quantity\":5}");
    service.post("/v1/reservations", "{\"id\":\"held\",\"lines\":[{\"sku\":\"tee\",\"quantity\":1}],"
        + "\"ttlSeconds\":3600}");
  }

  @AfterAll
  static void stop() throws Exception {
    service.close();
  }

  private static Arguments post(String name, String path, String body, int status) {
    return Arguments.of(name, "POST", path, "application/json", body, status);
  }

  static Stream<Arguments> cases() {
    String line = "{\"sku\":\"tee\",\"quantity\":1}";
    return Stream.of(
        post("malformed JSON", "/v1/items/tee/receive", "{\"quantity\":", 400),
        post("not an object", "/v1/items/tee/receive", "[1,2]", 400),
        post("trailing garbage", "/v1/items/tee/receive", "{\"quantity\":1} x", 400),
        post("quantity as string", "/v1/items/tee/receive", "{\"quantity\":\"5\"}", 400),
        post("quantity as float", "/v1/items/tee/receive", "{\"quantity\":1.5}", 400),
        post("zero quantity", "/v1/items/tee/receive", "{\"quantity\":0}", 400),
        post("negative quantity", "/v1/items/tee/receive", "{\"quantity\":-3}", 400),
        post("quantity above the limit", "/v1/items/tee/receive", "{\"quantity\":1000000001}", 400),
        post("quantity overflowing int", "/v1/items/tee/receive", "{\"quantity\":4294967296}", 400),
        post("huge number", "/v1/items/tee/receive",
            "{\"quantity\":123456789012345678901234567890}", 400),
        post("missing quantity", "/v1/items/tee/receive", "{}", 400),
        post("unknown field", "/v1/items/tee/receive", "{\"quantity\":1,\"qty\":1}", 400),
        post("duplicate field", "/v1/items/tee/receive", "{\"quantity\":1,\"quantity\":2}", 400),
        post("unknown SKU", "/v1/items/nosuch/receive", "{\"quantity\":1}", 404),
        post("bad SKU characters", "/v1/items/te%20e/receive", "{\"quantity\":1}", 400),
        post("SKU too long", "/v1/items/" + "x".repeat(65) + "/receive", "{\"quantity\":1}", 400),
        post("bad location", "/v1/items/tee/receive", "{\"quantity\":1,\"location\":\"a b\"}", 400),
        post("reason with control characters", "/v1/items/tee/receive",
            "{\"quantity\":1,\"reason\":\"a\\u0000b\"}", 400),
        post("receive past quantityMax", "/v1/items/tee/receive", "{\"quantity\":999999999}", 422),
        post("no lines", "/v1/reservations", "{\"lines\":[]}", 400),
        post("lines not an array", "/v1/reservations", "{\"lines\":{}}", 400),
        post("too many lines", "/v1/reservations",
            "{\"lines\":[" + String.join(",", java.util.Collections.nCopies(101, line)) + "]}",
            400),
        post("duplicate lines", "/v1/reservations", "{\"lines\":[" + line + "," + line + "]}", 400),
        post("zero ttl", "/v1/reservations", "{\"lines\":[" + line + "],\"ttlSeconds\":0}", 400),
        post("ttl beyond the maximum", "/v1/reservations",
            "{\"lines\":[" + line + "],\"ttlSeconds\":99999999}", 400),
        post("reservation for an unknown SKU", "/v1/reservations",
            "{\"lines\":[{\"sku\":\"nosuch\",\"quantity\":1}]}", 404),
        post("more than available", "/v1/reservations",
            "{\"lines\":[{\"sku\":\"tee\",\"quantity\":5}]}", 409),
        post("reservation id taken", "/v1/reservations", "{\"id\":\"held\",\"lines\":[" + line
            + "]}", 409),
        post("unknown line field", "/v1/reservations",
            "{\"lines\":[{\"sku\":\"tee\",\"quantity\":1,\"price\":3}]}", 400),
        post("confirm unknown reservation", "/v1/reservations/nosuch/confirm", "", 404),
        post("extend with no body", "/v1/reservations/held/extend", "", 400),
        post("extend with a bad ttl", "/v1/reservations/held/extend", "{\"ttlSeconds\":-1}", 400),
        post("confirm with a body", "/v1/reservations/held/confirm", "{\"x\":1}", 400),
        post("adjust with a stale version", "/v1/items/tee/adjust",
            "{\"onHand\":3,\"expectedVersion\":999}", 409),
        post("transfer to the same location", "/v1/items/tee/transfer",
            "{\"to\":\"default\",\"quantity\":1}", 400),
        post("empty batch", "/v1/batch", "{\"commands\":[]}", 400),
        post("deeply nested JSON", "/v1/items/tee/receive",
            "{\"quantity\":1,\"reason\":" + "[".repeat(100) + "]".repeat(100) + "}", 400),
        post("oversized body", "/v1/items/tee/receive",
            "{\"quantity\":1,\"reason\":\"" + "x".repeat(2 << 20) + "\"}", 413),
        Arguments.of("wrong content type", "POST", "/v1/items/tee/receive", "text/plain",
            "{\"quantity\":1}", 415),
        Arguments.of("item without a name", "PUT", "/v1/items/mug", "application/json", "{}", 400),
        Arguments.of("bad minSequence", "GET", "/v1/items/tee?minSequence=abc", null, null, 400),
        Arguments.of("bad events cursor", "GET", "/v1/events?after=-1", null, null, 400),
        Arguments.of("events cursor beyond the end", "GET", "/v1/events?after=99999", null, null,
            400),
        Arguments.of("list limit too large", "GET", "/v1/items?limit=100000", null, null, 400),
        Arguments.of("unknown reservation", "GET", "/v1/reservations/nosuch", null, null, 404),
        Arguments.of("unknown item", "GET", "/v1/items/nosuch", null, null, 404),
        Arguments.of("wrong method", "DELETE", "/v1/items/tee", null, null, 404),
        // Huge and deep JSON: the parser's limits (Json.DEPTH_MAX, Json.STRING_LENGTH_MAX).
        post("10,000 nested arrays", "/v1/items/tee/receive",
            "{\"quantity\":1,\"reason\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}", 400),
        post("10,000 nested objects", "/v1/items/tee/receive",
            "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000), 400),
        post("nesting one past the depth limit", "/v1/reservations", "{\"lines\":"
            + "[".repeat(Json.DEPTH_MAX) + "]".repeat(Json.DEPTH_MAX) + "}", 400),
        post("string past the parser's length limit", "/v1/items/tee/receive",
            "{\"quantity\":1,\"reason\":\"" + "x".repeat(Json.STRING_LENGTH_MAX + 1) + "\"}", 400),
        post("reason past textLengthMax", "/v1/items/tee/receive",
            "{\"quantity\":1,\"reason\":\"" + "x".repeat(201) + "\"}", 400),
        Arguments.of("name past nameLengthMax", "PUT", "/v1/items/mug", "application/json",
            "{\"name\":\"" + "x".repeat(201) + "\"}", 400),
        post("number of 1,000 digits", "/v1/items/tee/receive",
            "{\"quantity\":" + "9".repeat(1_000) + "}", 400),
        post("10,000 unknown fields", "/v1/items/tee/receive", "{" + java.util.stream.IntStream
            .range(0, 10_000).mapToObj(i -> "\"f" + i + "\":1").collect(
                java.util.stream.Collectors.joining(",")) + "}", 400),
        post("100,000 reservation lines", "/v1/reservations", "{\"lines\":["
            + String.join(",", java.util.Collections.nCopies(100_000, line)) + "]}", 413),
        post("body of only whitespace", "/v1/items/tee/receive", " ".repeat(1_000), 400),
        // Unicode in SKUs: identifiers are ASCII on purpose (URLs, file names, metrics, logs).
        post("SKU with NUL", "/v1/items/te%00e/receive", "{\"quantity\":1}", 400),
        post("SKU with an encoded lone surrogate", "/v1/items/te%ED%A0%80e/receive",
            "{\"quantity\":1}", 400),
        post("SKU with a right-to-left override", "/v1/items/%E2%80%AEeet/receive",
            "{\"quantity\":1}", 400),
        post("SKU with a combining mark", "/v1/items/tee%CC%81/receive", "{\"quantity\":1}", 400),
        post("SKU not in NFC", "/v1/items/te%CC%81e/receive", "{\"quantity\":1}", 400),
        post("SKU with an emoji", "/v1/items/tee%F0%9F%91%95/receive", "{\"quantity\":1}", 400),
        post("SKU with a zero-width space", "/v1/items/tee%E2%80%8B/receive",
            "{\"quantity\":1}", 400),
        post("SKU in fullwidth letters (NFKC would make it tee)",
            "/v1/items/%EF%BD%94%EF%BD%85%EF%BD%85/receive", "{\"quantity\":1}", 400),
        post("line SKU with NUL", "/v1/reservations",
            "{\"lines\":[{\"sku\":\"te\\u0000e\",\"quantity\":1}]}", 400),
        post("line SKU with a lone surrogate", "/v1/reservations",
            "{\"lines\":[{\"sku\":\"te\\ud800e\",\"quantity\":1}]}", 400),
        post("line SKU with a zero-width joiner", "/v1/reservations",
            "{\"lines\":[{\"sku\":\"tee\\u200d\",\"quantity\":1}]}", 400),
        post("location with a right-to-left override", "/v1/items/tee/receive",
            "{\"quantity\":1,\"location\":\"\\u202etluafed\"}", 400),
        Arguments.of("item name with a lone surrogate", "PUT", "/v1/items/mug",
            "application/json", "{\"name\":\"mug \\udc00\"}", 400),
        post("reason with a lone high surrogate at the end", "/v1/items/tee/receive",
            "{\"quantity\":1,\"reason\":\"ok \\ud83d\"}", 400),
        Arguments.of("query value with an encoded lone surrogate", "GET",
            "/v1/items/tee?minSequence=%ED%A0%80", null, null, 400),
        Arguments.of("stream filter with an encoded lone surrogate", "GET",
            "/v1/stream?after=%ED%A0%80", null, null, 400));
  }

  /** A request written byte for byte: method and path, header lines, then the body. */
  private static Arguments raw(String name, String method, String path, List<String> headers,
      byte[] body, int status) {
    StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Authorization: Bearer " + service.adminKey() + "\r\n");
    boolean framed = false;
    for (String header : headers) {
      head.append(header).append("\r\n");
      framed |= header.startsWith("Content-Length") || header.startsWith("Transfer-Encoding");
    }
    if (!framed) {
      head.append("Content-Length: ").append(body.length).append("\r\n");
    }
    head.append("Connection: close\r\n\r\n");
    byte[] start = head.toString().getBytes(StandardCharsets.ISO_8859_1);
    byte[] request = Arrays.copyOf(start, start.length + body.length);
    System.arraycopy(body, 0, request, start.length, body.length);
    return Arguments.of(name, request, method.equals("HEAD"), status);
  }

  private static Arguments receive(String name, List<String> headers, int status) {
    return raw(name, "POST", "/v1/items/tee/receive", headers,
        "{\"quantity\":1}".getBytes(StandardCharsets.UTF_8), status);
  }

  private static Arguments stream(String name, String path, String lastEventId, int status) {
    return raw(name, "GET", path, List.of("Accept: text/event-stream",
        "Last-Event-ID: " + lastEventId), new byte[0], status);
  }

  private static final String JSON_TYPE = "Content-Type: application/json";

  /** Abuse a client library would refuse to send: sent over a raw socket. */
  static Stream<Arguments> rawCases() {
    String big = "a".repeat(20 * 1024);
    List<String> manyHeaders = java.util.stream.IntStream.range(0, 2_000)
        .mapToObj(i -> "X-Header-" + i + ": v").toList();
    byte[] chunkedHuge = ("200000\r\n" + "x".repeat(0x200000) + "\r\n0\r\n\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
    byte[] badUtf8 = "{\"quantity\":1,\"reason\":\"\u00ff\"}".getBytes(StandardCharsets.ISO_8859_1);
    return Stream.of(
        raw("a 20 KiB header line", "GET", "/v1/items/tee", List.of("X-Filler: " + big),
            new byte[0], 400),
        raw("2,000 small headers", "GET", "/v1/items/tee", manyHeaders, new byte[0], 400),
        raw("header line without a colon", "GET", "/v1/items/tee", List.of("X-Broken"),
            new byte[0], 400),
        raw("header name with a space", "GET", "/v1/items/tee", List.of("X Bad: 1"),
            new byte[0], 400),
        raw("NUL in a header value", "GET", "/v1/items/tee", List.of("X-Nul: a\u0000b"),
            new byte[0], 400),
        raw("request line past 8 KiB", "GET", "/v1/items/tee?pad=" + "a".repeat(9 * 1024),
            List.of(), new byte[0], 414),
        raw("raw non-ASCII bytes in the path of a read", "GET", "/v1/items/t\u00c3\u00a9e",
            List.of(), new byte[0], 404),
        raw("raw non-ASCII bytes in the path of a write", "POST",
            "/v1/items/t\u00c3\u00a9e/receive", List.of(JSON_TYPE),
            "{\"quantity\":1}".getBytes(StandardCharsets.UTF_8), 400),
        raw("request target that is not a path", "GET", "jwt:sreard.js", List.of(),
            new byte[0], 400),
        raw("asterisk request target", "OPTIONS", "*", List.of(), new byte[0], 400),
        raw("absolute URI with another scheme", "GET", "mailto:a@b", List.of(), new byte[0],
            400),
        receive("Idempotency-Key of 201 characters",
            List.of(JSON_TYPE, "Idempotency-Key: " + "k".repeat(201)), 400),
        receive("Idempotency-Key of 20 KiB", List.of(JSON_TYPE, "Idempotency-Key: " + big), 400),
        receive("empty Idempotency-Key", List.of(JSON_TYPE, "Idempotency-Key: "), 400),
        receive("Idempotency-Key with a space", List.of(JSON_TYPE, "Idempotency-Key: a b"), 400),
        receive("Idempotency-Key with a tab", List.of(JSON_TYPE, "Idempotency-Key: a\tb"), 400),
        receive("Idempotency-Key with UTF-8 bytes",
            List.of(JSON_TYPE, "Idempotency-Key: caf\u00c3\u00a9"), 400),
        receive("Idempotency-Key with a DEL character",
            List.of(JSON_TYPE, "Idempotency-Key: key\u007f"), 400),
        stream("Last-Event-ID not a number", "/v1/stream", "abc", 400),
        stream("Last-Event-ID negative", "/v1/stream", "-1", 400),
        stream("Last-Event-ID beyond the last durable event", "/v1/stream", "999999", 400),
        stream("Last-Event-ID of 20 digits", "/v1/stream", "9".repeat(20), 400),
        stream("Last-Event-ID with a fraction", "/v1/stream", "1.5", 400),
        stream("Last-Event-ID empty", "/v1/stream", "", 400),
        stream("Last-Event-ID of 20 KiB", "/v1/stream", "1".repeat(20 * 1024), 400),
        stream("Last-Event-ID wins over a good after", "/v1/stream?after=0", "x", 400),
        raw("Last-Event-ID bad on the WebSocket upgrade", "GET", "/v1/stream/ws",
            List.of("Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Version: 13",
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==", "Last-Event-ID: abc"),
            new byte[0], 400),
        raw("after given twice", "GET", "/v1/stream?after=1&after=2", List.of(), new byte[0],
            400),
        raw("Content-Length of a terabyte, body not sent", "POST", "/v1/items/tee/receive",
            List.of(JSON_TYPE, "Content-Length: 1000000000000"), new byte[0], 413),
        raw("Content-Length not a number", "POST", "/v1/items/tee/receive",
            List.of(JSON_TYPE, "Content-Length: ten"), new byte[0], 400),
        raw("chunked body past the body limit", "POST", "/v1/items/tee/receive",
            List.of(JSON_TYPE, "Transfer-Encoding: chunked"), chunkedHuge, 413),
        raw("invalid UTF-8 in a JSON string", "POST", "/v1/items/tee/receive",
            List.of(JSON_TYPE), badUtf8, 400));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rawCases")
  void abusiveRequestIsAProblemAndChangesNothing(String name, byte[] request, boolean head,
      int status) throws IOException {
    long before = service.sequence();

    RawHttp.Answer answer = RawHttp.exchange(service.stockroom().port(), request, head);

    assertThat(answer.status()).as(name + ": " + answer.bodyText()).isEqualTo(status);
    assertThat(answer.header("Content-Type")).as(name).isEqualTo(Problems.MEDIA_TYPE);
    JsonNode problem = Service.JSON.readTree(answer.body());
    assertThat(problem.get("type").asText()).as(name).startsWith("urn:stockroom:problem:");
    assertThat(problem.get("status").asInt()).as(name).isEqualTo(status);
    assertThat(problem.get("detail").asText()).as(name).isNotBlank();
    assertThat(service.sequence()).as(name + " changed nothing").isEqualTo(before);
  }

  /**
   * Unicode that is not an identifier is free text: names, categories, reasons keep exactly the
   * code points they were given (no normalisation, nothing dropped), also through the journal.
   */
  @Test
  void unicodeTextIsStoredAndReturnedExactly() throws IOException {
    Map<String, String> names = new java.util.LinkedHashMap<>();
    names.put("uni-emoji", "T-shirt \uD83D\uDC55 \uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08");
    names.put("uni-rtl", "\u202Eemag\u202C \u05E9\u05DC\u05D5\u05DD");
    names.put("uni-nfd", "Cafe\u0301 e\u0301\u0301\u0301");
    names.put("uni-nfc", "Caf\u00E9");
    names.put("uni-zero-width", "a\u200Bb\u200Cc\u200Dd\uFEFF");
    names.put("uni-astral", "\uD835\uDC00\uD800\uDC00 \uDBFF\uDFFF");
    for (Map.Entry<String, String> entry : names.entrySet()) {
      String body = Service.JSON.writeValueAsString(Map.of("name", entry.getValue(),
          "category", entry.getValue()));
      assertThat(service.put("/v1/items/" + entry.getKey(), body).statusCode())
          .as(entry.getKey()).isEqualTo(200);
    }
    service.restart();
    for (Map.Entry<String, String> entry : names.entrySet()) {
      JsonNode item = json(service.get("/v1/items/" + entry.getKey()));
      assertThat(item.get("name").asText()).as(entry.getKey()).isEqualTo(entry.getValue());
      assertThat(item.get("category").asText()).as(entry.getKey()).isEqualTo(entry.getValue());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void badRequestIsAProblemAndChangesNothing(String name, String method, String path,
      String contentType, String body, int status) {
    long before = service.sequence();
    HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path)).method(method,
        body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }

    HttpResponse<String> response = service.send(request);

    assertThat(response.statusCode()).as(name + ": " + response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type")).as(name)
        .contains("application/problem+json");
    assertThat(json(response).get("type").asText()).as(name).startsWith("urn:stockroom:problem:");
    assertThat(json(response).get("status").asInt()).as(name).isEqualTo(status);
    assertThat(json(response).get("detail").asText()).as(name).isNotBlank();
    assertThat(service.sequence()).as(name + " changed nothing").isEqualTo(before);
  }
}
