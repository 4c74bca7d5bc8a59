package io.stockroom.engine;

/** 64-bit hashing for {@link Engine#checksum()}: FNV-1a over strings, SplitMix64 finalising. */
final class Digest {

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

  static long of(String... parts) {
    long hash = 0xCBF29CE484222325L;
    for (String part : parts) {
      for (int i = 0; i < part.length(); i++) {
        hash = (hash ^ part.charAt(i)) * 0x100000001B3L;
      }
      hash = (hash ^ 0xFFFF) * 0x100000001B3L; // separator, so ("ab","c") != ("a","bc")
    }
    return hash;
  }
}
