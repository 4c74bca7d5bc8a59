package io.stockroom.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HoldIndexTest {

  private static final StockLevel LEVEL = new StockLevel("tee", "main");

  private static Hold hold(String id) {
    return new Hold(id, new StockLevel[] {LEVEL}, new int[] {1}, "", "", 0, 0);
  }

  @Test
  void findsAddsAndForgetsHoldsById() {
    HoldIndex index = new HoldIndex();
    Hold h1 = hold("h1");
    assertThat(index.putIfAbsent(h1)).isNull();
    assertThat(index.get("h1")).isSameAs(h1);
    assertThat(index.get(new String("h1"))).isSameAs(h1); // by value, not by reference
    assertThat(index.containsKey("h2")).isFalse();
    Hold again = hold("h1");
    assertThat(index.putIfAbsent(again)).isSameAs(h1);
    assertThat(index.remove(again)).as("another hold with the same id").isFalse();
    assertThat(index.remove(h1)).isTrue();
    assertThat(index.get("h1")).isNull();
    assertThat(index.remove(h1)).isFalse();
    assertThat(index.size()).isZero();
  }

  @Test
  void idsWithEqualHashCodesStayApart() {
    HoldIndex index = new HoldIndex();
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
    Map<String, Hold> added = new HashMap<>();
    for (String id : ids) {
      Hold hold = hold(id);
      index.putIfAbsent(hold);
      added.put(id, hold);
    }
    for (int i = 0; i < ids.size(); i += 2) {
      assertThat(index.remove(added.remove(ids.get(i)))).isTrue();
    }
    for (String id : ids) {
      assertThat(index.get(id)).as(id).isSameAs(added.get(id));
    }
  }

  /**
   * HoldFoundIffIndexed: against a HashMap, through growth and many removals (the backward shift
   * is where an open-addressing table goes wrong), with counter ids as the engine sees them.
   */
  @Test
  void agreesWithAMapOverRandomAddsAndRemovals() {
    long seed = Long.getLong("holdindex.seed", System.nanoTime());
    System.out.println("HoldIndexTest seed=" + seed + " (rerun with -Dholdindex.seed=" + seed + ")");
    SplittableRandom random = new SplittableRandom(seed);
    HoldIndex index = new HoldIndex();
    Map<String, Hold> model = new HashMap<>();
    List<String> known = new ArrayList<>();
    int next = 0;
    for (int step = 0; step < 300_000; step++) {
      int roll = random.nextInt(10);
      if (roll < 5 || known.isEmpty()) {
        String id = random.nextInt(4) == 0 ? "Aa" + random.nextInt(50_000) : "hold-" + next++;
        Hold hold = hold(id);
        Hold expected = model.putIfAbsent(id, hold);
        assertThat(index.putIfAbsent(hold)).as("seed=%d put %s", seed, id).isSameAs(expected);
        if (expected == null) {
          known.add(id);
        }
      } else if (roll < 8) {
        int at = random.nextInt(known.size());
        String id = known.get(at);
        known.set(at, known.get(known.size() - 1));
        known.remove(known.size() - 1);
        assertThat(index.remove(model.remove(id))).as("seed=%d remove %s", seed, id).isTrue();
      } else {
        String id = random.nextBoolean() && !known.isEmpty()
            ? known.get(random.nextInt(known.size())) : "hold-" + random.nextInt(next + 1);
        assertThat(index.get(id)).as("seed=%d get %s", seed, id).isSameAs(model.get(id));
      }
      assertThat(index.size()).as("seed=%d", seed).isEqualTo(model.size());
    }
    Set<Hold> visited = new HashSet<>();
    for (Hold hold : index) {
      assertThat(visited.add(hold)).as("seed=%d visited twice", seed).isTrue();
    }
    assertThat(visited).as("seed=%d", seed).containsExactlyInAnyOrderElementsOf(model.values());
    for (Map.Entry<String, Hold> entry : model.entrySet()) {
      assertThat(index.get(entry.getKey())).as("seed=%d", seed).isSameAs(entry.getValue());
    }
  }
}
