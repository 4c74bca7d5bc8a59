package io.stockroom.engine;

import java.util.Arrays;

/**
 * The ids of the holds in a {@link HoldTable}, by slot: ASCII bytes in an arena of 1 MiB
 * chunks rather than a String per hold, which would be two more objects per hold for the
 * collector to copy and track.
 *
 * <p>Each id is a record {@code [slot: int][length: byte][bytes]}, appended to the current
 * chunk. A record names its slot so that a chunk can be emptied by reading it alone: when a
 * chunk other than the current one falls below a quarter live (its holds forgotten), its live
 * records are copied to the current chunk and it is dropped; a chunk with nothing live is
 * dropped at once. Every move is one chunk, so no id is ever handled twice in bulk and no
 * operation stalls for longer than copying one chunk, and the arena stays within four times
 * the live ids plus a chunk. Not thread-safe, like the engine.
 */
final class HoldIds {

  /** Ids are at most 255 bytes (the identifier limit's ceiling): a length fits a byte. */
  static final int LENGTH_MAX = 255;

  private static final int CHUNK_BITS = 20;
  private static final int CHUNK_BYTES = 1 << CHUNK_BITS;
  private static final int HEADER_BYTES = Integer.BYTES + 1;

  /**
   * Each slot's record: chunk number and offset ({@code chunk << 20 | offset}) shifted up 8,
   * and the id's length in the low 8 bits; in pages, so growing never copies them.
   */
  private long[][] refs = new long[16][];

  private byte[][] chunks = new byte[4][];
  /** Bytes appended to each chunk, and how many of them belong to live records. */
  private int[] chunkFill = new int[4];
  private int[] chunkLive = new int[4];
  /** Chunk numbers whose chunk was dropped, to be used again. */
  private int[] freeChunks = new int[4];
  private int freeChunkCount;
  private int chunkCount;
  private int current = -1;

  /** Stores {@code id} (ASCII, 1..255 characters: the caller checked) as slot {@code slot}'s. */
  void store(int slot, String id) {
    int page = slot >>> HoldTable.PAGE_BITS;
    if (page >= refs.length) {
      refs = Arrays.copyOf(refs, Math.max(refs.length * 2, page + 1));
    }
    if (refs[page] == null) {
      refs[page] = new long[HoldTable.PAGE_SLOTS];
    }
    int length = id.length();
    int offset = reserve(HEADER_BYTES + length);
    byte[] chunk = chunks[current];
    writeSlot(chunk, offset, slot);
    chunk[offset + Integer.BYTES] = (byte) length;
    // ASCII: the low byte of each char is the character.
    id.getBytes(0, length, chunk, offset + HEADER_BYTES);
    refs[page][slot & HoldTable.PAGE_MASK] = ref(current, offset, length);
  }

  /** Forgets slot {@code slot}'s id; its bytes are reclaimed with its chunk. */
  void release(int slot) {
    long ref = ref(slot);
    int chunk = chunkOf(ref);
    chunkLive[chunk] -= HEADER_BYTES + lengthOf(ref);
    refs[slot >>> HoldTable.PAGE_BITS][slot & HoldTable.PAGE_MASK] = 0;
    if (chunk != current) {
      settle(chunk);
    }
  }

  int length(int slot) {
    return lengthOf(ref(slot));
  }

