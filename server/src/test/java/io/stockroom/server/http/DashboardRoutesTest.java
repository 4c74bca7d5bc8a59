package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.server.security.Role;
import io.stockroom.server.testing.Service;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard page and its assets: public, strict CSP, nothing else of the jar reachable. */
class DashboardRoutesTest {

  @TempDir
  Path data;

  private static HttpResponse<String> anonymous(Service service, String path) {
    return service.sendAs(null, HttpRequest.newBuilder(service.uri(path)).GET());
  }

  @Test
  void pageLoadsWithoutAKeyAndHasNothingInlineOrFromElsewhere() throws Exception {
    try (Service service = new Service(data)) {
      HttpResponse<String> page = anonymous(service, "/");

      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      assertThat(page.headers().firstValue("Content-Security-Policy")).isPresent();
      // Nothing inline that the policy would have to allow, and nothing from another origin.
      assertThat(page.body()).contains("<script src=\"/assets/dashboard.js\"")
          .doesNotContain("<script>", "style=", "<style", "//cdn", "http:", "https:");
    }
  }

  @Test
  void assetsLoadWithoutAKeyWithTheirTypesAndRevalidate() throws Exception {
    try (Service service = new Service(data)) {
      String[][] expected = {
          {"/assets/dashboard.js", "text/javascript; charset=utf-8"},
          {"/assets/dashboard.css", "text/css; charset=utf-8"},
          {"/assets/favicon.svg", "image/svg+xml"},
          {"/assets/uPlot.iife.min.js", "text/javascript; charset=utf-8"},
          {"/assets/uPlot.min.css", "text/css; charset=utf-8"}};
      for (String[] asset : expected) {
        HttpResponse<String> response = anonymous(service, asset[0]);
        assertThat(response.statusCode()).as(asset[0]).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).as(asset[0]).hasValue(asset[1]);
        assertThat(response.headers().allValues("X-Content-Type-Options")).containsExactly("nosniff");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");
        String etag = response.headers().firstValue("ETag").orElseThrow();

        HttpResponse<String> again = service.sendAs(null, HttpRequest.newBuilder(
            service.uri(asset[0])).header("If-None-Match", etag).GET());
        assertThat(again.statusCode()).as(asset[0] + " revalidated").isEqualTo(304);
      }
    }
  }

  @Test
  void onlyTheListedAssetsAreServedAndOtherPathsStillNeedAKey() throws Exception {
    try (Service service = new Service(data)) {
      assertThat(anonymous(service, "/assets/nope.js").statusCode()).isEqualTo(404);
      assertThat(anonymous(service, "/assets/logback.xml").statusCode()).isEqualTo(404);
      assertThat(anonymous(service, "/assets/..%2Fopenapi.yaml").statusCode()).isEqualTo(401);
      assertThat(anonymous(service, "/assets/../v1/items").statusCode()).isEqualTo(401);
      assertThat(anonymous(service, "/assets/a/b.js").statusCode()).isEqualTo(401);
      assertThat(anonymous(service, "/index.html").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void whoAmINamesTheKeyAndItsRole() throws Exception {
    try (Service service = new Service(data)) {
      String reader = service.createKey(Role.READ);

      HttpResponse<String> response = service.sendAs(reader,
          HttpRequest.newBuilder(service.uri("/v1/whoami")).GET());

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(Service.json(response).get("role").asText()).isEqualTo("read");
      assertThat(Service.json(response).get("id").asText()).isEqualTo(reader.substring(3, 15));
      assertThat(anonymous(service, "/v1/whoami").statusCode()).isEqualTo(401);
    }
  }
}
