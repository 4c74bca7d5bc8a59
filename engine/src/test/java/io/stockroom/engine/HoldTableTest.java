package io.stockroom.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HoldTableTest {

  private static final StockLevel TEE = new StockLevel("tee", "main");
  private static final StockLevel MUG = new StockLevel("mug", "back");

  private static int add(HoldTable table, String id, long ordinal) {
    return table.add(id, new StockLevel[] {TEE}, new int[] {1}, "", "", ordinal, ordinal * 10,
        HoldState.ACTIVE);
  }

  @Test
  void aSingleLineHoldKeepsItsFields() {
    HoldTable table = new HoldTable();
    int hold = table.add("h1", new StockLevel[] {TEE}, new int[] {3}, "ann", "order-7", 5, 10,
        HoldState.ACTIVE);

    assertThat(table.id(hold)).isEqualTo("h1");
    assertThat(table.lineCount(hold)).isEqualTo(1);
    assertThat(table.level(hold, 0)).isSameAs(TEE);
    assertThat(table.quantity(hold, 0)).isEqualTo(3);
    assertThat(table.units(hold)).isEqualTo(3);
    assertThat(table.lines(hold)).containsExactly(new HoldLine("tee", "main", 3));
    assertThat(table.customer(hold)).isEqualTo("ann");
    assertThat(table.reference(hold)).isEqualTo("order-7");
    assertThat(table.ordinal(hold)).isEqualTo(5);
    assertThat(table.expiresAt(hold)).isEqualTo(10);
    assertThat(table.state(hold)).isEqualTo(HoldState.ACTIVE);
    assertThat(table.queuePosition(hold)).isEqualTo(-1);
    assertThat(table.view(hold)).isEqualTo(new HoldView("h1", HoldState.ACTIVE,
        List.of(new HoldLine("tee", "main", 3)), "ann", "order-7", 10));
  }

  @Test
  void aHoldOfSeveralLinesKeepsThemInOrder() {
    HoldTable table = new HoldTable();
    int hold = table.add("h2", new StockLevel[] {TEE, MUG, TEE}, new int[] {3, 5, 7}, "", "", 1,
        10, HoldState.CONFIRMED);

    assertThat(table.lineCount(hold)).isEqualTo(3);
    assertThat(table.level(hold, 0)).isSameAs(TEE);
    assertThat(table.level(hold, 1)).isSameAs(MUG);
    assertThat(table.quantity(hold, 2)).isEqualTo(7);
    assertThat(table.units(hold)).isEqualTo(15);
    assertThat(table.lines(hold)).containsExactly(new HoldLine("tee", "main", 3),
        new HoldLine("mug", "back", 5), new HoldLine("tee", "main", 7));
    assertThat(table.state(hold)).isEqualTo(HoldState.CONFIRMED);
    assertThat(table.customer(hold)).isEmpty();
  }

  @Test
  void aStateChangeKeepsTheExtrasAndASlotReusedAfterAHoldWithExtrasStartsWithout() {
    HoldTable table = new HoldTable();
    int rich = table.add("rich", new StockLevel[] {TEE, MUG}, new int[] {2, 4}, "ann",
        "order-7", 1, 10, HoldState.ACTIVE);
    table.state(rich, HoldState.CONFIRMED);
    assertThat(table.state(rich)).isEqualTo(HoldState.CONFIRMED);
    assertThat(table.customer(rich)).isEqualTo("ann");
    assertThat(table.reference(rich)).isEqualTo("order-7");
    assertThat(table.lineCount(rich)).isEqualTo(2);
    assertThat(table.units(rich)).isEqualTo(6);

    table.forget(rich);
    int plain = add(table, "plain", 2);

    assertThat(plain).as("the forgotten slot is reused").isEqualTo(rich);
    assertThat(table.lineCount(plain)).isEqualTo(1);
    assertThat(table.units(plain)).isEqualTo(1);
    assertThat(table.customer(plain)).isEmpty();
    assertThat(table.reference(plain)).isEmpty();
    assertThat(table.lines(plain)).containsExactly(new HoldLine("tee", "main", 1));
    table.state(plain, HoldState.RELEASED);
    assertThat(table.customer(plain)).isEmpty();
    assertThat(table.lineCount(plain)).isEqualTo(1);
  }

  @Test
  void fieldsSharingAWordDoNotDisturbEachOther() {
    HoldTable table = new HoldTable();
    String negative = "hold-negative-hash-1";
    assertThat(negative.hashCode()).as("the test needs a negative hash").isNegative();
    int hold = table.add(negative, new StockLevel[] {TEE}, new int[] {1_000_000_000}, "", "", 7,
        -5, HoldState.ACTIVE);

    table.queuePosition(hold, Integer.MAX_VALUE);
    table.state(hold, HoldState.EXPIRED);
    table.expiresAt(hold, Long.MIN_VALUE);

    assertThat(table.quantity(hold, 0)).isEqualTo(1_000_000_000);
    assertThat(table.queuePosition(hold)).isEqualTo(Integer.MAX_VALUE);
    assertThat(table.state(hold)).isEqualTo(HoldState.EXPIRED);
    assertThat(table.ordinal(hold)).isEqualTo(7);
    assertThat(table.expiresAt(hold)).isEqualTo(Long.MIN_VALUE);
    assertThat(table.find(negative)).isEqualTo(hold);
    table.queuePosition(hold, -1);
    assertThat(table.state(hold)).isEqualTo(HoldState.EXPIRED);
    table.forget(hold);
    assertThat(table.find(negative)).isEqualTo(HoldTable.NONE);
    assertThat(table.size()).isZero();
  }

  @Test
  void aHoldWithoutLinesUnmatchedArraysOrABadIdIsRefusedAndNothingIsStored() {
    HoldTable table = new HoldTable();
    assertThatThrownBy(() -> table.add("h3", new StockLevel[0], new int[0], "", "", 1, 10,
        HoldState.ACTIVE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("0 levels");
    assertThatThrownBy(() -> table.add("h4", new StockLevel[] {TEE, MUG}, new int[] {1}, "", "",
        1, 10, HoldState.ACTIVE)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("2 levels, 1 quantities");
    assertThatThrownBy(() -> add(table, "", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 255 characters, was 0");
    assertThatThrownBy(() -> add(table, "x".repeat(256), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 256");
    assertThatThrownBy(() -> add(table, "caf\u00e9", 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("character 4");
    assertThat(table.size()).isZero();
    assertThat(table.find("h3")).isEqualTo(HoldTable.NONE);
    assertThat(table.find("caf\u00e9")).isEqualTo(HoldTable.NONE);
  }

  @Test
  void findsAddsAndForgetsHoldsById() {
    HoldTable table = new HoldTable();
    int h1 = add(table, "h1", 1);
    assertThat(table.find("h1")).isEqualTo(h1);
    assertThat(table.find(new String("h1"))).isEqualTo(h1); // by value, not by reference
    assertThat(table.find("h2")).isEqualTo(HoldTable.NONE);
    assertThat(add(table, "h1", 2)).as("the id is taken").isEqualTo(HoldTable.NONE);
    assertThat(table.ordinal(h1)).as("the first hold is untouched").isEqualTo(1);
    table.forget(h1);
    assertThat(table.find("h1")).isEqualTo(HoldTable.NONE);
    assertThat(table.size()).isZero();
    assertThatThrownBy(() -> table.forget(h1)).isInstanceOf(InvariantViolatedException.class);
    int again = add(table, "h1", 3);
    assertThat(again).as("the forgotten slot is reused").isEqualTo(h1);
    assertThat(table.ordinal(again)).isEqualTo(3);
    assertThat(table.slotLimit()).isEqualTo(1);
  }

  @Test
  void idsWithEqualHashCodesStayApart() {
    HoldTable table = new HoldTable();
    // "Aa" and "BB" hash alike, so every id made of them collides with all of its length.
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 256; i++) {
      StringBuilder id = new StringBuilder();
      for (int bit = 0; bit < 8; bit++) {
        id.append((i >> bit & 1) == 0 ? "Aa" : "BB");
      }
      ids.add(id.toString());
    }
    assertThat(new HashSet<>(ids.stream().map(String::hashCode).toList())).hasSize(1);
    Map<String, Integer> added = new HashMap<>();
    for (int i = 0; i < ids.size(); i++) {
      added.put(ids.get(i), add(table, ids.get(i), i));
    }
    for (int i = 0; i < ids.size(); i += 2) {
      table.forget(added.remove(ids.get(i)));
    }
    for (String id : ids) {
      int expected = added.getOrDefault(id, HoldTable.NONE);
      assertThat(table.find(id)).as(id).isEqualTo(expected);
    }
  }

  @Test
  void compactionDropsForgottenIdsAndKeepsTheRest() {
    HoldTable table = new HoldTable();
    int holds = 200_000;
    int[] slots = new int[holds];
    for (int i = 0; i < holds; i++) {
      slots[i] = add(table, "a-long-hold-id-of-forty-characters-" + (10_000 + i), i);
    }
    long grown = table.idArenaBytes();
    assertThat(grown).isGreaterThanOrEqualTo(holds * 40L);
    for (int i = 0; i < holds; i++) {
      if (i % 10 != 0) {
        table.forget(slots[i]);
      }
    }
    assertThat(table.idArenaBytes()).as("a tenth of the ids are live").isLessThan(grown / 2);
    for (int i = 0; i < holds; i += 10) {
      String id = "a-long-hold-id-of-forty-characters-" + (10_000 + i);
      assertThat(table.find(id)).as(id).isEqualTo(slots[i]);
      assertThat(table.id(slots[i])).isEqualTo(id);
      assertThat(table.ordinal(slots[i])).isEqualTo(i);
    }
  }

  /**
   * HoldFoundIffStored: against a HashMap, through growth, many removals (the backward shift is
   * where an open-addressing table goes wrong), slot reuse and id compaction, with counter ids
   * as the engine sees them and colliding ones.
   */
  @Test
  void agreesWithAMapOverRandomAddsAndRemovals() {
    long seed = Long.getLong("holdtable.seed", System.nanoTime());
    System.out.println("HoldTableTest seed=" + seed + " (rerun with -Dholdtable.seed=" + seed
        + ")");
    SplittableRandom random = new SplittableRandom(seed);
    HoldTable table = new HoldTable();
    Map<String, Long> model = new HashMap<>(); // id -> ordinal
    Map<String, Integer> slots = new HashMap<>();
    List<String> known = new ArrayList<>();
    int next = 0;
    int peak = 0;
    for (int step = 0; step < 300_000; step++) {
      int roll = random.nextInt(10);
      if (roll < 5 || known.isEmpty()) {
        String id = random.nextInt(4) == 0 ? "Aa" + random.nextInt(50_000) : "hold-" + next++;
        int slot = add(table, id, step);
        if (model.containsKey(id)) {
          assertThat(slot).as("seed=%d put %s", seed, id).isEqualTo(HoldTable.NONE);
        } else {
          assertThat(slot).as("seed=%d put %s", seed, id).isNotEqualTo(HoldTable.NONE);
          model.put(id, (long) step);
          slots.put(id, slot);
          known.add(id);
        }
      } else if (roll < 8) {
        int at = random.nextInt(known.size());
        String id = known.get(at);
        known.set(at, known.get(known.size() - 1));
        known.remove(known.size() - 1);
        model.remove(id);
        table.forget(slots.remove(id));
      } else {
        String id = random.nextBoolean() && !known.isEmpty()
            ? known.get(random.nextInt(known.size())) : "hold-" + random.nextInt(next + 1);
        int slot = table.find(id);
        assertThat(slot).as("seed=%d get %s", seed, id)
            .isEqualTo(slots.getOrDefault(id, HoldTable.NONE));
        if (slot != HoldTable.NONE) {
          assertThat(table.id(slot)).as("seed=%d", seed).isEqualTo(id);
          assertThat(table.ordinal(slot)).as("seed=%d", seed).isEqualTo(model.get(id));
        }
      }
      assertThat(table.size()).as("seed=%d", seed).isEqualTo(model.size());
      peak = Math.max(peak, model.size());
    }
    Set<String> visited = new HashSet<>();
    for (int slot = 0; slot < table.slotLimit(); slot++) {
      if (table.inUse(slot)) {
        assertThat(visited.add(table.id(slot))).as("seed=%d visited twice", seed).isTrue();
      }
    }
    assertThat(visited).as("seed=%d", seed).containsExactlyInAnyOrderElementsOf(model.keySet());
    assertThat(table.slotLimit()).as("seed=%d: forgotten slots are reused", seed)
        .isEqualTo(peak);
  }
}
