package io.stockroom.engine;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Runs a long seeded stream of generated commands through the engine and the
 * {@link ReferenceModel} side by side and checks, throughout, the named invariants:
 *
 * <ul>
 *   <li>{@code ResultsAgree}: every command is accepted or rejected (for the same reason) by both;
 *   <li>{@code StateAgrees}: every level's quantities and version, every hold's state and deadline;
 *   <li>{@code StockNeverNegative}: no quantity below zero (only {@code available} may be);
 *   <li>{@code UnitsConserved}: the before/after deltas of all events add up to the state;
 *   <li>{@code HoldResolvesOnce}: no hold id is confirmed/released/expired twice;
 *   <li>{@code SequenceGapFree}: events are numbered 1, 2, 3, ... with no gap;
 *   <li>{@code ReplayEqualsLive}: a replica fed only the events has the same checksum;
 *   <li>{@code SnapshotEqualsLive}: an engine rebuilt from a snapshot continues identically;
 *   <li>the engine's own full audit ({@link Engine#checkInvariants()}).
 * </ul>
 *
 * Rerun a failure with {@code -Dengine.seed=<seed>}; change the length with
 * {@code -Dengine.commands=<n>}.
 */
class EngineSimulationTest {

  private static final String[] LOCATIONS = {"default", "north", "south"};

  /** Tight limits so the capacity, retention and bounded-expiry paths are exercised too. */
  private static final Limits LIMITS = new Limits(64, 200, 200, 1_000_000, 4, 3, 60, 400, 3_000,
      1_000, 60_000, 3, 100, 600_000, 3, 12);

  private final long seed = Long.getLong("engine.seed", System.nanoTime());
  private final int commands = Integer.getInteger("engine.commands", 1_000_000);
  private final SplittableRandom random = new SplittableRandom(seed);

  private final List<String> skus = new ArrayList<>();
  private final List<String> holdIds = new ArrayList<>();
  private long time = 1_700_000_000_000L;
  private int nextHold;

  @Test
  void engineAgreesWithReferenceModelOverAMillionCommands() {
    System.out.println("EngineSimulationTest seed=" + seed + " commands=" + commands
        + " (rerun with -Dengine.seed=" + seed + ")");
    for (int i = 0; i < 50; i++) {
      skus.add("SKU-" + i);
    }
    Engine engine = new Engine(LIMITS);
    Engine replica = new Engine(LIMITS);
    ReferenceModel model = new ReferenceModel(LIMITS);
    List<Event> events = new ArrayList<>();
    long[] eventTotals = new long[4];
    Map<String, Integer> resolutions = new java.util.HashMap<>();
    int accepted = 0;

    for (int step = 1; step <= commands; step++) {
      String where = "seed=" + seed + " step=" + step;
      time += timeStep();
      long commandTime = random.nextInt(100) == 0 ? time - random.nextInt(5_000) : time;
      Command command = nextCommand(model);

      events.clear();
      long sequenceBefore = engine.sequence();
      Result result = engine.apply(commandTime, command, events);
      Rejection expected = model.apply(commandTime, command);

      assertThat(result.rejection()).as("ResultsAgree %s: %s -> %s", where, command, result)
          .isEqualTo(expected);
      if (result.accepted()) {
        accepted++;
      }
      for (int i = 0; i < events.size(); i++) {
        Event event = events.get(i);
        assertThat(event.sequence()).as("SequenceGapFree %s", where)
            .isEqualTo(sequenceBefore + i + 1);
        String actor = event instanceof Event.HoldExpired
            || !(command instanceof Command.Attributed attributed) ? Event.SYSTEM_ACTOR
            : attributed.actor();
        assertThat(event.actor()).as("ActorRecorded %s: %s", where, event).isEqualTo(actor);
        replica.replay(event);
        addDeltas(event, eventTotals);
        if (event instanceof Event.HoldReserved reserved) {
          // A new hold; its id may be one forgotten past the retention limit.
          Integer earlier = resolutions.remove(reserved.holdId());
          assertThat(earlier == null || earlier == 1).as("HoldResolvesOnce %s: %s reused while"
              + " still active", where, reserved.holdId()).isTrue();
          resolutions.put(reserved.holdId(), 0);
        }
        String resolvedHold = resolvedHoldId(event);
        if (resolvedHold != null) {
          assertThat(resolutions.merge(resolvedHold, 1, Integer::sum))
              .as("HoldResolvesOnce %s hold %s", where, resolvedHold).isEqualTo(1);
        }
      }
      compareTouched(engine, model, command, where);

      if (step % 2_000 == 0 || step == commands) {
        compareAll(engine, model, where);
        assertThat(replica.checksum()).as("ReplayEqualsLive %s", where)
            .isEqualTo(engine.checksum());
        checkUnitsConserved(engine, model, eventTotals, where);
        engine.checkInvariants();
      }
      if (step % 250_000 == 0) {
        Engine restored = Engine.fromSnapshot(LIMITS, engine.snapshot());
        assertThat(restored.checksum()).as("SnapshotEqualsLive %s", where)
            .isEqualTo(engine.checksum());
        engine = restored; // carry on from the snapshot: it must behave identically
      }
    }
    replica.checkInvariants();
    // The generator must exercise the paths it claims to; a broken generator proves nothing.
    assertThat(accepted).as("accepted commands, seed=%d", seed).isGreaterThan(commands / 5);
    assertThat(resolutions.values().stream().filter(n -> n == 1).count())
        .as("resolved holds, seed=%d", seed).isGreaterThan(commands / 50);
  }

