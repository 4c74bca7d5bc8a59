package io.stockroom.engine;

import java.util.Arrays;
import java.util.List;

/**
 * Every hold the engine knows (active and retained resolved), stored as columns of primitive
 * arrays indexed by a slot number, and found by id through an open-addressing index.
 *
 * <p>It exists because holds live for minutes and a flash sale keeps millions of them active.
 * As objects (a hold, its id String and the String's bytes) every one of them survived the young
 * collection after it was made and was copied, and the old-generation arrays that pointed at
 * them made G1 track and refine every such pointer: the collector spent as much CPU as the
 * writer and syncer together, and its pauses set the latency. Here a hold is a slot: its fields
 * are array elements, its id is bytes in an arena of large chunks, and nothing per hold is an
 * object (a hold of two or more lines keeps one small {@link Lines} for lines 1 and up, and a
 * non-empty customer or reference keeps its String).
 *
 * <p>Slots are reused after a hold is forgotten ({@link #forget}); a slot number is therefore
 * valid only until its hold is forgotten. Ids are ASCII (the engine's identifier rule), so the
 * arena keeps one byte per character; its chunks are compacted when more than half their bytes
 * belong to forgotten holds. The index is linear probing, at most half full, removal by
 * backward shift (no tombstones), with each slot's {@code String.hashCode()} kept beside it.
 * Not thread-safe, like the engine.
 */
final class HoldTable {

  static final int NONE = -1;

  /** Every line of a hold with two or more (line 0 is also in the columns, for the usual hold). */
  private record Lines(StockLevel[] levels, int[] quantities) {}

  private static final HoldState[] STATES = HoldState.values();
  /** {@link #states} of a slot no hold uses; otherwise the state's ordinal plus one. */
  private static final byte FREE = 0;
  private static final int SLOTS_INITIAL = 1024;
  /** A chunk of the id arena: 1 MiB, so a chunk is never a humongous object to G1. */
  private static final int CHUNK_BITS = 20;
  private static final int CHUNK_BYTES = 1 << CHUNK_BITS;
  /** Ids are at most 255 bytes (the identifier limit's ceiling): a length fits 8 bits. */
  private static final int ID_LENGTH_MAX = 255;

  // Columns, one element per slot.
  private int[] idHashes = new int[SLOTS_INITIAL];
  /** Where the id lies in the arena: its position (chunk and offset) shifted up 8, and length. */
  private long[] idRefs = new long[SLOTS_INITIAL];
  private StockLevel[] levels0 = new StockLevel[SLOTS_INITIAL];
  private int[] quantities0 = new int[SLOTS_INITIAL];
  private Lines[] moreLines = new Lines[SLOTS_INITIAL];
  /** Null for the empty customer and reference, so anonymous holds store no reference at all. */
  private String[] customers = new String[SLOTS_INITIAL];
  private String[] references = new String[SLOTS_INITIAL];
  private long[] ordinals = new long[SLOTS_INITIAL];
  private long[] expiresAts = new long[SLOTS_INITIAL];
  private byte[] states = new byte[SLOTS_INITIAL];
  private int[] queuePositions = new int[SLOTS_INITIAL];

  /** Slots ever handed out; every slot below it is in use or on the free stack. */
  private int slotsUsed;
  private int[] freeSlots = new int[64];
  private int freeCount;
  private int size;

  /**
   * The index, at most half full: each entry is an id's hash in the high half and its slot + 1
   * in the low half, 0 when empty. One array, so a probe of a table far larger than the caches
   * costs one miss, not one for the slot and another for the hash.
   */
  private long[] index = new long[SLOTS_INITIAL * 2];
  /** 32 minus log2 of the index's length: a hash's home is the top bits of its scrambled value. */
  private int indexShift = Integer.numberOfLeadingZeros(SLOTS_INITIAL * 2) + 1;

  // The id arena.
  private byte[][] chunks = new byte[4][];
  private int chunkCount;
  /** Bytes used in the last chunk. */
  private int chunkFill = CHUNK_BYTES;
  private long idBytesLive;
  private long idBytesWritten;

  /** Holds stored. */
  int size() {
    return size;
  }

  /** An upper bound of the slots in use: visit {@code 0 <= slot < slotLimit()} with {@link #inUse}. */
  int slotLimit() {
    return slotsUsed;
  }

  boolean inUse(int slot) {
    return states[slot] != FREE;
  }

  // ---------------------------------------------------------------------------------------------
  // Adding, finding, forgetting

