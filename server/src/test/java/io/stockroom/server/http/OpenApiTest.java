package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.server.security.JwtSettings;
import io.stockroom.server.storefront.PublicFeedSettings;
import io.stockroom.server.testing.Service;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /openapi.yaml lists exactly the routes the server serves: no more, no fewer. */
class OpenApiTest {

  private static final Pattern PATH = Pattern.compile("^  (/\\S*):\\s*$");
  private static final Pattern METHOD = Pattern.compile("^    (get|put|post|delete|patch):.*$");

  @TempDir
  Path data;

  @Test
  void openApiListsExactlyTheServedRoutes() throws Exception {
    // Every optional route on: the public feed is off by default.
    PublicFeedSettings feed = new PublicFeedSettings(true, 5, java.util.List.of(), 100, 10);
    try (Service service = new Service(data, c -> c.withAccess(JwtSettings.defaults(), feed),
        null)) {
      String yaml = service.get("/openapi.yaml").body();

      List<String> documented = new ArrayList<>();
      String path = null;
      boolean inPaths = false;
      for (String line : yaml.lines().toList()) {
        if (line.equals("paths:")) {
          inPaths = true;
          continue;
        }
        if (inPaths && !line.isEmpty() && !line.startsWith(" ")) {
          break; // the next top-level key ends the paths section
        }
        Matcher p = PATH.matcher(line);
        Matcher m = METHOD.matcher(line);
        if (inPaths && p.matches()) {
          path = p.group(1);
        } else if (inPaths && m.matches()) {
          documented.add(m.group(1).toUpperCase() + " " + path);
        }
      }

      assertThat(documented).isNotEmpty();
      assertThat(documented).containsExactlyInAnyOrderElementsOf(service.stockroom().routes());
    }
  }
}