  private long timeStep() {
    int roll = random.nextInt(100);
    if (roll < 70) {
      return random.nextInt(50);
    }
    return roll < 98 ? random.nextInt(2_000) : random.nextInt(120_000);
  }

  private String sku() {
    // Three hot SKUs take half the traffic; one SKU in a hundred is unknown or malformed.
    int roll = random.nextInt(200);
    if (roll == 0) {
      return "unknown-" + random.nextInt(10);
    }
    if (roll == 1) {
      return random.nextBoolean() ? "bad sku" : "";
    }
    return roll < 100 ? skus.get(random.nextInt(3)) : skus.get(random.nextInt(skus.size()));
  }

  private String location() {
    return random.nextInt(300) == 0 ? "far-" + random.nextInt(3) : LOCATIONS[random.nextInt(3)];
  }

  private int quantity() {
    int roll = random.nextInt(1_000);
    if (roll == 0) {
      return random.nextBoolean() ? 0 : -random.nextInt(5);
    }
    if (roll == 1) {
      return LIMITS.quantityMax() + random.nextInt(3);
    }
    return roll < 900 ? 1 + random.nextInt(3) : 1 + random.nextInt(40);
  }

  private long timeout() {
    int roll = random.nextInt(200);
    if (roll == 0) {
      return random.nextBoolean() ? 999 : 60_001;
    }
    return 1_000 + random.nextInt(30_000);
  }

  private String existingHoldId() {
    if (holdIds.isEmpty() || random.nextInt(30) == 0) {
      return random.nextInt(5) == 0 ? null : "nohold-" + random.nextInt(5);
    }
    // Mostly recent holds, sometimes old ones (likely resolved, maybe forgotten).
    int size = holdIds.size();
    int index = random.nextInt(4) == 0 ? random.nextInt(size)
        : size - 1 - random.nextInt(Math.min(size, 50));
    return holdIds.get(index);
  }

  /** Recent keyed commands, so some are retried (same key and request) or reused (other request). */
  private final List<Command.Keyed> keyed = new ArrayList<>();

  /** Half the commands come from one of a few callers; the rest are unattributed. */
  private Command nextCommand(ReferenceModel model) {
    Command command = keyedOrPlainCommand(model);
    return random.nextBoolean() ? command
        : new Command.Attributed("key:caller-" + random.nextInt(4), command);
  }