  /**
   * Stores a hold unless one with its id is stored; returns its slot, or {@link #NONE} if the id
   * is taken (nothing is stored then).
   *
   * @throws IllegalArgumentException when there are no lines, the arrays disagree, or the id is
   *     not 1 to 255 ASCII characters
   */
  int add(String id, StockLevel[] levels, int[] quantities, String customer, String reference,
      long ordinal, long expiresAt, HoldState state) {
    int vacancy = vacancy(id);
    return vacancy == NONE ? NONE
        : add(vacancy, id, levels, quantities, customer, reference, ordinal, expiresAt, state);
  }

  /**
   * Where a hold with this id would be indexed, or {@link #NONE} if the id is taken. The engine
   * asks before it reserves stock and then stores the hold at that position with {@link #add(int,
   * String, StockLevel[], int[], String, String, long, long, HoldState)}, so a reservation probes
   * the index once. The position is good until the table next changes.
   */
  int vacancy(String id) {
    int at = probe(id);
    return at < 0 ? ~at : NONE;
  }

  /**
   * Stores a hold at a {@link #vacancy} found for its id since the table last changed; returns
   * its slot.
   *
   * @throws IllegalArgumentException as {@link #add(String, StockLevel[], int[], String, String,
   *     long, long, HoldState)}
   */
  int add(int vacancy, String id, StockLevel[] levels, int[] quantities, String customer,
      String reference, long ordinal, long expiresAt, HoldState state) {
    if (levels.length == 0 || levels.length != quantities.length) {
      throw new IllegalArgumentException("a hold has one or more lines, each a level and a"
          + " quantity: " + levels.length + " levels, " + quantities.length + " quantities");
    }
    int length = id.length();
    if (length == 0 || length > ID_LENGTH_MAX) {
      throw new IllegalArgumentException("a hold id is 1 to " + ID_LENGTH_MAX
          + " characters, was " + length);
    }
    for (int i = 0; i < length; i++) {
      if (id.charAt(i) >= 0x80) {
        throw new IllegalArgumentException("a hold id is ASCII; character " + (i + 1)
            + " of " + id + " is not");
      }
    }
    int hash = id.hashCode();
    if (index[vacancy] != 0 || vacancy != probeEnd(hash, vacancy)) {
      throw new InvariantViolatedException("hold " + id + " stored at index position "
          + vacancy + ", which is not the vacancy its probe ends at");
    }
    int slot = takeSlot();
    idHashes[slot] = hash;
    idRefs[slot] = storeId(id);
    levels0[slot] = levels[0];
    quantities0[slot] = quantities[0];
    if (levels.length > 1) {
      moreLines[slot] = new Lines(levels, quantities);
    }
    if (!customer.isEmpty()) {
      customers[slot] = customer;
    }
    if (!reference.isEmpty()) {
      references[slot] = reference;
    }
    ordinals[slot] = ordinal;
    expiresAts[slot] = expiresAt;
    states[slot] = (byte) (state.ordinal() + 1);
    queuePositions[slot] = -1;
    index[vacancy] = entry(hash, slot);
    size++;
    if (size * 2 > index.length) {
      growIndex();
    }
    return slot;
  }

  /** The slot of the hold with this id, or {@link #NONE}. */
  int find(String id) {
    int at = probe(id);
    return at < 0 ? NONE : (int) index[at] - 1;
  }

  /**
   * Walks {@code id}'s probe run: the index position of its entry if it is stored, otherwise
   * the complement ({@code ~position}, negative) of the empty position where it belongs.
   */
  private int probe(String id) {
    int hash = id.hashCode();
    int mask = index.length - 1;
    for (int at = home(hash); ; at = (at + 1) & mask) {
      long entry = index[at];
      if (entry == 0) {
        return ~at;
      }
      if ((int) (entry >>> 32) == hash && idEquals((int) entry - 1, id)) {
        return at;
      }
    }
  }

  /**
   * Whether the probe run from {@code hash}'s home reaches {@code position} without passing an
   * empty entry: a cheap check (the run is short, the index at most half full) that a vacancy
   * handed back really belongs to this id.
   */
  private int probeEnd(int hash, int position) {
    int mask = index.length - 1;
    int at = home(hash);
    while (at != position && index[at] != 0) {
      at = (at + 1) & mask;
    }
    return at;
  }

  private static long entry(int hash, int slot) {
    return (long) hash << 32 | (slot + 1);
  }

