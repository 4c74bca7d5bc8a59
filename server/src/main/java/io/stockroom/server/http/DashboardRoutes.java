package io.stockroom.server.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Properties;

/**
 * The operator dashboard: {@code GET /} (the page) and {@code GET /assets/{name}} (its script,
 * styles, icon and the uPlot chart library), public like health, so a browser can load the page
 * before anyone signs in; the page then sends its key to the data routes, which stay
 * authenticated.
 *
 * <p>A fixed list of files read from this jar at startup, not a directory served by name: no
 * path from a request ever reaches the class loader, so nothing else in the jar can be fetched.
 * Each answer carries an {@code ETag} and {@code Cache-Control: no-cache}: the browser keeps a
 * copy and revalidates it, so a new release shows at the next load.
 */
final class DashboardRoutes {

  /** A file as served: its bytes, content type and strong validator. */
  private record Asset(byte[] body, String contentType, String etag) {}

  private static final String UPLOT = "META-INF/resources/webjars/uplot/%s/dist/";

  private final Asset page;
  private final Map<String, Asset> assets;

  DashboardRoutes() {
    String uplot = UPLOT.formatted(uplotVersion());
    this.page = asset("dashboard/index.html", "text/html; charset=utf-8");
    this.assets = Map.of(
        "dashboard.js", asset("dashboard/dashboard.js", "text/javascript; charset=utf-8"),
        "dashboard.css", asset("dashboard/dashboard.css", "text/css; charset=utf-8"),
        "favicon.svg", asset("dashboard/favicon.svg", "image/svg+xml"),
        "uPlot.iife.min.js", asset(uplot + "uPlot.iife.min.js", "text/javascript; charset=utf-8"),
        "uPlot.min.css", asset(uplot + "uPlot.min.css", "text/css; charset=utf-8"));
  }

  void register(Routes routes) {
    routes.get("/", (request, response) -> send(request, response, page))
        .get("/assets/{name}", (request, response) -> {
          Asset asset = assets.get(request.path().pathParameters().get("name"));
          if (asset == null) {
            throw new ProblemException(404, "not-found", "Not found",
                "no dashboard asset " + request.path().rawPath());
          }
          send(request, response, asset);
        });
  }

  private static void send(ServerRequest request, ServerResponse response, Asset asset) {
    response.header(HeaderNames.ETAG, asset.etag());
    response.header(HeaderNames.CACHE_CONTROL, "no-cache");
    boolean fresh = request.headers().first(HeaderNames.IF_NONE_MATCH)
        .map(asset.etag()::equals).orElse(false);
    if (fresh) {
      response.status(Status.NOT_MODIFIED_304).send();
      return;
    }
    response.header(HeaderNames.CONTENT_TYPE, asset.contentType());
    response.send(asset.body());
  }

  /** The uPlot WebJar's version, so upgrading it is a change to the pom alone. */
  private static String uplotVersion() {
    Properties properties = new Properties();
    try (InputStream in = open("META-INF/maven/org.webjars.npm/uplot/pom.properties")) {
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties.getProperty("version");
  }

  private static Asset asset(String name, String contentType) {
    try (InputStream in = open(name)) {
      byte[] body = in.readAllBytes();
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
      return new Asset(body, contentType,
          "\"" + HexFormat.of().formatHex(digest, 0, 16) + "\"");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static InputStream open(String name) {
    InputStream in = DashboardRoutes.class.getClassLoader().getResourceAsStream(name);
    if (in == null) {
      throw new IllegalStateException(name + " is missing from the classpath");
    }
    return in;
  }
}
