package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.server.testing.Service;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every routed answer carries the security headers; routes keep the caching they choose. */
class SecurityHeadersTest {

  @TempDir
  Path data;

  @Test
  void jsonResponseCarriesTheHeadersAndIsNotStored() throws Exception {
    try (Service service = new Service(data)) {
      HttpResponse<String> response = service.get("/v1/items");

      assertThat(response.statusCode()).isEqualTo(200);
      assertSecurityHeaders(response.headers());
      assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
      assertThat(response.headers().firstValue("Content-Security-Policy")).isEmpty();
    }
  }

  @Test
  void problemResponsesCarryTheHeadersToo() throws Exception {
    try (Service service = new Service(data)) {
      HttpResponse<String> thrown = service.get("/v1/items/nope"); // a handler's ProblemException
      HttpResponse<String> refused = service.sendAs(null,
          HttpRequest.newBuilder(service.uri("/v1/items")).GET()); // a filter's 401
      HttpResponse<String> unmatched = service.get("/no/such/route");

      for (HttpResponse<String> response : new HttpResponse[] {thrown, refused, unmatched}) {
        assertThat(response.headers().firstValue("Content-Type"))
            .hasValue("application/problem+json");
        assertSecurityHeaders(response.headers());
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
      }
      assertThat(thrown.statusCode()).isEqualTo(404);
      assertThat(refused.statusCode()).isEqualTo(401);
    }
  }

  @Test
  void itemReadsKeepTheirOwnCachingAnd304sCarryTheHeaders() throws Exception {
    try (Service service = new Service(data)) {
      service.put("/v1/items/tee", "{\"name\":\"T\"}");
      HttpResponse<String> first = service.get("/v1/items/tee");
      String etag = first.headers().firstValue("ETag").orElseThrow();

      HttpResponse<String> again = service.send(HttpRequest.newBuilder(
          service.uri("/v1/items/tee")).header("If-None-Match", etag).GET());

      assertThat(again.statusCode()).isEqualTo(304);
      for (HttpResponse<String> response : java.util.List.of(first, again)) {
        assertSecurityHeaders(response.headers());
        assertThat(response.headers().allValues("Cache-Control"))
            .containsExactly("max-age=1, must-revalidate");
      }
    }
  }

  @Test
  void eventStreamsKeepTheirNoCacheAndCarryTheHeaders() throws Exception {
    try (Service service = new Service(data)) {
      HttpResponse<java.io.InputStream> stream = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(service.uri("/v1/stream?after=0"))
              .header("Authorization", "Bearer " + service.adminKey())
              .header("Accept", "text/event-stream").GET().build(),
          HttpResponse.BodyHandlers.ofInputStream()); // returns once the head has arrived
      try (java.io.InputStream body = stream.body()) {
        assertThat(stream.statusCode()).isEqualTo(200);
        assertSecurityHeaders(stream.headers());
        assertThat(stream.headers().allValues("Cache-Control")).containsExactly("no-cache");
      }
    }
  }

  @Test
  void dashboardPageGetsAStrictContentSecurityPolicy() throws Exception {
    try (Service service = new Service(data)) {
      HttpResponse<String> page = service.sendAs(null,
          HttpRequest.newBuilder(service.uri("/")).GET()); // public: no key

      assertThat(page.statusCode()).isEqualTo(200);
      assertSecurityHeaders(page.headers());
      assertThat(page.headers().firstValue("Content-Security-Policy"))
          .hasValue(SecurityHeaders.CONTENT_SECURITY_POLICY);
      assertThat(SecurityHeaders.CONTENT_SECURITY_POLICY)
          .contains("default-src 'none'", "script-src 'self'", "style-src 'self'",
              "connect-src 'self'", "frame-ancestors 'none'")
          .doesNotContain("unsafe-inline", "unsafe-eval", "http:", "https:", "*");
    }
  }

  private static void assertSecurityHeaders(HttpHeaders headers) {
    assertThat(headers.allValues("X-Content-Type-Options")).containsExactly("nosniff");
    assertThat(headers.allValues("Referrer-Policy")).containsExactly("no-referrer");
    assertThat(headers.firstValue("Server")).as("no version banner").isEmpty();
  }
}
