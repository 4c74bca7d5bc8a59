package io.stockroom.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CursorTest {

  /** The same values, in the same order, as a ByteBuffer over the same bytes, to the limit. */
  @Test
  void readsWhatAByteBufferReadsAndNotPastItsLimit() {
    long seed = Long.getLong("cursor.seed", System.nanoTime());
    System.out.println("CursorTest seed=" + seed + " (rerun with -Dcursor.seed=" + seed + ")");
    SplittableRandom random = new SplittableRandom(seed);
    for (int round = 0; round < 2_000; round++) {
      byte[] bytes = new byte[random.nextInt(64)];
      random.nextBytes(bytes);
      int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
      int length = random.nextInt(bytes.length - offset + 1);
      Cursor cursor = new Cursor().reset(bytes, offset, length);
      ByteBuffer buffer = ByteBuffer.wrap(bytes, offset, length);
      String where = "seed=" + seed + " round=" + round;
      while (true) {
        int kind = random.nextInt(5);
        int size = new int[] {1, 2, 4, 8, 3}[kind];
        if (size > buffer.remaining()) {
          assertThatThrownBy(() -> read(cursor, kind)).as(where)
              .isInstanceOf(BufferUnderflowException.class);
          break;
        }
        long expected = switch (kind) {
          case 0 -> buffer.get();
          case 1 -> buffer.getShort();
          case 2 -> buffer.getInt();
          case 3 -> buffer.getLong();
          default -> {
            int at = buffer.position();
            buffer.position(at + 3);
            yield at;
          }
        };
        assertThat(read(cursor, kind)).as(where).isEqualTo(expected);
        assertThat(cursor.remaining()).as(where).isEqualTo(buffer.remaining());
      }
    }
  }

  private static long read(Cursor cursor, int kind) {
    return switch (kind) {
      case 0 -> cursor.get();
      case 1 -> cursor.getShort();
      case 2 -> cursor.getInt();
      case 3 -> cursor.getLong();
      default -> cursor.skip(3);
    };
  }
}
