package io.stockroom.server.read;

import io.stockroom.engine.HoldLine;
import io.stockroom.engine.HoldState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The read view's holds: each hold one immutable {@code byte[]} record, stored by slot in pages
 * filled in order and found by id through an index of plain {@code int}s.
 *
 * <p>As records of objects (a map node, the hold, its id, its list of lines, each line and its
 * SKU and location strings) every hold left about ten objects that survived the young
 * collection after it was made, and the map's table in the old generation pointed at each new
 * one from a random place: with an hour's holds kept, the young pauses of a reservation run
 * took 30–33 ms, against 8–14 ms with the view keeping no holds (docs/BENCHMARKS.md, "The read
 * view's holds"). Here a hold is one array; a new one is referenced from the next slot of the
 * current page (the old generation's cards it dirties are adjacent), and the index holds slot
 * numbers, which the collector never scans. The index is in {@link #PARTITIONS} open-addressing
 * tables chosen by the id's hash, so that growing one rehashes a few thousand holds rather than
 * all of them on the thread that publishes durable batches.
 *
 * <p>Not thread-safe: {@link ReadView} writes it from one thread and guards readers with a lock.
 * Records are never changed once stored, so a reader may decode one after letting go.
 */
final class HoldRecords {

  static final int PARTITIONS = 256;
  private static final int PAGE_BITS = 14;
  private static final int PAGE_SLOTS = 1 << PAGE_BITS;
  private static final int PAGE_MASK = PAGE_SLOTS - 1;
  private static final int TABLE_INITIAL = 16;
  private static final HoldState[] STATES = HoldState.values();
  private static final VarHandle INT =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
  /** A record's fields after its id: state (1 byte), expiresAt (8), sequence (8). */
  private static final int STATE_AT = 0;
  private static final int EXPIRES_AT = 1;
  private static final int SEQUENCE_AT = 9;

  private byte[][][] pages = new byte[16][][];
  private int slotsUsed;
  private int[] freeSlots = new int[64];
  private int freeCount;
  private int size;
  /** Per partition: slot + 1 at each position, 0 where empty; linear probing, at most half full. */
  private final int[][] tables = new int[PARTITIONS][];
  private final int[] tableSizes = new int[PARTITIONS];

  HoldRecords() {
    for (int p = 0; p < PARTITIONS; p++) {
      tables[p] = new int[TABLE_INITIAL];
    }
  }

  int size() {
    return size;
  }

  // ---------------------------------------------------------------------------------------------
  // The table

  /** The slot of the hold with this id (UTF-8), or -1. */
  int find(byte[] id) {
    int hash = hash(id, 0, id.length);
    int[] table = tables[partition(hash)];
    int mask = table.length - 1;
    for (int i = hash & mask; ; i = (i + 1) & mask) {
      int entry = table[i];
      if (entry == 0) {
        return -1;
      }
      if (idEquals(record(entry - 1), id)) {
        return entry - 1;
      }
    }
  }

  byte[] record(int slot) {
    return pages[slot >>> PAGE_BITS][slot & PAGE_MASK];
  }

  /** Stores a hold's record, replacing the one with its id if there is one; returns its slot. */
  int put(byte[] record) {
    int idLength = idLength(record);
    int hash = hash(record, Integer.BYTES, idLength);
    int partition = partition(hash);
    int[] table = tables[partition];
    int mask = table.length - 1;
    int i = hash & mask;
    for (; table[i] != 0; i = (i + 1) & mask) {
      int slot = table[i] - 1;
      if (sameId(record(slot), record, idLength)) {
        pages[slot >>> PAGE_BITS][slot & PAGE_MASK] = record;
        return slot;
      }
    }
    int slot = takeSlot();
    pages[slot >>> PAGE_BITS][slot & PAGE_MASK] = record;
    table[i] = slot + 1;
    size++;
    if (++tableSizes[partition] * 2 > table.length) {
      tables[partition] = rehash(table, table.length * 2);
    }
    return slot;
  }

  /** Replaces the record at a slot in use with one of the same id (a new state, say). */
  void replace(int slot, byte[] record) {
    pages[slot >>> PAGE_BITS][slot & PAGE_MASK] = record;
  }

  /** Forgets the hold at a slot in use; the slot may be handed out again from now on. */
  void remove(int slot) {
    byte[] record = record(slot);
    int hash = hash(record, Integer.BYTES, idLength(record));
    int partition = partition(hash);
    int[] table = tables[partition];
    int mask = table.length - 1;
    int i = hash & mask;
    while (table[i] != slot + 1) {
      if (table[i] == 0) {
        throw new IllegalStateException("read view: hold slot " + slot + " is not indexed");
      }
      i = (i + 1) & mask;
    }
    // Backward-shift deletion: move up each later entry of the run that the hole now hides.
    int hole = i;
    for (int j = (hole + 1) & mask; table[j] != 0; j = (j + 1) & mask) {
      byte[] moved = record(table[j] - 1);
      int home = hash(moved, Integer.BYTES, idLength(moved)) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        table[hole] = table[j];
        hole = j;
      }
    }
    table[hole] = 0;
    tableSizes[partition]--;
    pages[slot >>> PAGE_BITS][slot & PAGE_MASK] = null;
    if (freeCount == freeSlots.length) {
      freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
    }
    freeSlots[freeCount++] = slot;
    size--;
  }

  private int[] rehash(int[] table, int length) {
    int[] grown = new int[length];
    int mask = length - 1;
    for (int entry : table) {
      if (entry != 0) {
        byte[] record = record(entry - 1);
        int i = hash(record, Integer.BYTES, idLength(record)) & mask;
        while (grown[i] != 0) {
          i = (i + 1) & mask;
        }
        grown[i] = entry;
      }
    }
    return grown;
  }

  private int takeSlot() {
    if (freeCount > 0) {
      return freeSlots[--freeCount];
    }
    int page = slotsUsed >>> PAGE_BITS;
    if (page == pages.length) {
      pages = Arrays.copyOf(pages, page * 2);
    }
    if (pages[page] == null) {
      pages[page] = new byte[PAGE_SLOTS][];
    }
    return slotsUsed++;
  }

  /** A 32-bit mix of the id's bytes; the high bits choose the partition, the low the position. */
  private static int hash(byte[] bytes, int from, int length) {
    int h = 0x9e3779b9;
    for (int i = from; i < from + length; i++) {
      h = (h ^ bytes[i]) * 0x01000193;
    }
    h ^= h >>> 16;
    h *= 0x85ebca6b;
    return h ^ (h >>> 13);
  }

  private static int partition(int hash) {
    return hash >>> 24; // PARTITIONS = 256
  }

  private static boolean idEquals(byte[] record, byte[] id) {
    return idLength(record) == id.length
        && Arrays.equals(record, Integer.BYTES, Integer.BYTES + id.length, id, 0, id.length);
  }

  private static boolean sameId(byte[] a, byte[] b, int idLength) {
    return idLength(a) == idLength
        && Arrays.equals(a, Integer.BYTES, Integer.BYTES + idLength, b, Integer.BYTES,
            Integer.BYTES + idLength);
  }

  // ---------------------------------------------------------------------------------------------
  // A record: id length (int) and UTF-8 bytes, state (byte), expiresAt, sequence (longs),
  // customer and reference (length, -1 for null, and UTF-8 bytes), line count, and per line
  // SKU and location (length and bytes) and quantity (int). Big-endian.

  static byte[] encode(ReadView.Hold hold) {
    byte[] id = utf8(hold.id());
    byte[] customer = hold.customer() == null ? null : utf8(hold.customer());
    byte[] reference = hold.reference() == null ? null : utf8(hold.reference());
    List<HoldLine> lines = hold.lines();
    byte[][] texts = new byte[lines.size() * 2][];
    int size = Integer.BYTES + id.length + 1 + 2 * Long.BYTES + 3 * Integer.BYTES
        + (customer == null ? 0 : customer.length) + (reference == null ? 0 : reference.length);
    for (int i = 0; i < lines.size(); i++) {
      texts[2 * i] = utf8(lines.get(i).sku());
      texts[2 * i + 1] = utf8(lines.get(i).location());
      size += 3 * Integer.BYTES + texts[2 * i].length + texts[2 * i + 1].length;
    }
    ByteBuffer out = ByteBuffer.allocate(size);
    out.putInt(id.length).put(id);
    out.put((byte) hold.state().ordinal()).putLong(hold.expiresAt()).putLong(hold.sequence());
    putText(out, customer);
    putText(out, reference);
    out.putInt(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      putText(out, texts[2 * i]);
      putText(out, texts[2 * i + 1]);
      out.putInt(lines.get(i).quantity());
    }
    return out.array();
  }

  static ReadView.Hold decode(byte[] record) {
    ByteBuffer in = ByteBuffer.wrap(record);
    String id = text(in);
    HoldState state = STATES[in.get()];
    long expiresAt = in.getLong();
    long sequence = in.getLong();
    String customer = text(in);
    String reference = text(in);
    int count = in.getInt();
    List<HoldLine> lines = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      lines.add(new HoldLine(text(in), text(in), in.getInt()));
    }
    return new ReadView.Hold(id, state, List.copyOf(lines), customer, reference, expiresAt,
        sequence);
  }

  /** A copy of the record with a new state, expiry and sequence (all else the same). */
  static byte[] withState(byte[] record, HoldState state, long expiresAt, long sequence) {
    byte[] changed = record.clone();
    int at = Integer.BYTES + idLength(record);
    changed[at + STATE_AT] = (byte) state.ordinal();
    LONG.set(changed, at + EXPIRES_AT, expiresAt);
    LONG.set(changed, at + SEQUENCE_AT, sequence);
    return changed;
  }

  static HoldState state(byte[] record) {
    return STATES[record[Integer.BYTES + idLength(record) + STATE_AT]];
  }

  static long expiresAt(byte[] record) {
    return (long) LONG.get(record, Integer.BYTES + idLength(record) + EXPIRES_AT);
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static int idLength(byte[] record) {
    return (int) INT.get(record, 0);
  }

  private static void putText(ByteBuffer out, byte[] text) {
    if (text == null) {
      out.putInt(-1);
    } else {
      out.putInt(text.length).put(text);
    }
  }

  private static String text(ByteBuffer in) {
    int length = in.getInt();
    if (length < 0) {
      return null;
    }
    String text = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
    in.position(in.position() + length);
    return text;
  }
}