  private Command keyedOrPlainCommand(ReferenceModel model) {
    Command command = plainCommand(model);
    int roll = random.nextInt(100);
    if (roll < 5 && !keyed.isEmpty()) {
      Command.Keyed earlier = keyed.get(random.nextInt(keyed.size()));
      return roll < 4 ? earlier : new Command.Keyed(earlier.key(), earlier.fingerprint() + 1,
          command);
    }
    if (roll < 15 && !(command instanceof Tick)) {
      Command.Keyed fresh = new Command.Keyed("key-" + random.nextInt(1 << 30),
          command.hashCode(), command);
      keyed.add(fresh);
      if (keyed.size() > 200) {
        keyed.remove(0);
      }
      return fresh;
    }
    return command;
  }

  private Command plainCommand(ReferenceModel model) {
    int roll = random.nextInt(1_000);
    if (roll < 350) {
      return reserve();
    }
    if (roll < 500) {
      return new Confirm(existingHoldId());
    }
    if (roll < 600) {
      return new Release(existingHoldId());
    }
    if (roll < 640) {
      return new Extend(existingHoldId(), timeout());
    }
    if (roll < 760) {
      return new Receive(sku(), location(), quantity(), random.nextInt(20) == 0 ? "why\n" : null);
    }
    if (roll < 800) {
      long version = random.nextBoolean() ? Adjust.ANY_VERSION : random.nextInt(30);
      return new Adjust(sku(), location(), random.nextInt(60) - (random.nextInt(50) == 0 ? 5 : 0),
          version, "count");
    }
    if (roll < 840) {
      return new Transfer(sku(), location(), location(), quantity(), null);
    }
    if (roll < 860) {
      return new SetSafetyStock(sku(), location(), random.nextInt(5));
    }
    if (roll < 900) {
      return new Fulfil(sku(), location(), quantity(), null);
    }
    if (roll < 940) {
      return new FulfilHold(existingHoldId());
    }
    if (roll < 960) {
      return new Restock(sku(), location(), quantity(), "return");
    }
    if (roll < 975) {
      String sku = random.nextInt(4) == 0 ? "new-" + random.nextInt(40) : sku();
      return new DefineItem(sku, "Item " + sku, random.nextBoolean() ? "hot" : "cold");
    }
    if (roll < 980 && model.items.size() < skus.size()) {
      return new DefineItem(skus.get(random.nextInt(skus.size())), "n", "c");
    }
    return new Tick();
  }

  private Command reserve() {
    int lineCount = random.nextInt(10) < 8 ? 1 : 2 + random.nextInt(4);
    List<HoldLine> lines = new ArrayList<>(lineCount);
    for (int i = 0; i < lineCount; i++) {
      lines.add(new HoldLine(sku(), location(), quantity()));
    }
    String id = random.nextInt(100) == 0 && !holdIds.isEmpty()
        ? holdIds.get(random.nextInt(holdIds.size())) // a reused id
        : "h" + nextHold++;
    holdIds.add(id);
    return new Reserve(id, lines, "customer-" + random.nextInt(100), null, timeout());
  }

  private static void compareTouched(Engine engine, ReferenceModel model, Command command,
      String where) {
    switch (command) {
      case Receive c -> compareLevel(engine, model, c.sku(), c.location(), where);
      case Restock c -> compareLevel(engine, model, c.sku(), c.location(), where);
      case Adjust c -> compareLevel(engine, model, c.sku(), c.location(), where);
      case Fulfil c -> compareLevel(engine, model, c.sku(), c.location(), where);
      case SetSafetyStock c -> compareLevel(engine, model, c.sku(), c.location(), where);
      case Transfer c -> {
        compareLevel(engine, model, c.sku(), c.fromLocation(), where);
        compareLevel(engine, model, c.sku(), c.toLocation(), where);
      }
      case Reserve c -> c.lines().forEach(
          line -> compareLevel(engine, model, line.sku(), line.location(), where));
      case Command.Keyed c -> compareTouched(engine, model, c.command(), where);
      default -> { }
    }
  }

