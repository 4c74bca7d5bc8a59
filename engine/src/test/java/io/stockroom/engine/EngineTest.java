package io.stockroom.engine;

import static io.stockroom.engine.Engine.DEFAULT_LOCATION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockroom.engine.Command.Adjust;
import io.stockroom.engine.Command.Confirm;
import io.stockroom.engine.Command.DefineItem;
import io.stockroom.engine.Command.Extend;
import io.stockroom.engine.Command.Fulfil;
import io.stockroom.engine.Command.FulfilHold;
import io.stockroom.engine.Command.Receive;
import io.stockroom.engine.Command.Release;
import io.stockroom.engine.Command.Reserve;
import io.stockroom.engine.Command.Restock;
import io.stockroom.engine.Command.SetSafetyStock;
import io.stockroom.engine.Command.Tick;
import io.stockroom.engine.Command.Transfer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EngineTest {

  private static final long MINUTE = 60_000;

  private Engine engine;
  private final List<Event> events = new ArrayList<>();
  private long time = 1_000_000;

  @BeforeEach
  void stockTwoItems() {
    engine = new Engine(Limits.DEFAULTS);
    accept(new DefineItem("tee", "T-shirt", "apparel"));
    accept(new DefineItem("mug", "Mug", "kitchen"));
  }

  private Result apply(Command command) {
    return engine.apply(time, command, events);
  }

  private void accept(Command command) {
    Result result = apply(command);
    assertThat(result.accepted()).as("%s -> %s", command, result).isTrue();
  }

  private Result reserve(String holdId, int quantity) {
    return apply(new Reserve(holdId, List.of(new HoldLine("tee", DEFAULT_LOCATION, quantity)),
        "alice", "cart-1", 10 * MINUTE));
  }

  private Quantities tee() {
    return engine.level("tee", DEFAULT_LOCATION);
  }

  private Event lastEvent() {
    return events.get(events.size() - 1);
  }

  @Test
  void lastUnitGoesToExactlyOneOfTwoHolds() {
    accept(new Receive("tee", DEFAULT_LOCATION, 1, "delivery"));

    Result first = reserve("h1", 1);
    Result second = reserve("h2", 1);

    assertThat(first.accepted()).isTrue();
    assertThat(second.rejection()).isEqualTo(Rejection.INSUFFICIENT_STOCK);
    assertThat(second.shortages()).containsExactly(
        new Shortage("tee", DEFAULT_LOCATION, 1, 0));
    assertThat(tee().available()).isZero();
    assertThat(tee().reserved()).isEqualTo(1);
    assertThat(engine.hold("h2")).isNull();
  }

  @Test
  void holdWithOneShortLineTakesNothing() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    accept(new Receive("mug", DEFAULT_LOCATION, 1, null));
    long sequenceBefore = engine.sequence();

    Result result = apply(new Reserve("h1", List.of(
        new HoldLine("tee", DEFAULT_LOCATION, 2),
        new HoldLine("mug", DEFAULT_LOCATION, 3)), null, null, MINUTE));

    assertThat(result.rejection()).isEqualTo(Rejection.INSUFFICIENT_STOCK);
    assertThat(result.shortages()).containsExactly(new Shortage("mug", DEFAULT_LOCATION, 3, 1));
    assertThat(tee()).isEqualTo(new Quantities(5, 0, 0, 0));
    assertThat(engine.level("mug", DEFAULT_LOCATION)).isEqualTo(new Quantities(1, 0, 0, 0));
    assertThat(engine.sequence()).isEqualTo(sequenceBefore);
  }

  @Test
  void reservationNamesEveryShortLine() {
    Result result = apply(new Reserve("h1", List.of(
        new HoldLine("tee", DEFAULT_LOCATION, 2),
        new HoldLine("mug", "paris", 3)), null, null, MINUTE));

    assertThat(result.shortages()).containsExactly(
        new Shortage("tee", DEFAULT_LOCATION, 2, 0),
        new Shortage("mug", "paris", 3, 0));
  }

  @Test
  void expiryReleasesExactlyOnce() {
    accept(new Receive("tee", DEFAULT_LOCATION, 3, null));
    assertThat(reserve("h1", 2).accepted()).isTrue();

    time += 10 * MINUTE; // exactly at the deadline: due
    accept(new Tick());
    accept(new Tick());
    time += MINUTE;
    accept(new Tick());

    long expiries = events.stream().filter(e -> e instanceof Event.HoldExpired).count();
    assertThat(expiries).isEqualTo(1);
    assertThat(engine.hold("h1").state()).isEqualTo(HoldState.EXPIRED);
    assertThat(tee()).isEqualTo(new Quantities(3, 0, 0, 0));
    assertThat(engine.activeHoldCount()).isZero();
  }

  @Test
  void nextExpiryIsTheEarliestActiveDeadline() {
    accept(new Receive("tee", DEFAULT_LOCATION, 3, null));
    assertThat(engine.nextExpiryAt()).isEqualTo(Long.MAX_VALUE);
    reserve("h1", 1);
    apply(new Reserve("h2", List.of(new HoldLine("tee", DEFAULT_LOCATION, 1)), null, null,
        MINUTE));

    assertThat(engine.nextExpiryAt()).isEqualTo(time + MINUTE);
    accept(new Release("h2"));
    assertThat(engine.nextExpiryAt()).isEqualTo(time + 10 * MINUTE);
  }

  @Test
  void holdIsNotExpiredBeforeItsDeadline() {
    accept(new Receive("tee", DEFAULT_LOCATION, 3, null));
    reserve("h1", 2);

    time += 10 * MINUTE - 1;
    accept(new Confirm("h1"));

    assertThat(engine.hold("h1").state()).isEqualTo(HoldState.CONFIRMED);
  }

  @Test
  void confirmAfterExpiryIsRejected() {
    accept(new Receive("tee", DEFAULT_LOCATION, 3, null));
    reserve("h1", 2);
    time += 11 * MINUTE;

    Result result = apply(new Confirm("h1"));

    assertThat(result.rejection()).isEqualTo(Rejection.HOLD_EXPIRED);
    assertThat(tee()).isEqualTo(new Quantities(3, 0, 0, 0));
    assertThat(lastEvent()).isInstanceOf(Event.HoldExpired.class);
  }

  @Test
  void dueHoldBeyondTheSweepBudgetIsExpiredWhenTouched() {
    Limits tight = new Limits(64, 200, 200, 1_000_000_000, 100, 1000, 1000, 1000, 1000,
        1000, 3_600_000, 1, 1_000, 86_400_000, 1_000, 1_000_000);
    engine = new Engine(tight);
    accept(new DefineItem("tee", "T-shirt", "apparel"));
    accept(new Receive("tee", DEFAULT_LOCATION, 3, null));
    reserve("h1", 1);
    reserve("h2", 1);
    time += 11 * MINUTE;

    Result result = apply(new Release("h2")); // the sweep expires h1 only; h2 is expired here

    assertThat(result.rejection()).isEqualTo(Rejection.HOLD_EXPIRED);
    assertThat(engine.hold("h1").state()).isEqualTo(HoldState.EXPIRED);
    assertThat(engine.hold("h2").state()).isEqualTo(HoldState.EXPIRED);
    assertThat(tee().reserved()).isZero();
  }

  @Test
  void confirmMovesUnitsFromReservedToCommitted() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    reserve("h1", 2);

    accept(new Confirm("h1"));

    assertThat(tee()).isEqualTo(new Quantities(5, 0, 2, 0));
    assertThat(tee().available()).isEqualTo(3);
    Event.HoldConfirmed confirmed = (Event.HoldConfirmed) lastEvent();
    assertThat(confirmed.changes()).singleElement().satisfies(change -> {
      assertThat(change.before()).isEqualTo(new Quantities(5, 2, 0, 0));
      assertThat(change.after()).isEqualTo(new Quantities(5, 0, 2, 0));
    });
  }

  @Test
  void holdResolvesOnlyOnce() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    reserve("h1", 2);
    accept(new Confirm("h1"));

    assertThat(apply(new Confirm("h1")).rejection()).isEqualTo(Rejection.HOLD_ALREADY_CONFIRMED);
    assertThat(apply(new Release("h1")).rejection()).isEqualTo(Rejection.HOLD_ALREADY_CONFIRMED);
    assertThat(apply(new Extend("h1", MINUTE)).rejection())
        .isEqualTo(Rejection.HOLD_ALREADY_CONFIRMED);
    reserve("h2", 1);
    accept(new Release("h2"));
    assertThat(apply(new Confirm("h2")).rejection()).isEqualTo(Rejection.HOLD_ALREADY_RELEASED);
    assertThat(tee()).isEqualTo(new Quantities(5, 0, 2, 0));
  }

  @Test
  void releaseGivesUnitsBack() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    reserve("h1", 5);

    accept(new Release("h1"));

    assertThat(tee()).isEqualTo(new Quantities(5, 0, 0, 0));
    assertThat(reserve("h2", 5).accepted()).isTrue();
  }

  @Test
  void extendMovesTheDeadline() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    reserve("h1", 1);
    time += 9 * MINUTE;

    accept(new Extend("h1", 10 * MINUTE));
    time += 5 * MINUTE; // past the original deadline, before the new one
    accept(new Tick());

    assertThat(engine.hold("h1").state()).isEqualTo(HoldState.ACTIVE);
    assertThat(engine.hold("h1").expiresAt()).isEqualTo(time - 5 * MINUTE + 10 * MINUTE);
    time += 6 * MINUTE;
    accept(new Tick());
    assertThat(engine.hold("h1").state()).isEqualTo(HoldState.EXPIRED);
  }

  @Test
  void reusedHoldIdIsRejected() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    reserve("h1", 1);
    accept(new Release("h1"));

    assertThat(reserve("h1", 1).rejection()).isEqualTo(Rejection.HOLD_ID_TAKEN);
  }

  @Test
  void adjustBelowCommittedEmitsShortage() {
    accept(new Receive("tee", DEFAULT_LOCATION, 10, null));
    reserve("h1", 6);
    accept(new Confirm("h1"));

    accept(new Adjust("tee", DEFAULT_LOCATION, 4, Adjust.ANY_VERSION, "stock count"));

    assertThat(tee()).isEqualTo(new Quantities(4, 0, 6, 0));
    assertThat(tee().available()).isEqualTo(-2);
    assertThat(lastEvent()).isEqualTo(new Event.ShortageDetected(engine.sequence(), time,
        Event.SYSTEM_ACTOR, "tee", DEFAULT_LOCATION, -2));
    assertThat(events.get(events.size() - 2)).isInstanceOf(Event.StockAdjusted.class);
  }

  @Test
  void adjustWithStaleVersionIsRejected() {
    accept(new Receive("tee", DEFAULT_LOCATION, 10, null));
    long version = engine.levelVersion("tee", DEFAULT_LOCATION);
    accept(new Receive("tee", DEFAULT_LOCATION, 1, null));

    Result stale = apply(new Adjust("tee", DEFAULT_LOCATION, 3, version, null));
    Result fresh = apply(new Adjust("tee", DEFAULT_LOCATION, 3, version + 1, null));

    assertThat(stale.rejection()).isEqualTo(Rejection.VERSION_CONFLICT);
    assertThat(fresh.accepted()).isTrue();
    assertThat(tee().onHand()).isEqualTo(3);
  }

  @Test
  void safetyStockIsNeverOffered() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    accept(new SetSafetyStock("tee", DEFAULT_LOCATION, 2));

    assertThat(reserve("h1", 4).rejection()).isEqualTo(Rejection.INSUFFICIENT_STOCK);
    assertThat(reserve("h2", 3).accepted()).isTrue();
  }

  @Test
  void transferMovesOnlyAvailableUnitsAtomically() {
    accept(new Receive("tee", "berlin", 5, null));
    apply(new Reserve("h1", List.of(new HoldLine("tee", "berlin", 3)), null, null, MINUTE));

    Result tooMany = apply(new Transfer("tee", "berlin", "paris", 3, null));
    accept(new Transfer("tee", "berlin", "paris", 2, "rebalance"));

    assertThat(tooMany.rejection()).isEqualTo(Rejection.INSUFFICIENT_STOCK);
    assertThat(engine.level("tee", "berlin")).isEqualTo(new Quantities(3, 3, 0, 0));
    assertThat(engine.level("tee", "paris")).isEqualTo(new Quantities(2, 0, 0, 0));
  }

  @Test
  void fulfilShipsCommittedUnits() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    reserve("h1", 2);
    reserve("h2", 1);
    assertThat(apply(new FulfilHold("h1")).rejection()).isEqualTo(Rejection.HOLD_NOT_CONFIRMED);
    accept(new Confirm("h1"));
    accept(new Confirm("h2"));

    accept(new FulfilHold("h1"));
    accept(new Fulfil("tee", DEFAULT_LOCATION, 1, "erp shipment"));

    assertThat(tee()).isEqualTo(new Quantities(2, 0, 0, 0));
    assertThat(engine.hold("h1").state()).isEqualTo(HoldState.FULFILLED);
    assertThat(apply(new Fulfil("tee", DEFAULT_LOCATION, 1, null)).rejection())
        .isEqualTo(Rejection.INSUFFICIENT_COMMITTED);
    assertThat(apply(new FulfilHold("h1")).rejection())
        .isEqualTo(Rejection.HOLD_ALREADY_FULFILLED);
  }

  @Test
  void restockAddsReturnedUnits() {
    accept(new Restock("tee", DEFAULT_LOCATION, 2, "customer return"));

    assertThat(tee()).isEqualTo(new Quantities(2, 0, 0, 0));
    assertThat(lastEvent()).isInstanceOf(Event.StockRestocked.class);
  }

  @Test
  void receivePastQuantityMaxIsRejected() {
    accept(new Receive("tee", DEFAULT_LOCATION, 1_000_000_000, null));

    Result result = apply(new Receive("tee", DEFAULT_LOCATION, 1, null));

    assertThat(result.rejection()).isEqualTo(Rejection.QUANTITY_LIMIT_EXCEEDED);
    assertThat(tee().onHand()).isEqualTo(1_000_000_000);
  }

  /** Every character 0..299, first and later, against the rule written out plainly. */
  @Test
  void identifiersTakeLettersAndDigitsAndAfterTheFirstCharacterAlsoDotUnderscoreColonDash() {
    for (char c = 0; c < 300; c++) {
      boolean alphanumeric = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9');
      boolean separator = c == '.' || c == '_' || c == ':' || c == '-';
      Result first = apply(new DefineItem(c + "x", "", ""));
      Result later = apply(new DefineItem("x" + c, "", ""));
      assertThat(first.accepted()).as("character %d first", (int) c).isEqualTo(alphanumeric);
      assertThat(later.accepted()).as("character %d later", (int) c)
          .isEqualTo(alphanumeric || separator);
      if (!later.accepted()) {
        assertThat(later.rejection()).isEqualTo(Rejection.INVALID_ARGUMENT);
        assertThat(later.detail()).contains("character 2 is not allowed");
      }
    }
  }

  @Test
  void badInputIsRejectedAndChangesNothing() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    long sequence = engine.sequence();
    long checksum = engine.checksum();
    List<Command> bad = List.of(
        new Receive("tee", DEFAULT_LOCATION, 0, null),
        new Receive("tee", DEFAULT_LOCATION, -1, null),
        new Receive("tee", DEFAULT_LOCATION, 1_000_000_001, null),
        new Receive("bad sku", DEFAULT_LOCATION, 1, null),
        new Receive("-tee", DEFAULT_LOCATION, 1, null),
        new Receive("x".repeat(65), DEFAULT_LOCATION, 1, null),
        new Receive("tee", "", 1, null),
        new Receive("tee", null, 1, null),
        new Receive("tee", DEFAULT_LOCATION, 1, "line\nbreak"),
        new Receive("nosuch", DEFAULT_LOCATION, 1, null),
        new Reserve("h1", List.of(), null, null, MINUTE),
        new Reserve("h1", List.of(new HoldLine("tee", DEFAULT_LOCATION, 1),
            new HoldLine("tee", DEFAULT_LOCATION, 1)), null, null, MINUTE),
        new Reserve("h1", List.of(new HoldLine("tee", DEFAULT_LOCATION, 1)), null, null, 999),
        new Reserve("h1", List.of(new HoldLine("tee", DEFAULT_LOCATION, 1)), null, null,
            Long.MAX_VALUE),
        new Reserve("h 1", List.of(new HoldLine("tee", DEFAULT_LOCATION, 1)), null, null, MINUTE),
        new Reserve("h1", List.of(new HoldLine("nosuch", DEFAULT_LOCATION, 1)), null, null,
            MINUTE),
        new Reserve("h1", java.util.Collections.nCopies(101,
            new HoldLine("tee", DEFAULT_LOCATION, 1)), null, null, MINUTE),
        new Adjust("tee", DEFAULT_LOCATION, -1, Adjust.ANY_VERSION, null),
        new Adjust("tee", DEFAULT_LOCATION, 1, -2, null),
        new SetSafetyStock("tee", DEFAULT_LOCATION, -1),
        new Transfer("tee", DEFAULT_LOCATION, DEFAULT_LOCATION, 1, null),
        new Confirm("nosuch"),
        new Confirm(null),
        new Extend("nosuch", MINUTE),
        new DefineItem("", "x", "y"),
        new DefineItem("ok", "x".repeat(201), "y"));

    for (Command command : bad) {
      Result result = apply(command);
      assertThat(result.accepted()).as("%s", command).isFalse();
      assertThat(result.detail()).as("%s", command).isNotBlank();
    }

    assertThat(engine.sequence()).isEqualTo(sequence);
    assertThat(engine.checksum()).isEqualTo(checksum);
  }

  @Test
  void timeNeverRunsBackwards() {
    accept(new Receive("tee", DEFAULT_LOCATION, 1, null));
    reserve("h1", 1);
    long expiresAt = engine.hold("h1").expiresAt();

    engine.apply(time - 5 * MINUTE, new Tick(), events);

    assertThat(engine.now()).isEqualTo(time);
    assertThat(engine.hold("h1").expiresAt()).isEqualTo(expiresAt);
  }

  @Test
  void eventSequencesAreGapFree() {
    accept(new Receive("tee", DEFAULT_LOCATION, 3, null));
    reserve("h1", 1);
    reserve("h2", 9); // rejected: no event
    accept(new Confirm("h1"));

    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i).sequence()).isEqualTo(i + 1);
    }
    assertThat(engine.sequence()).isEqualTo(events.size());
  }

  @Test
  void replayOfEventsRebuildsTheSameState() {
    accept(new Receive("tee", DEFAULT_LOCATION, 10, null));
    accept(new Receive("mug", "paris", 4, null));
    reserve("h1", 2);
    reserve("h2", 3);
    accept(new Confirm("h1"));
    accept(new Transfer("mug", "paris", "rome", 1, null));
    accept(new Adjust("tee", DEFAULT_LOCATION, 1, Adjust.ANY_VERSION, null));
    time += 11 * MINUTE;
    accept(new Tick());

    Engine replica = new Engine(Limits.DEFAULTS);
    events.forEach(replica::replay);

    assertThat(replica.checksum()).isEqualTo(engine.checksum());
    assertThat(replica.level("tee", DEFAULT_LOCATION)).isEqualTo(tee());
    assertThat(replica.hold("h2")).isEqualTo(engine.hold("h2"));
    replica.checkInvariants();
  }

  @Test
  void replayRefusesAnEventThatDoesNotFit() {
    accept(new Receive("tee", DEFAULT_LOCATION, 10, null));
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    Engine replica = new Engine(Limits.DEFAULTS);
    replica.replay(events.get(0));
    replica.replay(events.get(1));

    assertThatThrownBy(() -> replica.replay(events.get(3)))
        .isInstanceOf(InvariantViolatedException.class)
        .hasMessageContaining("expected sequence 3");
    Event.StockReceived received = (Event.StockReceived) events.get(3);
    Event forged = new Event.StockReceived(3, received.time(), received.actor(),
        received.change(), 5, "");
    assertThatThrownBy(() -> replica.replay(forged))
        .isInstanceOf(InvariantViolatedException.class)
        .hasMessageContaining("tee@default");
  }

  @Test
  void replayRefusesAResolutionThatChangesAnotherLevelThanItsHolds() {
    accept(new Receive("tee", DEFAULT_LOCATION, 10, null));
    accept(new Receive("mug", DEFAULT_LOCATION, 10, null));
    reserve("h1", 2);
    accept(new Confirm("h1"));
    Engine replica = new Engine(Limits.DEFAULTS);
    events.subList(0, events.size() - 1).forEach(replica::replay);
    Event.HoldConfirmed confirmed = (Event.HoldConfirmed) lastEvent();
    LevelChange tee = confirmed.changes().get(0);
    long sequence = confirmed.sequence();

    // The mug level's own quantities and version, so only the hold's line can catch it.
    LevelChange mug = new LevelChange("mug", DEFAULT_LOCATION, new Quantities(10, 0, 0, 0),
        new Quantities(10, 0, 2, 0), 2);
    Event onMug = new Event.HoldConfirmed(sequence, confirmed.time(), confirmed.actor(), "h1",
        List.of(mug));
    assertThatThrownBy(() -> replica.replay(onMug))
        .isInstanceOf(InvariantViolatedException.class)
        .hasMessageContaining("hold h1 line 0 is tee@default but the event changes mug@default");
    Event twice = new Event.HoldConfirmed(sequence, confirmed.time(), confirmed.actor(), "h1",
        List.of(tee, tee));
    assertThatThrownBy(() -> replica.replay(twice))
        .isInstanceOf(InvariantViolatedException.class)
        .hasMessageContaining("has 1 lines but the event changes 2 levels");

    // The right level and version, but shaped like a release: units back to sale, none sold.
    LevelChange released = new LevelChange(tee.sku(), tee.location(), tee.before(),
        new Quantities(tee.before().onHand(), 0, 0, 0), tee.version());
    Event asRelease = new Event.HoldConfirmed(sequence, confirmed.time(), confirmed.actor(),
        "h1", List.of(released));
    assertThatThrownBy(() -> replica.replay(asRelease))
        .isInstanceOf(InvariantViolatedException.class)
        .hasMessageContaining("not by what it says it moved");

    replica.replay(confirmed);
    assertThat(replica.checksum()).isEqualTo(engine.checksum());
  }

  @Test
  void replayRefusesAStockEventThatMovesOtherUnitsThanItSays() {
    accept(new Receive("tee", DEFAULT_LOCATION, 10, null));
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    Engine replica = new Engine(Limits.DEFAULTS);
    events.subList(0, events.size() - 1).forEach(replica::replay);
    Event.StockReceived received = (Event.StockReceived) lastEvent();
    LevelChange change = received.change();

    // Right level, right "before" and version; 5 received, but 5 reserved instead of on hand.
    LevelChange intoReserved = new LevelChange(change.sku(), change.location(), change.before(),
        new Quantities(10, 5, 0, 0), change.version());
    Event forged = new Event.StockReceived(received.sequence(), received.time(),
        received.actor(), intoReserved, 5, "");
    assertThatThrownBy(() -> replica.replay(forged))
        .isInstanceOf(InvariantViolatedException.class)
        .hasMessageContaining("not by what it says it moved");
    Event moreThanSaid = new Event.StockReceived(received.sequence(), received.time(),
        received.actor(), change, 4, "");
    assertThatThrownBy(() -> replica.replay(moreThanSaid))
        .isInstanceOf(InvariantViolatedException.class)
        .hasMessageContaining("tee@default");

    replica.replay(received);
    assertThat(replica.checksum()).isEqualTo(engine.checksum());
  }

  @Test
  void snapshotRoundTripKeepsEveryDetail() {
    accept(new Receive("tee", DEFAULT_LOCATION, 10, null));
    accept(new SetSafetyStock("mug", "paris", 1));
    reserve("h1", 2);
    reserve("h2", 3);
    accept(new Confirm("h1"));

    Engine restored = Engine.fromSnapshot(Limits.DEFAULTS, engine.snapshot());

    assertThat(restored.checksum()).isEqualTo(engine.checksum());
    assertThat(restored.sequence()).isEqualTo(engine.sequence());
    assertThat(restored.hold("h1")).isEqualTo(engine.hold("h1"));
    assertThat(restored.item("mug")).isEqualTo(engine.item("mug"));
    // The restored engine goes on exactly like the live one.
    List<Event> live = new ArrayList<>();
    List<Event> fromSnapshot = new ArrayList<>();
    time += 11 * MINUTE;
    engine.apply(time, new Tick(), live);
    restored.apply(time, new Tick(), fromSnapshot);
    assertThat(fromSnapshot).isEqualTo(live);
  }

  @Test
  void corruptSnapshotIsRefused() {
    accept(new Receive("tee", DEFAULT_LOCATION, 10, null));
    reserve("h1", 2);
    byte[] bytes = engine.snapshot();

    for (int i = 0; i < bytes.length; i++) {
      byte[] damaged = bytes.clone();
      damaged[i] ^= 0x10;
      int at = i;
      assertThatThrownBy(() -> Engine.fromSnapshot(Limits.DEFAULTS, damaged))
          .as("flip at byte %d", at)
          .isInstanceOf(IllegalArgumentException.class);
    }
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 1);
    assertThatThrownBy(() -> Engine.fromSnapshot(Limits.DEFAULTS, truncated))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void resolvedHoldsAreForgottenOldestFirstPastTheRetentionLimit() {
    Limits small = new Limits(64, 200, 200, 1_000_000_000, 100, 1000, 1000, 1000, 2,
        1000, 3_600_000, 100, 1_000, 86_400_000, 1_000, 1_000_000);
    engine = new Engine(small);
    accept(new DefineItem("tee", "T-shirt", "apparel"));
    accept(new Receive("tee", DEFAULT_LOCATION, 10, null));
    for (String id : List.of("h1", "h2", "h3")) {
      reserve(id, 1);
      accept(new Release(id));
    }

    assertThat(engine.hold("h1")).isNull();
    assertThat(engine.hold("h2").state()).isEqualTo(HoldState.RELEASED);
    assertThat(engine.hold("h3").state()).isEqualTo(HoldState.RELEASED);
    engine.checkInvariants();
  }

  @Test
  void activeHoldLimitIsEnforced() {
    Limits small = new Limits(64, 200, 200, 1_000_000_000, 100, 1000, 1000, 2, 10,
        1000, 3_600_000, 100, 1_000, 86_400_000, 1_000, 1_000_000);
    engine = new Engine(small);
    accept(new DefineItem("tee", "T-shirt", "apparel"));
    accept(new Receive("tee", DEFAULT_LOCATION, 10, null));
    reserve("h1", 1);
    reserve("h2", 1);

    assertThat(reserve("h3", 1).rejection()).isEqualTo(Rejection.CAPACITY_EXCEEDED);
  }

  @Test
  void keyedRetryChangesNothingAndReturnsTheOriginalEvents() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    Command.Reserve reserve = new Reserve("h1", List.of(new HoldLine("tee", DEFAULT_LOCATION, 2)),
        null, null, MINUTE);
    Result first = apply(new Command.Keyed("key-1", 42, reserve));
    long sequence = engine.sequence();
    Event recorded = lastEvent();

    Result retry = apply(new Command.Keyed("key-1", 42, reserve));

    assertThat(first.accepted()).isTrue();
    assertThat(first.duplicate()).isFalse();
    assertThat(recorded).isEqualTo(new Event.RequestRecorded(sequence, time,
        Event.SYSTEM_ACTOR, "key-1", 42, sequence - 1));
    assertThat(retry.duplicate()).isTrue();
    assertThat(retry.originalFirstSequence()).isEqualTo(sequence - 1);
    assertThat(retry.originalLastSequence()).isEqualTo(sequence - 1);
    assertThat(engine.sequence()).isEqualTo(sequence);
    assertThat(tee().reserved()).isEqualTo(2);
  }

  @Test
  void everyEventOfAnAttributedCommandRecordsItsActorAndExpiryRecordsTheSystem() {
    accept(new Command.Attributed("key:admin1", new Receive("tee", DEFAULT_LOCATION, 5, null)));
    Reserve reserve = new Reserve("h1", List.of(new HoldLine("tee", DEFAULT_LOCATION, 2)),
        null, null, MINUTE);
    accept(new Command.Attributed("jwt:alice", new Command.Keyed("key-1", 9, reserve)));
    int before = events.size();
    time += 2 * MINUTE;
    accept(new Command.Keyed("key-2", 9, new Command.Attributed("key:writer",
        new Receive("tee", DEFAULT_LOCATION, 1, null))));

    assertThat(events.subList(2, 5)).extracting(Event::actor)
        .containsExactly("key:admin1", "jwt:alice", "jwt:alice");
    List<Event> later = events.subList(before, events.size());
    assertThat(later).extracting(Event::actor)
        .containsExactly(Event.SYSTEM_ACTOR, "key:writer", "key:writer");
    assertThat(later.get(0)).isInstanceOf(Event.HoldExpired.class);
    accept(new Receive("tee", DEFAULT_LOCATION, 1, null));
    assertThat(lastEvent().actor()).isEqualTo(Event.SYSTEM_ACTOR);
  }

  @Test
  void aBadHoldLineIsRefusedNamingTheLineAndField() {
    long sequence = engine.sequence();
    HoldLine good = new HoldLine("tee", DEFAULT_LOCATION, 1);
    Object[][] cases = {
        {new HoldLine("mug", DEFAULT_LOCATION, 0), "lines[1].quantity"},
        {new HoldLine("mug", DEFAULT_LOCATION, -3), "lines[1].quantity"},
        {new HoldLine("-mug", DEFAULT_LOCATION, 1), "lines[1].sku"},
        {new HoldLine("", DEFAULT_LOCATION, 1), "lines[1].sku"},
        {new HoldLine(null, DEFAULT_LOCATION, 1), "lines[1].sku"},
        {new HoldLine("mug", "shelf 4", 1), "lines[1].location"},
        {new HoldLine("mug", "x".repeat(500), 1), "lines[1].location"},
    };
    for (Object[] c : cases) {
      Result result = apply(new Reserve("h1", List.of(good, (HoldLine) c[0]), null, null,
          MINUTE));
      assertThat(result.rejection()).as(c[0].toString()).isEqualTo(Rejection.INVALID_ARGUMENT);
      assertThat(result.detail()).as(c[0].toString()).startsWith((String) c[1]);
    }
    assertThat(engine.sequence()).isEqualTo(sequence);
  }

  @Test
  void attributionMustNameAnActorAndWrapOneCommand() {
    Receive receive = new Receive("tee", DEFAULT_LOCATION, 1, null);
    long sequence = engine.sequence();
    List<Command> malformed = List.of(
        new Command.Attributed(null, receive),
        new Command.Attributed("", receive),
        new Command.Attributed("key:\u0000", receive),
        new Command.Attributed("x".repeat(201), receive),
        new Command.Attributed("a", new Command.Attributed("b", receive)),
        new Command.Attributed("a", new Command.Keyed("k", 1, new Command.Attributed("b",
            receive))),
        new Command.Keyed("k", 1, new Command.Attributed("a", new Command.Keyed("j", 1,
            receive))));
    for (Command command : malformed) {
      assertThat(apply(command).rejection()).as(command.toString())
          .isEqualTo(Rejection.INVALID_ARGUMENT);
    }
    assertThat(engine.sequence()).isEqualTo(sequence);
  }

  @Test
  void keyReusedForADifferentRequestIsRejected() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    apply(new Command.Keyed("key-1", 42, new Receive("tee", DEFAULT_LOCATION, 1, null)));

    Result reused = apply(new Command.Keyed("key-1", 43, new Receive("tee", DEFAULT_LOCATION, 1,
        null)));

    assertThat(reused.rejection()).isEqualTo(Rejection.IDEMPOTENCY_KEY_REUSED);
    assertThat(tee().onHand()).isEqualTo(6);
  }

  @Test
  void rejectedKeyedCommandIsNotRememberedSoARetryRunsAgain() {
    Command.Keyed keyed = new Command.Keyed("key-1", 7, new Reserve("h1",
        List.of(new HoldLine("tee", DEFAULT_LOCATION, 1)), null, null, MINUTE));
    assertThat(apply(keyed).rejection()).isEqualTo(Rejection.INSUFFICIENT_STOCK);
    accept(new Receive("tee", DEFAULT_LOCATION, 1, null));

    Result retry = apply(keyed);

    assertThat(retry.accepted()).isTrue();
    assertThat(retry.duplicate()).isFalse();
    assertThat(engine.hold("h1").state()).isEqualTo(HoldState.ACTIVE);
  }

  @Test
  void keyIsHonouredOnlyWithinItsWindowAndSurvivesReplayAndSnapshot() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    Command.Keyed keyed = new Command.Keyed("key-1", 1, new Receive("tee", DEFAULT_LOCATION, 1,
        null));
    accept(keyed);
    Engine replica = new Engine(Limits.DEFAULTS);
    events.forEach(replica::replay);
    Engine restored = Engine.fromSnapshot(Limits.DEFAULTS, engine.snapshot());
    assertThat(replica.checksum()).isEqualTo(engine.checksum());
    assertThat(restored.checksum()).isEqualTo(engine.checksum());
    assertThat(replica.apply(time, keyed, new ArrayList<>()).duplicate()).isTrue();

    time += Limits.DEFAULTS.idempotencyWindowMillis();
    Result later = apply(keyed);

    assertThat(later.duplicate()).isFalse();
    assertThat(tee().onHand()).isEqualTo(7);
  }

  @Test
  void oldestKeysAreForgottenPastTheLimit() {
    Limits small = new Limits(64, 200, 200, 1_000_000_000, 100, 1000, 1000, 10, 10,
        1000, 3_600_000, 100, 2, 86_400_000, 1_000, 1_000_000);
    engine = new Engine(small);
    accept(new DefineItem("tee", "T-shirt", "apparel"));
    for (String key : List.of("a", "b", "c")) {
      accept(new Command.Keyed(key, 1, new Receive("tee", DEFAULT_LOCATION, 1, null)));
    }

    assertThat(engine.idempotencyKeyCount()).isEqualTo(2);
    assertThat(apply(new Command.Keyed("a", 1, new Receive("tee", DEFAULT_LOCATION, 1, null)))
        .duplicate()).isFalse();
    assertThat(apply(new Command.Keyed("c", 1, new Receive("tee", DEFAULT_LOCATION, 1, null)))
        .duplicate()).isTrue();
  }

  @Test
  void badIdempotencyKeysAreRejected() {
    Receive receive = new Receive("tee", DEFAULT_LOCATION, 1, null);
    for (String key : List.of("", "has space", "x".repeat(201), "é")) {
      assertThat(apply(new Command.Keyed(key, 1, receive)).rejection()).as(key)
          .isEqualTo(Rejection.INVALID_ARGUMENT);
    }
    assertThat(apply(new Command.Keyed("k", 1, new Tick())).rejection())
        .isEqualTo(Rejection.INVALID_ARGUMENT);
    assertThat(apply(new Command.Keyed("k", 1, new Command.Keyed("j", 1, receive))).rejection())
        .isEqualTo(Rejection.INVALID_ARGUMENT);
  }

  @Test
  void heldLinesUseTheEnginesOwnStrings() {
    accept(new Receive("tee", DEFAULT_LOCATION, 5, null));
    String sku = new String("tee".toCharArray());
    String location = new String(DEFAULT_LOCATION.toCharArray());

    accept(new Reserve("h1", List.of(new HoldLine(sku, location, 1)), null, null, MINUTE));

    HoldLine kept = engine.hold("h1").lines().get(0);
    assertThat(kept.sku()).isSameAs(engine.item("tee").sku());
    assertThat(kept.location()).isSameAs(engine.item("tee").levels().get(0).location());
  }

  @Test
  void customerCannotHoldMoreThanTheirLimits() {
    Limits small = new Limits(64, 200, 200, 1_000_000_000, 100, 1000, 1000, 100, 100,
        1000, 3_600_000, 100, 1_000, 86_400_000, 2, 5);
    engine = new Engine(small);
    accept(new DefineItem("tee", "T-shirt", "apparel"));
    accept(new Receive("tee", DEFAULT_LOCATION, 100, null));
    Function<String, Command> hold = id -> new Reserve(id,
        List.of(new HoldLine("tee", DEFAULT_LOCATION, 2)), "bot-7", null, MINUTE);

    accept(hold.apply("h1"));
    accept(hold.apply("h2"));
    Result third = apply(hold.apply("h3"));
    Result tooManyUnits = apply(new Reserve("h4",
        List.of(new HoldLine("tee", DEFAULT_LOCATION, 6)), "bot-8", null, MINUTE));
    Result someoneElse = apply(new Reserve("h5",
        List.of(new HoldLine("tee", DEFAULT_LOCATION, 5)), "alice", null, MINUTE));
    accept(new Release("h1"));
    Result afterRelease = apply(hold.apply("h6"));

    assertThat(third.rejection()).isEqualTo(Rejection.CUSTOMER_LIMIT_EXCEEDED);
    assertThat(tooManyUnits.rejection()).isEqualTo(Rejection.CUSTOMER_LIMIT_EXCEEDED);
    assertThat(someoneElse.accepted()).isTrue();
    assertThat(afterRelease.accepted()).isTrue();
    engine.checkInvariants();
    Engine restored = Engine.fromSnapshot(small, engine.snapshot());
    assertThat(restored.apply(time, hold.apply("h7"), new ArrayList<>()).rejection())
        .isEqualTo(Rejection.CUSTOMER_LIMIT_EXCEEDED);
  }

  @Test
  void invalidLimitsRefuseToStart() {
    assertThatThrownBy(() -> new Limits(64, 200, 200, 2_000_000_000, 100, 1000, 1000, 2, 10,
        1000, 3_600_000, 100, 1_000, 86_400_000, 1_000, 1_000_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("quantityMax");
    assertThatThrownBy(() -> new Limits(64, 200, 200, 1000, 100, 1000, 1000, 2, 10,
        5000, 1000, 100, 1_000, 86_400_000, 1_000, 1_000_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holdTimeoutMillisMax");
  }

  @Test
  void textWithAnUnpairedSurrogateIsRejectedAndChangesNothing() {
    long before = engine.sequence();
    for (String text : List.of("mug \uDC00", "ok \uD83D", "\uD83D\uD83D\uDC55", "\uDC55\uD83D")) {
      Result result = apply(new Command.DefineItem("mug", text, "kitchen"));
      assertThat(result.rejection()).as(text).isEqualTo(Rejection.INVALID_ARGUMENT);
      assertThat(result.detail()).as(text).contains("unpaired surrogate");
      assertThat(apply(new Receive("tee", DEFAULT_LOCATION, 1, text)).rejection()).as(text)
          .isEqualTo(Rejection.INVALID_ARGUMENT);
    }
    assertThat(engine.sequence()).isEqualTo(before);
  }

  @Test
  void wellFormedUnicodeTextIsKeptExactlyThroughTheEventCodec() {
    String text = "\uD83D\uDC55 \u202Eemag\u202C Cafe\u0301 a\u200Bb \uDBFF\uDFFF";
    accept(new Command.DefineItem("mug", text, text));
    Event.ItemDefined defined = (Event.ItemDefined) lastEvent();
    assertThat(((Event.ItemDefined) EventCodec.decode(EventCodec.encode(defined))).name())
        .isEqualTo(text);
  }
}
