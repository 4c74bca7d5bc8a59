package io.stockroom.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads back what the audit needs over the API: first every audited item (its ETag is the
 * sequence of the last event it reflects), then the event log from the run's first sequence up to at least
 * the highest of those, in pages of {@code GET /v1/events}. Only events touching the run's SKUs
 * are kept, so a service with a long history costs reading, not memory.
 */
final class AuditReader {

  static final int EVENTS_PAGE = 10_000; // the service's default eventsLimitMax

  private AuditReader() {}

  /**
   * The sequence the service's state reflects now: the run's events all come after it. Read from
   * a state read rather than {@code GET /v1/events}, which answers 410 on a long-running service
   * once its first events were compacted into a snapshot.
   */
  static long sequence(Http http) {
    Http.Response response = http.send("GET", "/v1/items?limit=1", null);
    require(response, "GET /v1/items");
    return Catalog.parse(response.body()).path("sequence").asLong();
  }

  static AuditResult audit(Http http, long afterSequence, Workload workload, Outcomes outcomes) {
    Map<String, JsonNode> items = new LinkedHashMap<>();
    long cutoff = afterSequence;
    for (String sku : workload.auditedSkus()) {
      Http.Response response = http.send("GET", "/v1/items/" + sku, null);
      require(response, "GET /v1/items/" + sku);
      ObjectNode item = (ObjectNode) Catalog.parse(response.body());
      // The cutoff is the item's ETag, the sequence of the last event that changed it, which
      // the body's state is built from. The body's "sequence" is the view's, read apart from
      // the item: under load it can be a batch later (or earlier) than the levels it comes with.
      item.put("sequence", etagSequence(response, sku));
      items.put(sku, item);
      cutoff = Math.max(cutoff, item.path("sequence").asLong());
    }
    List<JsonNode> events = events(http, afterSequence, cutoff, Set.copyOf(items.keySet()));
    return Audit.of(events, items, outcomes.claims(), workload.expectsSellOut());
  }

  private static List<JsonNode> events(Http http, long after, long until, Set<String> skus) {
    List<JsonNode> kept = new ArrayList<>();
    long next = after;
    while (next < until) {
      Http.Response response = http.send("GET", "/v1/events?after=" + next + "&limit="
          + EVENTS_PAGE, null);
      require(response, "GET /v1/events?after=" + next);
      JsonNode page = Catalog.parse(response.body());
      JsonNode pageEvents = page.path("events");
      if (pageEvents.isEmpty()) {
        throw new IllegalStateException("audit: the log ends at " + next
            + " but the items reflect sequence " + until);
      }
      for (JsonNode event : pageEvents) {
        if (touches(event, skus)) {
          kept.add(event);
        }
      }
      next = page.path("next").asLong();
    }
    return kept;
  }

  private static long etagSequence(Http.Response response, String sku) {
    String etag = response.etag();
    if (etag == null || etag.length() < 3) {
      throw new IllegalStateException("audit: GET /v1/items/" + sku + " has no ETag");
    }
    return Long.parseLong(etag.substring(1, etag.length() - 1)); // "\"<sequence>\""
  }

  private static boolean touches(JsonNode event, Set<String> skus) {
    for (JsonNode change : Audit.changesOf(event)) {
      if (skus.contains(change.path("sku").asText())) {
        return true;
      }
    }
    for (JsonNode line : event.path("lines")) {
      if (skus.contains(line.path("sku").asText())) {
        return true;
      }
    }
    return skus.contains(event.path("sku").asText());
  }

  private static void require(Http.Response response, String what) {
    if (!response.is(200)) {
      throw new IllegalStateException("audit: " + what + " answered "
          + Measurements.statusName(response.status()) + ": "
          + new String(response.body(), StandardCharsets.UTF_8));
    }
  }
}