  private static void compareLevel(Engine engine, ReferenceModel model, String sku,
      String location, String where) {
    long[] expected = model.level(sku, location);
    Quantities actual = engine.level(sku, location);
    if (expected == null) {
      assertThat(actual).as("StateAgrees %s: %s@%s should not exist", where, sku, location)
          .isNull();
      return;
    }
    assertThat(actual).as("StateAgrees %s: %s@%s", where, sku, location).isEqualTo(
        new Quantities((int) expected[ReferenceModel.ON_HAND],
            (int) expected[ReferenceModel.RESERVED], (int) expected[ReferenceModel.COMMITTED],
            (int) expected[ReferenceModel.SAFETY]));
    assertThat(engine.levelVersion(sku, location)).as("StateAgrees version %s: %s@%s", where,
        sku, location).isEqualTo(expected[ReferenceModel.VERSION]);
    for (int field = 0; field < 4; field++) {
      assertThat(expected[field]).as("StockNeverNegative %s: %s@%s", where, sku, location)
          .isNotNegative();
    }
  }

  private static void compareAll(Engine engine, ReferenceModel model, String where) {
    assertThat(engine.itemCount()).as("StateAgrees items %s", where)
        .isEqualTo(model.items.size());
    assertThat(engine.levelCount()).as("StateAgrees levels %s", where)
        .isEqualTo(model.levels.size());
    for (String key : model.levels.keySet()) {
      int at = key.lastIndexOf('@');
      compareLevel(engine, model, key.substring(0, at), key.substring(at + 1), where);
    }
    assertThat(engine.activeHoldCount()).as("StateAgrees active holds %s", where)
        .isEqualTo(model.active.size());
    for (ReferenceModel.ModelHold hold : model.holds.values()) {
      HoldView view = engine.hold(hold.id);
      assertThat(view).as("StateAgrees hold %s %s", where, hold.id).isNotNull();
      assertThat(view.state()).as("StateAgrees hold %s %s", where, hold.id)
          .isEqualTo(hold.state);
      assertThat(view.expiresAt()).as("StateAgrees hold %s %s", where, hold.id)
          .isEqualTo(hold.expiresAt);
    }
  }

  private static void addDeltas(Event event, long[] totals) {
    List<LevelChange> changes = event.changes();
    for (LevelChange change : changes) {
      totals[0] += change.after().onHand() - change.before().onHand();
      totals[1] += change.after().reserved() - change.before().reserved();
      totals[2] += change.after().committed() - change.before().committed();
      totals[3] += change.after().safetyStock() - change.before().safetyStock();
    }
  }

  private static String resolvedHoldId(Event event) {
    return switch (event) {
      case Event.HoldConfirmed e -> e.holdId();
      case Event.HoldReleased e -> e.holdId();
      case Event.HoldExpired e -> e.holdId();
      default -> null;
    };
  }

  private static void checkUnitsConserved(Engine engine, ReferenceModel model, long[] totals,
      String where) {
    long[] state = new long[4];
    for (long[] level : model.levels.values()) {
      for (int field = 0; field < 4; field++) {
        state[field] += level[field];
      }
    }
    assertThat(totals).as("UnitsConserved %s (event deltas vs state)", where).isEqualTo(state);
    long[] engineState = new long[4];
    engine.forEachItem(item -> item.levels().forEach(level -> {
      engineState[0] += level.quantities().onHand();
      engineState[1] += level.quantities().reserved();
      engineState[2] += level.quantities().committed();
      engineState[3] += level.quantities().safetyStock();
    }));
    assertThat(engineState).as("UnitsConserved %s (engine state)", where).isEqualTo(state);
  }
}
