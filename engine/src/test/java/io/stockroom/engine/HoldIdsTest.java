package io.stockroom.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HoldIdsTest {

  private static final String CHARACTERS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";

  private static String id(SplittableRandom random) {
    int length = random.nextInt(4) == 0 ? 1 + random.nextInt(HoldIds.LENGTH_MAX)
        : 8 + random.nextInt(30);
    StringBuilder id = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      id.append(CHARACTERS.charAt(random.nextInt(CHARACTERS.length())));
    }
    return id.toString();
  }

  @Test
  void anIdIsEqualOnlyToItsOwnCharacters() {
    HoldIds ids = new HoldIds();
    ids.store(0, "order-1");
    ids.store(1, "x".repeat(HoldIds.LENGTH_MAX));

    assertThat(ids.id(0)).isEqualTo("order-1");
    assertThat(ids.equals(0, "order-1")).isTrue();
    assertThat(ids.equals(0, "order-2")).isFalse();
    assertThat(ids.equals(0, "order-10")).isFalse();
    assertThat(ids.equals(0, "order-")).isFalse();
    assertThat(ids.length(1)).isEqualTo(HoldIds.LENGTH_MAX);
    assertThat(ids.id(1)).isEqualTo("x".repeat(HoldIds.LENGTH_MAX));
  }

  /**
   * IdsSurviveReclamation: against a map, through rounds that fill many chunks, release most
   * ids in patterns that leave chunks empty, sparse or full, and reuse the slots; every live id
   * reads back whole, and the arena stays within four times the live bytes plus two chunks.
   */
  @Test
  void keepsEveryLiveIdWhileChunksAreDroppedAndEmptied() {
    long seed = Long.getLong("holdids.seed", System.nanoTime());
    System.out.println("HoldIdsTest seed=" + seed + " (rerun with -Dholdids.seed=" + seed + ")");
    SplittableRandom random = new SplittableRandom(seed);
    HoldIds ids = new HoldIds();
    Map<Integer, String> live = new HashMap<>();
    int slots = 300_000;
    for (int round = 0; round < 4; round++) {
      for (int slot = 0; slot < slots; slot++) {
        if (!live.containsKey(slot)) {
          String id = id(random);
          ids.store(slot, id);
          live.put(slot, id);
        }
      }
      // Round 0 frees runs (whole chunks empty), round 1 most of everything (chunks sparse),
      // rounds 2 and 3 at random.
      for (int slot = 0; slot < slots; slot++) {
        boolean release = switch (round) {
          case 0 -> (slot / 20_000) % 2 == 0;
          case 1 -> slot % 10 != 0;
          default -> random.nextInt(10) < 7;
        };
        if (release && live.remove(slot) != null) {
          ids.release(slot);
        }
      }
      long liveBytes = 0;
      for (Map.Entry<Integer, String> entry : live.entrySet()) {
        assertThat(ids.id(entry.getKey())).as("seed=%d slot %d", seed, entry.getKey())
            .isEqualTo(entry.getValue());
        assertThat(ids.equals(entry.getKey(), entry.getValue())).isTrue();
        liveBytes += 5 + entry.getValue().length();
      }
      assertThat(ids.arenaBytes()).as("seed=%d round %d, %d live bytes", seed, round, liveBytes)
          .isLessThanOrEqualTo(4 * liveBytes + 2 * (1 << 20));
    }
  }
}
