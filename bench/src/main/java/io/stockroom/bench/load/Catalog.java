package io.stockroom.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * SKUs a run owns, named {@code <run prefix>-<n>} so that a run against a service with history
 * audits only its own, and set up through {@code POST /v1/batch} (define + receive), 500 SKUs
 * per request so that setup stays within an admin key's rate limit.
 */
final class Catalog {

  static final ObjectMapper JSON = new ObjectMapper();
  private static final int SKUS_PER_BATCH = 500; // two commands each: the 1,000-command limit

  private final List<String> skus;

  private Catalog(List<String> skus) {
    this.skus = List.copyOf(skus);
  }

  static Catalog of(String prefix, int count) {
    List<String> skus = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      skus.add(prefix + "-" + i);
    }
    return new Catalog(skus);
  }

  List<String> skus() {
    return skus;
  }

  String sku(int index) {
    return skus.get(index);
  }

  int size() {
    return skus.size();
  }

  /** Defines every SKU and receives {@code units} of each; fails loudly if any is refused. */
  void setup(Http admin, long units) {
    for (int from = 0; from < skus.size(); from += SKUS_PER_BATCH) {
      StringBuilder body = new StringBuilder("{\"commands\":[");
      for (int i = from; i < Math.min(skus.size(), from + SKUS_PER_BATCH); i++) {
        String sku = skus.get(i);
        body.append(i == from ? "" : ",")
            .append("{\"op\":\"define\",\"sku\":\"").append(sku)
            .append("\",\"name\":\"load test ").append(sku).append("\"},")
            .append("{\"op\":\"receive\",\"sku\":\"").append(sku)
            .append("\",\"quantity\":").append(units).append('}');
      }
      body.append("]}");
      Http.Response response = admin.send("POST", "/v1/batch",
          body.toString().getBytes(StandardCharsets.UTF_8));
      requireAllApplied(response);
    }
  }

  private static void requireAllApplied(Http.Response response) {
    if (!response.is(200)) {
      throw new IllegalStateException("setup: POST /v1/batch answered "
          + Measurements.statusName(response.status()) + ": "
          + new String(response.body(), StandardCharsets.UTF_8));
    }
    for (JsonNode result : parse(response.body()).path("results")) {
      if (result.path("status").asInt() != 200) {
        throw new IllegalStateException("setup: a command was refused: " + result);
      }
    }
  }

  static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new UncheckedIOException("not JSON: " + new String(body, StandardCharsets.UTF_8), e);
    }
  }
}
