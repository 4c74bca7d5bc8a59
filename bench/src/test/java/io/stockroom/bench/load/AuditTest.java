package io.stockroom.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The audit against logs written here, each wrong in one way on purpose: it must pass the
 * consistent one and fail each of the others for the right reason.
 */
class AuditTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SKU = "lt-flash-0";

  @Test
  void passesAConsistentSoldOutLog() {
    Log log = new Log().received(2).reserved("a", 1).reserved("b", 1).confirmed("a")
        .confirmed("b");
    List<Outcomes.Claim> claims = List.of(confirmed("a"), confirmed("b"), claim("c", 409));

    AuditResult result = log.audit(claims, true);

    assertThat(result.violations()).isEmpty();
    assertThat(result.passed()).isTrue();
    assertThat(result.oversold()).isZero();
    assertThat(result.undersold()).isZero();
    assertThat(result.unitsConserved()).isTrue();
    assertThat(result.acknowledged()).isEqualTo(2);
    assertThat(result.rejected()).isEqualTo(1);
  }

  @Test
  void failsALogThatOversold() {
    // The service let a third buyer have a unit that did not exist: available went to -1.
    Log log = new Log().received(2).reserved("a", 1).reserved("b", 1).reserved("c", 1)
        .confirmed("a").confirmed("b").confirmed("c");

    AuditResult result = log.audit(List.of(confirmed("a"), confirmed("b"), confirmed("c")),
        true);

    assertThat(result.passed()).isFalse();
    assertThat(result.oversold()).isEqualTo(1);
    assertThat(result.violations()).anyMatch(v -> v.contains("oversold by 1"));
  }

  @Test
  void failsWhenAClientWasToldItBoughtMoreThanExists() {
    // The log is consistent, but the service acknowledged a confirmation it never logged.
    Log log = new Log().received(1).reserved("a", 1).confirmed("a");

    AuditResult result = log.audit(List.of(confirmed("a"), confirmed("b")), true);

    assertThat(result.passed()).isFalse();
    assertThat(result.oversold()).isEqualTo(1);
    assertThat(result.acknowledgedMissing()).isEqualTo(1);
  }

  @Test
  void failsWhenAnAcknowledgedReservationIsMissingFromTheLog() {
    Log log = new Log().received(5).reserved("a", 1);

    AuditResult result = log.audit(List.of(claim("a", 201), claim("lost", 201)), false);

    assertThat(result.passed()).isFalse();
    assertThat(result.acknowledgedMissing()).isEqualTo(1);
    assertThat(result.violations())
        .anyMatch(v -> v.contains("lost") && v.contains("missing from the log"));
  }

  @Test
  void failsWhenAnAcknowledgedConfirmationIsMissingFromTheLog() {
    // Confirmed with 200 as far as the client knows, yet the log lets the hold expire.
    Log log = new Log().received(5).reserved("a", 1).expired("a");

    AuditResult result = log.audit(List.of(confirmed("a")), false);

    assertThat(result.passed()).isFalse();
    assertThat(result.acknowledgedMissing()).isEqualTo(1);
    assertThat(result.violations()).anyMatch(v -> v.contains("confirm of a"));
  }

  @Test
  void failsWhenARefusedReservationIsInTheLog() {
    Log log = new Log().received(5).reserved("a", 1).reserved("refused", 1);

    AuditResult result = log.audit(List.of(claim("a", 201), claim("refused", 409)), false);

    assertThat(result.passed()).isFalse();
    assertThat(result.rejectedPresent()).isEqualTo(1);
    assertThat(result.violations()).anyMatch(v -> v.contains("refused reservation refused"));
  }

  @Test
  void failsWhenTheFinalStockDisagreesWithTheLog() {
    Log log = new Log().received(5).reserved("a", 2);
    log.itemOverride = Map.of("reserved", 0L, "available", 5L); // the hold's units vanished

    AuditResult result = log.audit(List.of(claim("a", 201)), false);

    assertThat(result.passed()).isFalse();
    assertThat(result.unitsConserved()).isFalse();
  }

  @Test
  void failsASoldOutSaleThatLeftUnitsUnsold() {
    // Three units, demand for more, but one unit neither sold nor held at the end.
    Log log = new Log().received(3).reserved("a", 1).reserved("b", 1).confirmed("a")
        .confirmed("b");

    AuditResult result = log.audit(List.of(confirmed("a"), confirmed("b"), claim("c", 409)),
        true);

    assertThat(result.passed()).isFalse();
    assertThat(result.undersold()).isEqualTo(1);
  }

  @Test
  void failsAHoldResolvedTwice() {
    Log log = new Log().received(2).reserved("a", 1).released("a").confirmed("a");

    AuditResult result = log.audit(List.of(claim("a", 201)), false);

    assertThat(result.passed()).isFalse();
    assertThat(result.violations()).anyMatch(v -> v.contains("CONFIRMED") && v.contains("after"));
  }

  @Test
  void leavesRequestsWithUnknownOutcomeUnchecked() {
    Log log = new Log().received(2).reserved("timed-out", 1);

    AuditResult result = log.audit(List.of(claim("timed-out", Http.STATUS_TIMEOUT),
        claim("never-arrived", Http.STATUS_IO)), false);

    assertThat(result.passed()).isTrue();
    assertThat(result.unknown()).isEqualTo(2);
  }

  private static Outcomes.Claim claim(String id, int status) {
    return new Outcomes.Claim(id, Map.of(SKU, 1L), status);
  }

  private static Outcomes.Claim confirmed(String id) {
    Outcomes.Claim claim = claim(id, 201);
    claim.resolution = Outcomes.Resolution.CONFIRM;
    claim.resolveStatus = 200;
    return claim;
  }

  /** An event log of one SKU as the service writes it, with the item read that goes with it. */
  private static final class Log {
    private final List<JsonNode> events = new ArrayList<>();
    private final Map<String, Long> holds = new HashMap<>();
    private long sequence;
    private long onHand;
    private long reserved;
    private long committed;
    Map<String, Long> itemOverride = Map.of();

    Log received(long quantity) {
      ObjectNode event = event("stock-received");
      event.set("change", change(quantity, 0, 0));
      event.put("quantity", quantity);
      return add(event);
    }

    Log reserved(String id, long quantity) {
      holds.put(id, quantity);
      ObjectNode event = event("hold-reserved");
      event.put("reservationId", id);
      ObjectNode line = event.putArray("lines").addObject();
      line.put("sku", SKU).put("location", "default").put("quantity", quantity);
      event.putArray("changes").add(change(0, quantity, 0));
      return add(event);
    }

    Log confirmed(String id) {
      long units = holds.get(id);
      return resolution("hold-confirmed", id, change(0, -units, units));
    }

    Log released(String id) {
      return resolution("hold-released", id, change(0, -holds.get(id), 0));
    }

    Log expired(String id) {
      return resolution("hold-expired", id, change(0, -holds.get(id), 0));
    }

    private Log resolution(String type, String id, ObjectNode change) {
      ObjectNode event = event(type);
      event.put("reservationId", id);
      event.putArray("changes").add(change);
      return add(event);
    }

    private ObjectNode event(String type) {
      ObjectNode event = JSON.createObjectNode();
      event.put("sequence", ++sequence).put("type", type).put("time", 1_000 + sequence)
          .put("actor", "key:test");
      return event;
    }

    private ObjectNode change(long onHandDelta, long reservedDelta, long committedDelta) {
      ObjectNode change = JSON.createObjectNode();
      change.put("sku", SKU).put("location", "default");
      change.set("before", quantities());
      onHand += onHandDelta;
      reserved += reservedDelta;
      committed += committedDelta;
      change.set("after", quantities());
      change.put("version", sequence);
      return change;
    }

    private ObjectNode quantities() {
      ObjectNode q = JSON.createObjectNode();
      q.put("onHand", onHand).put("reserved", reserved).put("committed", committed)
          .put("safetyStock", 0).put("available", onHand - reserved - committed);
      return q;
    }

    private Log add(ObjectNode event) {
      events.add(event);
      return this;
    }

    AuditResult audit(List<Outcomes.Claim> claims, boolean expectsSellOut) {
      ObjectNode item = JSON.createObjectNode();
      item.put("sku", SKU).put("sequence", sequence);
      ObjectNode totals = quantities();
      itemOverride.forEach(totals::put);
      item.set("totals", totals);
      return Audit.of(events, Map.of(SKU, item), claims, expectsSellOut);
    }
  }
}
