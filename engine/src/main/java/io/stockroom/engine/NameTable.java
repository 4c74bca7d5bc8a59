package io.stockroom.engine;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One canonical String per distinct ASCII name (SKU, location), looked up by its bytes. It
 * exists so that the decoder hands the engine the very String instances the engine keys its
 * items and levels by: then replay's lookups match by reference, never comparing bytes. Unlike a
 * cache it never evicts (an eviction would make a second instance of that name and turn its
 * lookups back into byte comparisons); instead it stops adding at {@code namesMax} names, past
 * which new names decode as fresh Strings, correct and only slower. Open addressing with linear
 * probing, at most half full, growing by doubling. Not thread-safe.
 */
final class NameTable {

  private static final int SLOTS_INITIAL = 1024;

  private final int namesMax;
  private int[] hashes;
  private byte[][] keys;
  private String[] values;
  private int size;

  NameTable(int namesMax) {
    this.namesMax = Math.max(0, namesMax);
    int slots = SLOTS_INITIAL;
    hashes = new int[slots];
    keys = new byte[slots][];
    values = new String[slots];
  }

  int size() {
    return size;
  }

  /** The canonical String of these ASCII bytes. */
  String intern(byte[] bytes, int offset, int length) {
    if (namesMax == 0) {
      return new String(bytes, offset, length, StandardCharsets.US_ASCII); // the shared decoder
    }
    int hash = AsciiBytes.hash(bytes, offset, length);
    int mask = keys.length - 1;
    int slot = hash & mask;
    for (byte[] key = keys[slot]; key != null; key = keys[slot]) {
      if (hashes[slot] == hash && AsciiBytes.equals(key, bytes, offset, length)) {
        return values[slot];
      }
      slot = (slot + 1) & mask;
    }
    String value = new String(bytes, offset, length, StandardCharsets.US_ASCII);
    if (size < namesMax) {
      hashes[slot] = hash;
      keys[slot] = Arrays.copyOfRange(bytes, offset, offset + length);
      values[slot] = value;
      size++;
      if (size * 2 > keys.length) {
        grow();
      }
    }
    return value;
  }

  private void grow() {
    int[] oldHashes = hashes;
    byte[][] oldKeys = keys;
    String[] oldValues = values;
    int slots = oldKeys.length * 2;
    hashes = new int[slots];
    keys = new byte[slots][];
    values = new String[slots];
    int mask = slots - 1;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldKeys[i] != null) {
        int slot = oldHashes[i] & mask;
        while (keys[slot] != null) {
          slot = (slot + 1) & mask;
        }
        hashes[slot] = oldHashes[i];
        keys[slot] = oldKeys[i];
        values[slot] = oldValues[i];
      }
    }
  }
}
