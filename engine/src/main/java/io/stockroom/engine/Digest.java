package io.stockroom.engine;

/** 64-bit hashing for {@link Engine#checksum()}: FNV-1a over strings, SplitMix64 finalising. */
final class Digest {

  /** FNV-1a's offset basis: where every string fold starts. */
  private static final long OFFSET = 0xCBF29CE484222325L;

  private Digest() {}

  static long mix(long value) {
    long z = value + 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  static long combine(long hash, long value) {
    return mix(hash * 0x100000001B3L + value);
  }

  // Fixed arities, not varargs: the checksum runs once per snapshot over every hold, and a
  // String[] per call was the largest allocation of a snapshot. All give of(parts...)'s value.

  static long of(String part) {
    return part(OFFSET, part);
  }

  static long of(String first, String second) {
    return part(part(OFFSET, first), second);
  }

  static long of(String first, String second, String third) {
    return part(part(part(OFFSET, first), second), third);
  }

  static long of(String... parts) {
    long hash = OFFSET;
    for (String part : parts) {
      hash = part(hash, part);
    }
    return hash;
  }

  private static long part(long hash, String part) {
    for (int i = 0; i < part.length(); i++) {
      hash = (hash ^ part.charAt(i)) * 0x100000001B3L;
    }
    return (hash ^ 0xFFFF) * 0x100000001B3L; // separator, so ("ab","c") != ("a","bc")
  }
}
