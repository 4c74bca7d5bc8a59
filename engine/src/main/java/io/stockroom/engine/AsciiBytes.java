package io.stockroom.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Checks, hashes and compares short runs of bytes eight at a time. It exists because the
 * decoder looks up every SKU, location and actor it reads (several per event, two million events
 * at a restart), and doing that a byte at a time (an ASCII check, a hash, then {@code
 * Arrays.equals}) was over half of decoding.
 */
final class AsciiBytes {

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private AsciiBytes() {}

  /** True when every byte is below 0x80. */
  static boolean isAscii(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int i = offset;
    long high = 0;
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      high |= (long) LONGS.get(bytes, i);
    }
    for (; i < end; i++) {
      high |= bytes[i];
    }
    return (high & HIGH_BITS) == 0;
  }

  /** A well-mixed hash of the bytes (not String's: nothing compares the two). */
  static int hash(byte[] bytes, int offset, int length) {
    int end = offset + length;
    int i = offset;
    long h = length;
    for (; i + Long.BYTES <= end; i += Long.BYTES) {
      h = (h + (long) LONGS.get(bytes, i)) * 0x9E3779B97F4A7C15L;
    }
    for (; i < end; i++) {
      h = (h + bytes[i]) * 0x9E3779B97F4A7C15L;
    }
    // A multiply carries bits only upwards, so the low bits callers mask by would ignore the
    // high bytes of each word (the digits of "SKU-0001..."): take the well-mixed top half.
    h ^= h >>> 29;
    return (int) ((h * 0xBF58476D1CE4E5B9L) >>> 32);
  }

  /** True when {@code key} holds exactly the {@code length} bytes at {@code offset}. */
  static boolean equals(byte[] key, byte[] bytes, int offset, int length) {
    if (key.length != length) {
      return false;
    }
    int i = 0;
    for (; i + Long.BYTES <= length; i += Long.BYTES) {
      if ((long) LONGS.get(key, i) != (long) LONGS.get(bytes, offset + i)) {
        return false;
      }
    }
    for (; i < length; i++) {
      if (key[i] != bytes[offset + i]) {
        return false;
      }
    }
    return true;
  }
}
