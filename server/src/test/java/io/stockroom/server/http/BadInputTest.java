package io.stockroom.server.http;

import static io.stockroom.server.testing.Service.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.server.testing.Service;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every bad request gets a 4xx problem+json and changes nothing: the sequence does not move. */
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
        Arguments.of("wrong method", "DELETE", "/v1/items/tee", null, null, 404));
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
