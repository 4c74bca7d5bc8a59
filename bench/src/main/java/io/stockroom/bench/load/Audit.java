package io.stockroom.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a run's end state against its event log and against what the clients were told. Pure:
 * the events, the final item reads and the claims come in, an {@link AuditResult} goes out, so
 * that tests can feed it logs that are wrong on purpose.
 *
 * <p>Each item read carries the sequence it reflects; the log is replayed per SKU up to that
 * sequence, so holds expiring while the audit reads do not make it see two different moments.
 */
final class Audit {

  static final int VIOLATIONS_SHOWN_MAX = 20;

  private final Map<String, Level> levels = new LinkedHashMap<>();
  private final Map<String, Hold> holds = new HashMap<>();
  private final List<String> violations = new ArrayList<>();
  private long violationCount;

  /** Per SKU (the default location; the generator uses no other): the log's running totals. */
  private static final class Level {
    final long cutoff;
    long received;
    long shipped;
    long reserved;
    long committed;
    long availableLowest; // the lowest available the log shows, when below zero

    Level(long cutoff) {
      this.cutoff = cutoff;
    }
  }

  private static final class Hold {
    final Map<String, Long> units = new HashMap<>();
    String state = "ACTIVE";
  }

  private Audit(Map<String, JsonNode> items) {
    items.forEach((sku, item) -> levels.put(sku, new Level(item.path("sequence").asLong())));
  }

  /**
   * Audits a run.
   *
   * @param events the log after the run's first sequence, in order, at least up to the highest
   *     sequence of {@code items}
   * @param items the final {@code GET /v1/items/{sku}} of every audited SKU, by SKU
   * @param claims what the clients were told
   * @param expectsSellOut demand reached the supply and every winner confirmed
   */
  static AuditResult of(List<JsonNode> events, Map<String, JsonNode> items,
      Collection<Outcomes.Claim> claims, boolean expectsSellOut) {
    Audit audit = new Audit(items);
    long eventsRead = 0;
    for (JsonNode event : events) {
      eventsRead++;
      audit.apply(event);
    }
    boolean conserved = audit.conserved(items);
    long[] claimed = audit.checkClaims(claims);
    long oversold = audit.oversold(claims);
    long undersold = expectsSellOut ? audit.undersold() : -1;
    if (oversold > 0) {
      audit.violation("oversold by " + oversold + " units");
    }
    if (undersold > 0) {
      audit.violation("undersold by " + undersold + " units although demand exceeded supply");
    }
    return new AuditResult(audit.violationCount == 0, oversold, undersold, conserved,
        claimed[0], claimed[1], claimed[2], claimed[3], claimed[4], eventsRead,
        List.copyOf(audit.violations));
  }

  private void apply(JsonNode event) {
    long sequence = event.path("sequence").asLong();
    String type = event.path("type").asText();
    for (JsonNode change : changesOf(event)) {
      Level level = levels.get(change.path("sku").asText());
      if (level != null) {
        level.availableLowest = Math.min(level.availableLowest,
            change.path("after").path("available").asLong());
      }
    }
    switch (type) {
      case "stock-received" -> level(event.path("change"), sequence, l ->
          l.received += event.path("quantity").asLong());
      case "stock-restocked" -> level(event.path("change"), sequence, l ->
          l.received += event.path("quantity").asLong());
      case "stock-fulfilled" -> level(event.path("change"), sequence, l -> {
        l.shipped += event.path("quantity").asLong();
        l.committed -= event.path("quantity").asLong();
      });
      case "hold-reserved" -> reserved(event, sequence);
      case "hold-confirmed" -> resolved(event, sequence, "CONFIRMED");
      case "hold-released" -> resolved(event, sequence, "RELEASED");
      case "hold-expired" -> resolved(event, sequence, "EXPIRED");
      case "hold-fulfilled" -> resolved(event, sequence, "FULFILLED");
      case "stock-adjusted", "stock-transferred", "safety-stock-set" -> {
        if (touchesAudited(event)) {
          violation("event " + sequence + " (" + type + ") changes an audited SKU outside the"
              + " run; the audit does not model it");
        }
      }
      default -> { } // item-defined, hold-extended, request-recorded, other SKUs: no units move
    }
  }

  private void level(JsonNode change, long sequence, java.util.function.Consumer<Level> effect) {
    Level level = levels.get(change.path("sku").asText());
    if (level != null && sequence <= level.cutoff) {
      effect.accept(level);
    }
  }

  private void reserved(JsonNode event, long sequence) {
    String id = event.path("reservationId").asText();
    Hold hold = new Hold();
    for (JsonNode line : event.path("lines")) {
      hold.units.merge(line.path("sku").asText(), line.path("quantity").asLong(), Long::sum);
    }
    if (hold.units.keySet().stream().noneMatch(levels::containsKey)) {
      return; // not this run's
    }
    if (holds.putIfAbsent(id, hold) != null) {
      violation("reservation " + id + " reserved twice (event " + sequence + ")");
      return;
    }
    hold.units.forEach((sku, units) -> {
      Level level = levels.get(sku);
      if (level != null && sequence <= level.cutoff) {
        level.reserved += units;
      }
    });
  }

