package io.stockroom.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NameTableTest {

  private static String intern(NameTable table, String name) {
    // Inside a larger array, at an offset, as the decoder passes a record's bytes.
    byte[] bytes = ("xx" + name + "yy").getBytes(StandardCharsets.US_ASCII);
    return table.intern(bytes, 2, name.length());
  }

  @Test
  void aNameDecodesToTheSameInstanceEveryTime() {
    NameTable table = new NameTable(100);
    String first = intern(table, "SKU-000001");
    assertThat(first).isEqualTo("SKU-000001");
    assertThat(intern(table, "SKU-000001")).isSameAs(first);
    assertThat(intern(table, "SKU-000002")).isNotSameAs(first).isEqualTo("SKU-000002");
    assertThat(intern(table, "")).isEmpty();
    assertThat(intern(table, "")).isSameAs(intern(table, ""));
  }

  @Test
  void namesWithEqualHashesStayApart() {
    NameTable table = new NameTable(100);
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    String aa = intern(table, "Aa");
    String bb = intern(table, "BB");
    assertThat(aa).isEqualTo("Aa");
    assertThat(bb).isEqualTo("BB");
    assertThat(intern(table, "Aa")).isSameAs(aa);
    assertThat(intern(table, "BB")).isSameAs(bb);
  }

  @Test
  void pastItsLimitNewNamesDecodeFreshAndKeptOnesStayCanonical() {
    NameTable table = new NameTable(2);
    String a = intern(table, "a");
    String b = intern(table, "b");
    String c = intern(table, "c");
    assertThat(c).isEqualTo("c");
    assertThat(intern(table, "c")).isEqualTo("c").isNotSameAs(c);
    assertThat(intern(table, "a")).isSameAs(a);
    assertThat(intern(table, "b")).isSameAs(b);
    assertThat(table.size()).isEqualTo(2);
  }

  /** Against a HashMap, through many growths, with names that share prefixes and hashes. */
  @Test
  void agreesWithAMapOverManyRandomNames() {
    long seed = Long.getLong("nametable.seed", System.nanoTime());
    System.out.println("NameTableTest seed=" + seed + " (rerun with -Dnametable.seed=" + seed + ")");
    SplittableRandom random = new SplittableRandom(seed);
    int namesMax = 5_000;
    NameTable table = new NameTable(namesMax);
    Map<String, String> canonical = new HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      StringBuilder name = new StringBuilder();
      int length = random.nextInt(12);
      for (int j = 0; j < length; j++) {
        name.append((char) (random.nextBoolean() ? 'A' + random.nextInt(3) : 'a' + j % 2));
      }
      String key = name.toString();
      String decoded = intern(table, key);
      assertThat(decoded).as("seed=%d", seed).isEqualTo(key);
      String kept = canonical.get(key);
      if (kept != null) {
        assertThat(decoded).as("seed=%d %s", seed, key).isSameAs(kept);
      } else if (canonical.size() < namesMax) {
        canonical.put(key, decoded);
      }
    }
    assertThat(table.size()).as("seed=%d", seed).isEqualTo(canonical.size());
  }
}