  boolean equals(int slot, String id) {
    long ref = ref(slot);
    int length = lengthOf(ref);
    if (id.length() != length) {
      return false;
    }
    byte[] chunk = chunks[chunkOf(ref)];
    int start = offsetOf(ref) + HEADER_BYTES;
    for (int i = 0; i < length; i++) {
      if (chunk[start + i] != id.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /** Slot {@code slot}'s id, made on each call: for events and views, not for lookups. */
  @SuppressWarnings("deprecation") // ASCII: the hibyte-0 constructor is exactly right
  String id(int slot) {
    long ref = ref(slot);
    return new String(chunks[chunkOf(ref)], 0, offsetOf(ref) + HEADER_BYTES, lengthOf(ref));
  }

  /** Bytes the arena's chunks take: for tests of reclamation. */
  long arenaBytes() {
    return (long) (chunkCount - freeChunkCount) * CHUNK_BYTES;
  }

  private long ref(int slot) {
    return refs[slot >>> HoldTable.PAGE_BITS][slot & HoldTable.PAGE_MASK];
  }

  /** Room for {@code bytes} in the current chunk, opening a new one if it is full; the offset. */
  private int reserve(int bytes) {
    if (current < 0 || chunkFill[current] + bytes > CHUNK_BYTES) {
      rotate();
    }
    return append(bytes);
  }

  /** Takes {@code bytes} at the end of the current chunk, which must have room for them. */
  private int append(int bytes) {
    int offset = chunkFill[current];
    if (offset + bytes > CHUNK_BYTES) {
      throw new InvariantViolatedException("hold id chunk " + current + " has no room for "
          + bytes + " bytes");
    }
    chunkFill[current] += bytes;
    chunkLive[current] += bytes;
    return offset;
  }

  /**
   * Opens a new current chunk, and settles the one it replaces: holds forgotten while that was
   * current may have left it sparse, and nothing else would look at it again.
   */
  private void rotate() {
    int retired = current;
    current = openChunk();
    if (retired >= 0) {
      if (chunkLive[retired] == 0) {
        drop(retired);
      } else if (chunkLive[retired] < CHUNK_BYTES / 4) {
        moveLive(retired); // under a quarter of a chunk into an empty one: it fits
      }
    }
  }

  private int openChunk() {
    int chunk;
    if (freeChunkCount > 0) {
      chunk = freeChunks[--freeChunkCount];
    } else {
      if (chunkCount == chunks.length) {
        int capacity = chunkCount * 2;
        chunks = Arrays.copyOf(chunks, capacity);
        chunkFill = Arrays.copyOf(chunkFill, capacity);
        chunkLive = Arrays.copyOf(chunkLive, capacity);
        freeChunks = Arrays.copyOf(freeChunks, capacity);
      }
      chunk = chunkCount++;
    }
    chunks[chunk] = new byte[CHUNK_BYTES];
    chunkFill[chunk] = 0;
    chunkLive[chunk] = 0;
    return chunk;
  }

  /** Drops a chunk that is not the current one if nothing in it is live, or moves out its few. */
  private void settle(int chunk) {
    if (chunkLive[chunk] == 0) {
      drop(chunk);
    } else if (chunkLive[chunk] < CHUNK_BYTES / 4) {
      if (chunkFill[current] + chunkLive[chunk] > CHUNK_BYTES) {
        rotate(); // the new chunk takes the retired one's few and then these: half at most
      }
      moveLive(chunk);
    }
  }

  /** Copies the live records of {@code chunk} to the current chunk, then drops it. */
  private void moveLive(int chunk) {
    byte[] bytes = chunks[chunk];
    int end = chunkFill[chunk];
    for (int offset = 0; offset < end; ) {
      int slot = readSlot(bytes, offset);
      int length = bytes[offset + Integer.BYTES] & 0xff;
      int page = slot >>> HoldTable.PAGE_BITS;
      // Live if the slot's id is still this record (a forgotten slot may hold a newer id).
      if (refs[page] != null && refs[page][slot & HoldTable.PAGE_MASK]
          == ref(chunk, offset, length)) {
        int moved = append(HEADER_BYTES + length);
        System.arraycopy(bytes, offset, chunks[current], moved, HEADER_BYTES + length);
        refs[page][slot & HoldTable.PAGE_MASK] = ref(current, moved, length);
        chunkLive[chunk] -= HEADER_BYTES + length;
      }
      offset += HEADER_BYTES + length;
    }
    if (chunkLive[chunk] != 0) {
      throw new InvariantViolatedException("hold id chunk " + chunk + " has "
          + chunkLive[chunk] + " live bytes its records do not account for");
    }
    drop(chunk);
  }

  private void drop(int chunk) {
    chunks[chunk] = null;
    freeChunks[freeChunkCount++] = chunk;
  }

  private static long ref(int chunk, int offset, int length) {
    return (((long) chunk << CHUNK_BITS) | offset) << 8 | length;
  }

  private static int chunkOf(long ref) {
    return (int) (ref >>> (8 + CHUNK_BITS));
  }

  private static int offsetOf(long ref) {
    return (int) (ref >>> 8) & (CHUNK_BYTES - 1);
  }

  private static int lengthOf(long ref) {
    return (int) (ref & 0xff);
  }

  private static void writeSlot(byte[] chunk, int offset, int slot) {
    chunk[offset] = (byte) (slot >>> 24);
    chunk[offset + 1] = (byte) (slot >>> 16);
    chunk[offset + 2] = (byte) (slot >>> 8);
    chunk[offset + 3] = (byte) slot;
  }

  private static int readSlot(byte[] chunk, int offset) {
    return (chunk[offset] & 0xff) << 24 | (chunk[offset + 1] & 0xff) << 16
        | (chunk[offset + 2] & 0xff) << 8 | (chunk[offset + 3] & 0xff);
  }
}