  private void resolved(JsonNode event, long sequence, String state) {
    String id = event.path("reservationId").asText();
    Hold hold = holds.get(id);
    if (hold == null) {
      if (touchesAudited(event)) {
        violation("event " + sequence + " resolves reservation " + id + ", never reserved");
      }
      return;
    }
    boolean fulfil = state.equals("FULFILLED");
    if (fulfil ? !hold.state.equals("CONFIRMED") : !hold.state.equals("ACTIVE")) {
      violation("reservation " + id + " is " + state + " (event " + sequence + ") after "
          + hold.state);
      return;
    }
    hold.state = state;
    hold.units.forEach((sku, units) -> {
      Level level = levels.get(sku);
      if (level == null || sequence > level.cutoff) {
        return;
      }
      switch (state) {
        case "CONFIRMED" -> {
          level.reserved -= units;
          level.committed += units;
        }
        case "FULFILLED" -> {
          level.committed -= units;
          level.shipped += units;
        }
        default -> level.reserved -= units;
      }
    });
  }

  private boolean conserved(Map<String, JsonNode> items) {
    boolean conserved = true;
    for (Map.Entry<String, JsonNode> entry : items.entrySet()) {
      Level log = levels.get(entry.getKey());
      JsonNode totals = entry.getValue().path("totals");
      long onHand = log.received - log.shipped;
      long available = onHand - log.reserved - log.committed
          - totals.path("safetyStock").asLong();
      if (totals.path("onHand").asLong() != onHand
          || totals.path("reserved").asLong() != log.reserved
          || totals.path("committed").asLong() != log.committed
          || totals.path("available").asLong() != available) {
        conserved = false;
        violation("units not conserved for " + entry.getKey() + " at sequence " + log.cutoff
            + ": the service says " + totals + ", the log adds up to onHand " + onHand
            + ", reserved " + log.reserved + ", committed " + log.committed
            + ", available " + available);
      }
    }
    return conserved;
  }

  /** Returns acknowledged, rejected, unknown, acknowledged-but-missing, rejected-but-present. */
  private long[] checkClaims(Collection<Outcomes.Claim> claims) {
    long acknowledged = 0;
    long rejected = 0;
    long unknown = 0;
    long missing = 0;
    long present = 0;
    for (Outcomes.Claim claim : claims) {
      Hold hold = holds.get(claim.id);
      if (claim.reserveStatus == 201) {
        acknowledged++;
        if (hold == null || !hold.units.equals(claim.units)) {
          missing++;
          violation("acknowledged reservation " + claim.id + " is "
              + (hold == null ? "missing from the log" : "in the log with other lines"));
        } else if (!resolutionLogged(claim, hold)) {
          missing++;
          violation("acknowledged " + claim.resolution.name().toLowerCase() + " of "
              + claim.id + " is not in the log (it is " + hold.state + ")");
        }
      } else if (claim.reserveStatus == 409) {
        rejected++;
        if (hold != null) {
          present++;
          violation("refused reservation " + claim.id + " is in the log");
        }
      } else {
        unknown++;
      }
    }
    return new long[] {acknowledged, rejected, unknown, missing, present};
  }

  private static boolean resolutionLogged(Outcomes.Claim claim, Hold hold) {
    if (claim.resolution == null || claim.resolveStatus != 200) {
      return true; // nothing acknowledged to check
    }
    return claim.resolution == Outcomes.Resolution.CONFIRM
        ? hold.state.equals("CONFIRMED") || hold.state.equals("FULFILLED")
        : hold.state.equals("RELEASED");
  }

  private long oversold(Collection<Outcomes.Claim> claims) {
    Map<String, Long> acknowledgedSold = new HashMap<>();
    for (Outcomes.Claim claim : claims) {
      if (claim.reserveStatus == 201 && claim.resolution == Outcomes.Resolution.CONFIRM
          && claim.resolveStatus == 200) {
        claim.units.forEach((sku, units) -> acknowledgedSold.merge(sku, units, Long::sum));
      }
    }
    long oversold = 0;
    for (Map.Entry<String, Level> entry : levels.entrySet()) {
      Level l = entry.getValue();
      long logged = l.committed + l.shipped + l.reserved - l.received;
      long told = acknowledgedSold.getOrDefault(entry.getKey(), 0L) - l.received;
      oversold += Math.max(0, Math.max(-l.availableLowest, Math.max(logged, told)));
    }
    return oversold;
  }

  private long undersold() {
    long undersold = 0;
    for (Level l : levels.values()) {
      undersold += Math.max(0, l.received - l.committed - l.shipped);
    }
    return undersold;
  }

  private boolean touchesAudited(JsonNode event) {
    for (JsonNode change : changesOf(event)) {
      if (levels.containsKey(change.path("sku").asText())) {
        return true;
      }
    }
    return false;
  }

  /** Every level change an event carries, whatever field it is in. */
  static List<JsonNode> changesOf(JsonNode event) {
    List<JsonNode> changes = new ArrayList<>();
    for (String field : new String[] {"change", "from", "to"}) {
      if (event.has(field)) {
        changes.add(event.get(field));
      }
    }
    event.path("changes").forEach(changes::add);
    return changes;
  }

  private void violation(String sentence) {
    violationCount++;
    if (violations.size() < VIOLATIONS_SHOWN_MAX) {
      violations.add(sentence);
    }
  }
}