  /** Removes the hold at {@code slot}, whose number may be handed out again from now on. */
  void forget(int slot) {
    if (slot < 0 || slot >= slotsUsed || states[slot] == FREE) {
      throw new InvariantViolatedException("hold slot " + slot + " is not in use");
    }
    int mask = index.length - 1;
    int at = home(idHashes[slot]);
    while ((int) index[at] != slot + 1) {
      if (index[at] == 0) {
        throw new InvariantViolatedException("hold " + id(slot) + " is not indexed");
      }
      at = (at + 1) & mask;
    }
    shiftBack(at);
    idBytesLive -= idLength(slot);
    levels0[slot] = null;
    moreLines[slot] = null;
    customers[slot] = null;
    references[slot] = null;
    states[slot] = FREE;
    if (freeCount == freeSlots.length) {
      freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
    }
    freeSlots[freeCount++] = slot;
    size--;
    if (idBytesWritten - idBytesLive > idBytesLive + 2L * CHUNK_BYTES) {
      compactIds();
    }
  }

  private int takeSlot() {
    if (freeCount > 0) {
      return freeSlots[--freeCount];
    }
    if (slotsUsed == states.length) {
      growColumns();
    }
    return slotsUsed++;
  }

  /**
   * Empties index position {@code hole} and moves later entries of its probe run back into it
   * wherever their own home allows, so that no lookup ever meets a gap before its hold.
   */
  private void shiftBack(int hole) {
    int mask = index.length - 1;
    for (int at = (hole + 1) & mask; index[at] != 0; at = (at + 1) & mask) {
      int home = home((int) (index[at] >>> 32));
      // The entry at `at` may move to the hole unless its home lies cyclically in (hole, at].
      boolean homeAfterHole = hole <= at ? hole < home && home <= at
          : hole < home || home <= at;
      if (!homeAfterHole) {
        index[hole] = index[at];
        hole = at;
      }
    }
    index[hole] = 0;
  }

  /**
   * Fibonacci hashing: ids made of a counter have hash codes that differ by small steps, which
   * linear probing would pile into one long run; the multiply spreads them over every position.
   */
  private int home(int hash) {
    return (hash * 0x9E3779B9) >>> indexShift;
  }

  private void growIndex() {
    long[] old = index;
    index = new long[old.length * 2];
    indexShift--;
    int mask = index.length - 1;
    for (long entry : old) {
      if (entry != 0) {
        int at = home((int) (entry >>> 32));
        while (index[at] != 0) {
          at = (at + 1) & mask;
        }
        index[at] = entry;
      }
    }
  }

  private void growColumns() {
    int capacity = states.length * 2;
    idHashes = Arrays.copyOf(idHashes, capacity);
    idRefs = Arrays.copyOf(idRefs, capacity);
    levels0 = Arrays.copyOf(levels0, capacity);
    quantities0 = Arrays.copyOf(quantities0, capacity);
    moreLines = Arrays.copyOf(moreLines, capacity);
    customers = Arrays.copyOf(customers, capacity);
    references = Arrays.copyOf(references, capacity);
    ordinals = Arrays.copyOf(ordinals, capacity);
    expiresAts = Arrays.copyOf(expiresAts, capacity);
    states = Arrays.copyOf(states, capacity);
    queuePositions = Arrays.copyOf(queuePositions, capacity);
  }

  // ---------------------------------------------------------------------------------------------
  // The id arena

  private long storeId(String id) {
    int length = id.length();
    if (chunkFill + length > CHUNK_BYTES) {
      if (chunkCount == chunks.length) {
        chunks = Arrays.copyOf(chunks, chunkCount * 2);
      }
      chunks[chunkCount++] = new byte[CHUNK_BYTES];
      chunkFill = 0;
    }
    byte[] chunk = chunks[chunkCount - 1];
    // ASCII by the identifier rule; the low byte of each char is the character.
    id.getBytes(0, length, chunk, chunkFill);
    long position = ((long) (chunkCount - 1) << CHUNK_BITS) | chunkFill;
    chunkFill += length;
    idBytesLive += length;
    idBytesWritten += length;
    return position << 8 | length;
  }

