package io.stockroom.server.read;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.engine.HoldLine;
import io.stockroom.engine.HoldState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HoldRecordsTest {

  private static ReadView.Hold hold(String id, HoldState state, long sequence) {
    return new ReadView.Hold(id, state, List.of(new HoldLine("sku-" + id, "default", 1)), null,
        null, 1_000L + sequence, sequence);
  }

  @Test
  void aRecordDecodesToTheHoldItWasMadeFrom() {
    ReadView.Hold[] holds = {
        new ReadView.Hold("h1", HoldState.ACTIVE, List.of(new HoldLine("tee", "default", 2)),
            null, null, 1_700_000_060_000L, 7),
        new ReadView.Hold("größe-ü", HoldState.CONFIRMED, List.of(
            new HoldLine("tee", "berlin", 1), new HoldLine("mug", "paris", 1_000_000_000),
            new HoldLine("", "x", 0)), "kundin-Ä", "", Long.MAX_VALUE, Long.MIN_VALUE),
        new ReadView.Hold("x".repeat(255), HoldState.EXPIRED, List.of(), "", "order 12 ✓", -1,
            0),
    };
    for (ReadView.Hold hold : holds) {
      assertThat(HoldRecords.decode(HoldRecords.encode(hold))).isEqualTo(hold);
    }
  }

  @Test
  void aNewStateChangesOnlyStateExpiryAndSequence() {
    ReadView.Hold hold = new ReadView.Hold("h-ü", HoldState.ACTIVE, List.of(
        new HoldLine("tee", "default", 2), new HoldLine("mug", "annex", 3)), "c", "r", 5_000, 9);
    byte[] record = HoldRecords.encode(hold);
    byte[] before = record.clone();

    byte[] changed = HoldRecords.withState(record, HoldState.RELEASED, 8_000, 12);

    assertThat(HoldRecords.decode(changed)).isEqualTo(new ReadView.Hold("h-ü",
        HoldState.RELEASED, hold.lines(), "c", "r", 8_000, 12));
    assertThat(HoldRecords.state(changed)).isEqualTo(HoldState.RELEASED);
    assertThat(HoldRecords.expiresAt(changed)).isEqualTo(8_000);
    assertThat(record).isEqualTo(before); // records are never changed in place
  }

  /**
   * Puts, replacements and removals in a seeded random order against a map: enough ids that
   * every partition grows several times and removals shift runs back, few enough that ids come
   * back after they were removed (onto reused slots).
   */
  @Test
  void findsWhatAMapWouldThroughGrowthRemovalAndReuse() {
    long seed = System.nanoTime();
    System.out.println("HoldRecordsTest seed " + seed);
    Random random = new Random(seed);
    HoldRecords records = new HoldRecords();
    Map<String, ReadView.Hold> model = new HashMap<>();
    Map<String, Integer> slots = new HashMap<>();
    for (int step = 0; step < 400_000; step++) {
      String id = "h" + random.nextInt(60_000);
      int op = random.nextInt(10);
      if (op < 6 || !model.containsKey(id)) {
        ReadView.Hold hold = hold(id, HoldState.values()[random.nextInt(3)], step);
        int slot = records.put(HoldRecords.encode(hold));
        if (slots.containsKey(id)) {
          assertThat(slot).as("seed %d: a replaced hold keeps its slot", seed)
              .isEqualTo(slots.get(id));
        }
        model.put(id, hold);
        slots.put(id, slot);
      } else {
        records.remove(slots.remove(id));
        model.remove(id);
      }
      if (step % 50_000 == 0 || step == 399_999) {
        assertThat(records.size()).as("seed %d", seed).isEqualTo(model.size());
        for (int i = 0; i < 60_000; i++) {
          String probe = "h" + i;
          int slot = records.find(HoldRecords.utf8(probe));
          ReadView.Hold expected = model.get(probe);
          if (expected == null) {
            assertThat(slot).as("seed %d, step %d: %s was removed", seed, step, probe)
                .isEqualTo(-1);
          } else {
            assertThat(slot).as("seed %d, step %d", seed, step).isEqualTo(slots.get(probe));
            assertThat(HoldRecords.decode(records.record(slot))).as("seed %d", seed)
                .isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void removingEverythingLeavesNothingFindable() {
    HoldRecords records = new HoldRecords();
    List<Integer> slots = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      slots.add(records.put(HoldRecords.encode(hold("h" + i, HoldState.ACTIVE, i))));
    }
    for (int slot : slots) {
      records.remove(slot);
    }
    assertThat(records.size()).isZero();
    for (int i = 0; i < 20_000; i++) {
      assertThat(records.find(HoldRecords.utf8("h" + i))).isEqualTo(-1);
    }
    // The freed slots are reused: as many holds again take no new ones.
    for (int i = 0; i < 20_000; i++) {
      assertThat(records.put(HoldRecords.encode(hold("k" + i, HoldState.ACTIVE, i))))
          .isLessThan(20_000);
    }
  }
}
