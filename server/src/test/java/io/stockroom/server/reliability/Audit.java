package io.stockroom.server.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a service's history through its API ({@code GET /v1/events}, in order) and checks every
 * event against a model built from the events before it, then the acknowledged writes and the
 * stock reads against the model. It keeps its place across restarts: after a crash it first
 * checks that the events it has already seen are still the same, then reads on.
 *
 * <p>The invariants, each named in its failure message:
 * <ul>
 *   <li>{@code SequenceGapFree}: sequences run 1, 2, 3... with nothing missing or repeated;
 *       {@code TimeNeverBack}: event times never decrease.
 *   <li>{@code UnitsConserved}: every level change's {@code before} is the level as the events
 *       before left it, and its {@code after} is that plus exactly what the event says (a receipt
 *       adds its quantity, a hold moves its lines' units); nothing appears or vanishes.
 *   <li>{@code NeverOversold}: after every change, available, reserved and committed are &ge; 0.
 *   <li>{@code HoldResolvesOnce}; {@code NeverActedOnPastDeadline} (confirm and release come
 *       before {@code expiresAt}); {@code NeverExpiresEarly} (expiry at or after it).
 *   <li>{@code AcknowledgedIsDurable}: every acknowledged write's event is in the log at the
 *       sequence it was acknowledged with; {@code RejectedChangedNothing}: a refused one is not.
 *   <li>{@code ReadsAgreeWithLog}: every stock level the service reads out equals the model.
 *   <li>{@code HistoryNeverChanges}: events read before a crash read the same after it.
 * </ul>
 */
final class Audit {

  private static final int PAGE = 2_000;
  /** Events kept to compare after the next restart. */
  private static final int RECENT = 200;

  /** A stock level as the events so far left it. */
  private static final class Level {
    long onHand;
    long reserved;
    long committed;
    long safetyStock;
    long version;

    long available() {
      return onHand - reserved - committed - safetyStock;
    }
  }

  /** A hold as the events so far left it, with the sequences of what happened to it. */
  static final class Hold {
    final String id;
    final Map<String, Long> lines = new HashMap<>(); // "sku@location" -> units
    final long expiresAt;
    final long reservedAt;
    String state = "ACTIVE";
    long resolvedAt;
    long resolvedTime;

    Hold(String id, long expiresAt, long reservedAt) {
      this.id = id;
      this.expiresAt = expiresAt;
      this.reservedAt = reservedAt;
    }

    long units() {
      return lines.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  private final Map<String, Level> levels = new HashMap<>();
  private final Map<String, Hold> holds = new HashMap<>();
  private final Map<String, Long> receipts = new HashMap<>(); // reason -> sequence
  private final Set<String> items = new HashSet<>();
  private final Deque<JsonNode> recent = new ArrayDeque<>();
  private long sequence;
  private long time;
  private long expiries;
  private long acknowledgedChecked;
  private long rejectedChecked;

  long sequence() {
    return sequence;
  }

  long events() {
    return sequence;
  }

  long expiries() {
    return expiries;
  }

  long acknowledgedChecked() {
    return acknowledgedChecked;
  }

  long rejectedChecked() {
    return rejectedChecked;
  }

  Hold hold(String id) {
    return holds.get(id);
  }

  /** Ids of holds still active although due by {@code time}: expiry has missed them. */
  List<String> activeHoldsDueBy(long time) {
    List<String> overdue = new ArrayList<>();
    for (Hold hold : holds.values()) {
      if (hold.state.equals("ACTIVE") && hold.expiresAt <= time) {
        overdue.add(hold.id + " (due " + hold.expiresAt + ")");
      }
    }
    return overdue;
  }

  /** Units of {@code sku} in confirmed holds plus active ones: what shoppers got. */
  long unitsTaken(String sku) {
    long taken = 0;
    for (Hold hold : holds.values()) {
      if (hold.state.equals("ACTIVE") || hold.state.equals("CONFIRMED")) {
        taken += hold.lines.getOrDefault(sku + "@default", 0L);
      }
    }
    return taken;
  }

  long onHand(String sku) {
    Level level = levels.get(sku + "@default");
    return level == null ? 0 : level.onHand;
  }

  /** HistoryNeverChanges: the last events read before the crash, read again, are identical. */
  void checkHistoryUnchanged(Client client) {
    if (recent.isEmpty()) {
      return;
    }
    long from = recent.peekFirst().get("sequence").asLong();
    List<JsonNode> again = new ArrayList<>();
    for (long after = from - 1; again.size() < recent.size(); ) {
      JsonNode page = client.get("/v1/events?after=" + after + "&limit=" + PAGE).get("events");
      require(page.size() > 0, "HistoryNeverChanges", "events after " + after
          + " were readable before the restart but not after it");
      for (JsonNode event : page) {
        if (again.size() < recent.size()) {
          again.add(event);
        }
      }
      after = again.get(again.size() - 1).get("sequence").asLong();
    }
    require(again.equals(new ArrayList<>(recent)), "HistoryNeverChanges",
        "events " + from + ".." + sequence + " differ after the restart");
  }

  /** Reads every event after the last one audited, checking each. Returns how many. */
  long readOn(Client client) {
    long read = 0;
    while (true) {
      JsonNode page = client.get("/v1/events?after=" + sequence + "&limit=" + PAGE)
          .get("events");
      if (page.isEmpty()) {
        return read;
      }
      for (JsonNode event : page) {
        apply(event);
        read++;
      }
    }
  }

  private void apply(JsonNode event) {
    long at = event.get("sequence").asLong();
    require(at == sequence + 1, "SequenceGapFree", "after " + sequence + " came " + at);
    long eventTime = event.get("time").asLong();
    require(eventTime >= time, "TimeNeverBack", "event " + at + " at " + eventTime
        + " after one at " + time);
    String type = event.get("type").asText();
    switch (type) {
      case "item-defined" -> items.add(event.get("sku").asText());
      case "stock-received" -> received(event, at);
      case "hold-reserved" -> reserved(event, at);
      case "hold-confirmed", "hold-released", "hold-expired" -> resolved(event, at, type);
      case "request-recorded" -> {
        long first = event.get("firstSequence").asLong();
        require(first >= 1 && first < at, "SequenceGapFree", "request-recorded " + at
            + " names first sequence " + first);
      }
      default -> throw new AssertionError("event " + at + " has a type this workload never"
          + " causes: " + event);
    }
    sequence = at;
    time = eventTime;
    recent.addLast(event);
    if (recent.size() > RECENT) {
      recent.removeFirst();
    }
  }

  private void received(JsonNode event, long at) {
    JsonNode change = event.get("change");
    change(at, change, event.get("quantity").asLong(), 0, 0);
    String reason = event.get("reason").asText();
    require(receipts.putIfAbsent(reason, at) == null, "AcknowledgedIsDurable",
        "receipt '" + reason + "' recorded twice, at " + receipts.get(reason) + " and " + at);
  }

  private void reserved(JsonNode event, long at) {
    String id = event.get("reservationId").asText();
    require(!holds.containsKey(id), "HoldResolvesOnce", "reservation " + id
        + " reserved again at " + at);
    Hold hold = new Hold(id, event.get("expiresAt").asLong(), at);
    for (JsonNode line : event.get("lines")) {
      hold.lines.merge(key(line), line.get("quantity").asLong(), Long::sum);
    }
    changes(at, event, hold, 1, 0);
    holds.put(id, hold);
  }

  private void resolved(JsonNode event, long at, String type) {
    String id = event.get("reservationId").asText();
    Hold hold = holds.get(id);
    require(hold != null, "HoldResolvesOnce", type + " at " + at + " of unknown reservation "
        + id);
    require(hold.state.equals("ACTIVE"), "HoldResolvesOnce", type + " at " + at + " of "
        + id + ", which was already " + hold.state + " at " + hold.resolvedAt);
    long eventTime = event.get("time").asLong();
    if (type.equals("hold-expired")) {
      require(eventTime >= hold.expiresAt, "NeverExpiresEarly", id + " expired at "
          + eventTime + ", before its deadline " + hold.expiresAt);
      require(event.get("actor").asText().equals("system"), "NeverExpiresEarly",
          "expiry of " + id + " attributed to " + event.get("actor"));
      hold.state = "EXPIRED";
      expiries++;
      changes(at, event, hold, -1, 0);
    } else {
      require(eventTime < hold.expiresAt, "NeverActedOnPastDeadline", type + " of " + id
          + " at " + eventTime + ", at or after its deadline " + hold.expiresAt);
      boolean confirm = type.equals("hold-confirmed");
      hold.state = confirm ? "CONFIRMED" : "RELEASED";
      changes(at, event, hold, -1, confirm ? 1 : 0);
    }
    hold.resolvedAt = at;
    hold.resolvedTime = eventTime;
  }

  /** A hold's changes: exactly one per line, each moving that line's units. */
  private void changes(long at, JsonNode event, Hold hold, int reservedSign, int committedSign) {
    JsonNode changes = event.get("changes");
    require(changes.size() == hold.lines.size(), "UnitsConserved", "event " + at + " has "
        + changes.size() + " changes for " + hold.lines.size() + " lines: " + event);
    for (JsonNode change : changes) {
      Long units = hold.lines.get(key(change));
      require(units != null, "UnitsConserved", "event " + at + " changes " + key(change)
          + ", which " + hold.id + " does not hold");
      change(at, change, 0, reservedSign * units, committedSign * units);
    }
  }

  private void change(long at, JsonNode change, long onHand, long reserved, long committed) {
    String key = key(change);
    Level level = levels.computeIfAbsent(key, k -> new Level());
    requireQuantities(at, key, "before", change.get("before"), level);
    level.onHand += onHand;
    level.reserved += reserved;
    level.committed += committed;
    requireQuantities(at, key, "after", change.get("after"), level);
    require(level.available() >= 0 && level.reserved >= 0 && level.committed >= 0,
        "NeverOversold", "event " + at + " leaves " + key + " at available "
            + level.available() + ", reserved " + level.reserved + ", committed "
            + level.committed);
    long version = change.get("version").asLong();
    require(version > level.version, "UnitsConserved", "event " + at + " gives " + key
        + " version " + version + " after " + level.version);
    level.version = version;
  }

  private static void requireQuantities(long at, String key, String which, JsonNode quantities,
      Level level) {
    boolean same = quantities.get("onHand").asLong() == level.onHand
        && quantities.get("reserved").asLong() == level.reserved
        && quantities.get("committed").asLong() == level.committed
        && quantities.get("safetyStock").asLong() == level.safetyStock
        && quantities.get("available").asLong() == level.available();
    require(same, "UnitsConserved", "event " + at + " says " + key + " was " + quantities
        + " " + which + ", the events before make it onHand " + level.onHand + ", reserved "
        + level.reserved + ", committed " + level.committed + ", safetyStock "
        + level.safetyStock);
  }

  private static String key(JsonNode node) {
    return node.get("sku").asText() + "@" + node.path("location").asText("default");
  }

  /**
   * AcknowledgedIsDurable and RejectedChangedNothing, for writes whose outcome is known. Call
   * after {@link #readOn}: everything acknowledged is durable, so it has been read.
   */
  void checkWrites(List<Write> writes) {
    for (Write write : writes) {
      switch (write.outcome()) {
        case ACKED -> {
          long at = write.sequence();
          long found = sequenceOf(write);
          require(found == at, "AcknowledgedIsDurable", write + " is "
              + (found == 0 ? "not in the log" : "in the log at " + found) + "; the service"
              + " answered: " + write.answer());
          acknowledgedChecked++;
        }
        case REJECTED -> {
          require(sequenceOf(write) == 0, "RejectedChangedNothing", write + " was refused ("
              + write.answer() + ") but is in the log at " + sequenceOf(write));
          rejectedChecked++;
        }
        case UNKNOWN -> throw new AssertionError("unresolved: " + write);
      }
    }
  }

  /** Where the log holds what {@code write} did, or 0. */
  private long sequenceOf(Write write) {
    if (write.kind == Write.Kind.RECEIVE) {
      return receipts.getOrDefault(write.subject, 0L);
    }
    Hold hold = holds.get(write.subject);
    if (hold == null) {
      return 0;
    }
    String state = switch (write.kind) {
      case RESERVE -> "ACTIVE";
      case CONFIRM -> "CONFIRMED";
      case RELEASE -> "RELEASED";
      case RECEIVE -> throw new IllegalStateException();
    };
    if (write.kind == Write.Kind.RESERVE) {
      return hold.reservedAt;
    }
    return hold.state.equals(state) ? hold.resolvedAt : 0;
  }

  /**
   * ReadsAgreeWithLog: every level {@code GET /v1/items} reads out equals the model, and the
   * model has no level the service lacks. False (check nothing) when the service moved on
   * between the events and the read (an expiry fell due): read on and try again.
   */
  boolean stockAgrees(Client client) {
    Set<String> seen = new HashSet<>();
    String after = "";
    while (true) {
      JsonNode page = client.get("/v1/items?limit=1000" + (after.isEmpty() ? ""
          : "&after=" + after));
      if (page.get("sequence").asLong() != sequence) {
        return false;
      }
      for (JsonNode item : page.get("items")) {
        require(items.contains(item.get("sku").asText()), "ReadsAgreeWithLog",
            "the service reads out an item no event defined: " + item);
        for (JsonNode read : item.get("levels")) {
          String key = item.get("sku").asText() + "@" + read.get("location").asText();
          Level level = levels.get(key);
          require(level != null, "ReadsAgreeWithLog", "the service reads out level " + key
              + " that no event touched");
          requireQuantities(sequence, key, "read", read, level);
          require(read.get("version").asLong() == level.version, "ReadsAgreeWithLog",
              key + " reads version " + read.get("version") + ", the log " + level.version);
          seen.add(key);
        }
      }
      if (page.get("next").isNull()) {
        break;
      }
      after = page.get("next").asText();
    }
    require(seen.equals(levels.keySet()), "ReadsAgreeWithLog", "levels in the log but not"
        + " read out: " + difference(levels.keySet(), seen));
    return true;
  }

  /** A reservation as the service reads it out agrees with the model. */
  void checkReservation(Client client, String id) {
    Hold hold = holds.get(id);
    JsonNode read = client.get("/v1/reservations/" + id);
    require(hold != null, "ReadsAgreeWithLog", "the service reads out reservation " + id
        + " that no event reserved: " + read);
    require(read.get("state").asText().equals(hold.state), "ReadsAgreeWithLog",
        "reservation " + id + " reads " + read.get("state") + ", the log says " + hold.state
            + " (sequence " + read.get("sequence") + ", audited to " + sequence + ")");
  }

  private static Set<String> difference(Set<String> a, Set<String> b) {
    Set<String> left = new HashSet<>(a);
    left.removeAll(b);
    return left;
  }

  private static void require(boolean holds, String invariant, String detail) {
    if (!holds) {
      throw new AssertionError(invariant + " broken: " + detail);
    }
  }
}
