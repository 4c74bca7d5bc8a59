package io.stockroom.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AsciiBytesTest {

  /** Against the byte-at-a-time answers, at every length around the 8-byte steps and offsets. */
  @Test
  void agreesWithBytewiseChecksAtEveryLengthAndOffset() {
    long seed = Long.getLong("asciibytes.seed", System.nanoTime());
    System.out.println("AsciiBytesTest seed=" + seed + " (rerun with -Dasciibytes.seed=" + seed
        + ")");
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < 20_000; round++) {
      int length = random.nextInt(40);
      int offset = random.nextInt(9);
      byte[] bytes = new byte[offset + length + random.nextInt(9)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] = (byte) (random.nextInt(20) == 0 ? 0x80 + random.nextInt(128)
            : 'A' + random.nextInt(3));
      }
      boolean ascii = true;
      for (int i = offset; i < offset + length; i++) {
        ascii &= bytes[i] >= 0;
      }
      String where = "seed=" + seed + " round=" + round;
      assertThat(AsciiBytes.isAscii(bytes, offset, length)).as(where).isEqualTo(ascii);

      byte[] key = Arrays.copyOfRange(bytes, offset, offset + length);
      byte[] moved = new byte[length + 5];
      System.arraycopy(key, 0, moved, 5, length);
      assertThat(AsciiBytes.equals(key, bytes, offset, length)).as(where).isTrue();
      assertThat(AsciiBytes.hash(moved, 5, length)).as(where)
          .isEqualTo(AsciiBytes.hash(bytes, offset, length));
      if (length > 0) {
        int at = random.nextInt(length);
        moved[5 + at] ^= (byte) (1 + random.nextInt(255));
        assertThat(AsciiBytes.equals(key, moved, 5, length)).as(where).isFalse();
      }
      assertThat(AsciiBytes.equals(key, bytes, offset, Math.max(0, length - 1)))
          .as(where).isEqualTo(length == 0);
    }
  }
}