  /** Copies every stored id into fresh chunks, dropping the bytes of forgotten holds. */
  private void compactIds() {
    byte[][] old = chunks;
    chunks = new byte[Math.max(4, (int) (idBytesLive >>> CHUNK_BITS) + 2)][];
    chunkCount = 0;
    chunkFill = CHUNK_BYTES;
    idBytesLive = 0;
    idBytesWritten = 0;
    for (int slot = 0; slot < slotsUsed; slot++) {
      if (states[slot] == FREE) {
        continue;
      }
      long ref = idRefs[slot];
      int length = (int) (ref & 0xff);
      if (chunkFill + length > CHUNK_BYTES) {
        if (chunkCount == chunks.length) {
          chunks = Arrays.copyOf(chunks, chunkCount * 2);
        }
        chunks[chunkCount++] = new byte[CHUNK_BYTES];
        chunkFill = 0;
      }
      long position = ref >>> 8;
      System.arraycopy(old[(int) (position >>> CHUNK_BITS)], (int) (position & (CHUNK_BYTES - 1)),
          chunks[chunkCount - 1], chunkFill, length);
      idRefs[slot] = ((((long) (chunkCount - 1) << CHUNK_BITS) | chunkFill) << 8) | length;
      chunkFill += length;
      idBytesLive += length;
      idBytesWritten += length;
    }
  }

  /** Bytes the id arena has allocated: for tests of compaction. */
  long idArenaBytes() {
    return (long) chunkCount * CHUNK_BYTES;
  }

  private int idLength(int slot) {
    return (int) (idRefs[slot] & 0xff);
  }

  private boolean idEquals(int slot, String id) {
    long ref = idRefs[slot];
    int length = (int) (ref & 0xff);
    if (id.length() != length) {
      return false;
    }
    long position = ref >>> 8;
    byte[] chunk = chunks[(int) (position >>> CHUNK_BITS)];
    int offset = (int) (position & (CHUNK_BYTES - 1));
    for (int i = 0; i < length; i++) {
      if (chunk[offset + i] != id.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // A hold's fields

  /** The hold's id, made on each call: for events and views, not for lookups. */
  String id(int slot) {
    long ref = idRefs[slot];
    long position = ref >>> 8;
    byte[] chunk = chunks[(int) (position >>> CHUNK_BITS)];
    @SuppressWarnings("deprecation") // ASCII: the hibyte-0 constructor is exactly right
    String id = new String(chunk, 0, (int) (position & (CHUNK_BYTES - 1)), (int) (ref & 0xff));
    return id;
  }

  HoldState state(int slot) {
    return STATES[states[slot] - 1];
  }

  void state(int slot, HoldState state) {
    states[slot] = (byte) (state.ordinal() + 1);
  }

  long ordinal(int slot) {
    return ordinals[slot];
  }

  long expiresAt(int slot) {
    return expiresAts[slot];
  }

  void expiresAt(int slot, long expiresAt) {
    expiresAts[slot] = expiresAt;
  }

  /** Position in {@link ExpiryQueue}, or -1 when not queued. */
  int queuePosition(int slot) {
    return queuePositions[slot];
  }

  void queuePosition(int slot, int position) {
    queuePositions[slot] = position;
  }

  String customer(int slot) {
    String customer = customers[slot];
    return customer == null ? "" : customer;
  }

  String reference(int slot) {
    String reference = references[slot];
    return reference == null ? "" : reference;
  }

  int lineCount(int slot) {
    Lines more = moreLines[slot];
    return more == null ? 1 : more.levels.length;
  }

  /** The level of line {@code line}, {@code 0 <= line < lineCount(slot)}. */
  StockLevel level(int slot, int line) {
    return line == 0 ? levels0[slot] : moreLines[slot].levels[line];
  }

  /** The units line {@code line} holds. */
  int quantity(int slot, int line) {
    return line == 0 ? quantities0[slot] : moreLines[slot].quantities[line];
  }

  /** Units held over all lines. */
  long units(int slot) {
    Lines more = moreLines[slot];
    if (more == null) {
      return quantities0[slot];
    }
    long units = 0;
    for (int quantity : more.quantities) {
      units += quantity;
    }
    return units;
  }

  /** The lines as records, built on each call: for views, events and snapshots. */
  List<HoldLine> lines(int slot) {
    Lines more = moreLines[slot];
    if (more == null) {
      StockLevel level = levels0[slot];
      return List.of(new HoldLine(level.sku, level.location, quantities0[slot]));
    }
    HoldLine[] lines = new HoldLine[more.levels.length];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = new HoldLine(more.levels[i].sku, more.levels[i].location, more.quantities[i]);
    }
    return List.of(lines);
  }

  HoldView view(int slot) {
    return new HoldView(id(slot), state(slot), lines(slot), customer(slot), reference(slot),
        expiresAts[slot]);
  }
}
