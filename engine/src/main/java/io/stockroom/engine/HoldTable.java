package io.stockroom.engine;

import java.util.Arrays;
import java.util.List;

/**
 * Every hold the engine knows (active and retained resolved), stored by slot number in pages
 * of primitive arrays rather than as objects, and found by id through a {@link HoldIndex}.
 *
 * <p>It exists because holds live for minutes and a flash sale keeps millions of them active.
 * As objects (a hold, its id String and the String's bytes) every one of them survived the
 * young collection after it was made and was copied, and the old-generation arrays that pointed
 * at them made G1 track and refine every such pointer: the collector spent as much CPU as the
 * writer and syncer together, and its pauses set the latency. Here a hold is a slot: its fields
 * are array elements, its id bytes in {@link HoldIds}, and nothing per hold is an object (a
 * hold of two or more lines keeps one small {@link Lines}, and a non-empty customer or
 * reference keeps its String).
 *
 * <p>A slot's fields lie together in one row of four longs (expiry, ordinal, and its int fields
 * two to a long), half a cache line, so reading or changing a hold's state, quantity, hash or
 * place in the expiry heap, and each of the heap's comparisons, touches one line. Line 0's level
 * is a reference, in pages of its own; the rarer references (more lines, a customer, a reference)
 * are in pages made only when a hold in their range has one, so the usual anonymous single-line
 * hold costs the collector four bytes of references to scan. The arrays are pages of {@link
 * #PAGE_SLOTS} slots, added as the table fills and never copied: one array of millions would stop
 * the writer to copy it at each doubling (the whole table grown from 8 to 16 million slots took
 * seconds with its page faults). Slots are reused after a hold is forgotten ({@link #forget}); a
 * slot number is valid only until then. Not thread-safe, like the engine.
 */
final class HoldTable {

  static final int NONE = -1;
  static final int PAGE_BITS = 14;
  static final int PAGE_SLOTS = 1 << PAGE_BITS;
  static final int PAGE_MASK = PAGE_SLOTS - 1;

  /** Every line of a hold with two or more (line 0 is also in the columns, for the usual hold). */
  private record Lines(StockLevel[] levels, int[] quantities) {}

  private static final HoldState[] STATES = HoldState.values();
  /** The state field of a slot no hold uses (see {@link #STATE_BITS} for one in use). */
  private static final int FREE = 0;
  /**
   * The state int's low byte is the state's ordinal + 1 ({@link #FREE} when no hold); the bits
   * above say which of the slot's extras are set, so that a hold with none (the usual anonymous
   * single-line hold) is resolved, replayed and forgotten without reading its extras page: one
   * cache line fewer per hold touched.
   */
  private static final int STATE_BITS = 0xff;
  private static final int HAS_MORE_LINES = 1 << 8;
  private static final int HAS_CUSTOMER = 1 << 9;
  private static final int HAS_REFERENCE = 1 << 10;
  private static final int HAS_EXTRAS = HAS_MORE_LINES | HAS_CUSTOMER | HAS_REFERENCE;

  // A slot's row in its page: four longs at slot * ROW, half a cache line. Two are longs (expiry,
  // ordinal); the int fields are halves of the other two, field f in long 2 + f / 2, the high
  // half for even f.
  private static final int ROW = 4;
  private static final int EXPIRES_AT = 0;
  private static final int ORDINAL = 1;
  private static final int INT_WORDS = 2;
  private static final int ID_HASH = 0;
  private static final int QUANTITY0 = 1;
  private static final int QUEUE_POSITION = 2;
  private static final int STATE = 3;
  private static final int EXTRAS = 3;
  /** {@link Lines} of a hold of two or more lines, else null. */
  private static final int MORE_LINES = 0;
  /** Null for the empty customer and reference. */
  private static final int CUSTOMER = 1;
  private static final int REFERENCE = 2;

  private long[][] rows = new long[16][];
  private StockLevel[][] levels0 = new StockLevel[16][];
  /** Pages of {@link #EXTRAS} references per slot, null until a slot in the page needs one. */
  private Object[][] extras = new Object[16][];

  private final HoldIds ids = new HoldIds();
  private final HoldIndex index = new HoldIndex(ids);

  /** Slots ever handed out; every slot below it is in use or on the free stack. */
  private int slotsUsed;
  private int[] freeSlots = new int[64];
  private int freeCount;
  private int size;

  /** Holds stored. */
  int size() {
    return size;
  }

  /** An upper bound of the slots in use: visit {@code 0 <= slot < slotLimit()} with {@link #inUse}. */
  int slotLimit() {
    return slotsUsed;
  }

  boolean inUse(int slot) {
    return intField(slot, STATE) != FREE;
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
   * asks before it reserves stock and then stores the hold there with {@link #add(int, String,
   * StockLevel[], int[], String, String, long, long, HoldState)}, so a reservation probes the
   * index once. The position is good until the table next changes.
   */
  int vacancy(String id) {
    return index.vacancy(id);
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
    if (length == 0 || length > HoldIds.LENGTH_MAX) {
      throw new IllegalArgumentException("a hold id is 1 to " + HoldIds.LENGTH_MAX
          + " characters, was " + length);
    }
    for (int i = 0; i < length; i++) {
      if (id.charAt(i) >= 0x80) {
        throw new IllegalArgumentException("a hold id is ASCII; character " + (i + 1)
            + " of " + id + " is not");
      }
    }
    int hash = id.hashCode();
    int slot = takeSlot();
    index.insert(vacancy, hash, slot);
    ids.store(slot, id);
    int page = slot >>> PAGE_BITS;
    int at = slot & PAGE_MASK;
    long[] row = rows[page];
    row[at * ROW + EXPIRES_AT] = expiresAt;
    row[at * ROW + ORDINAL] = ordinal;
    row[at * ROW + INT_WORDS] = ints(hash, quantities[0]);
    int flags = 0;
    levels0[page][at] = levels[0];
    if (levels.length > 1) {
      extrasPage(page)[at * EXTRAS + MORE_LINES] = new Lines(levels, quantities);
      flags |= HAS_MORE_LINES;
    }
    if (!customer.isEmpty()) {
      extrasPage(page)[at * EXTRAS + CUSTOMER] = customer;
      flags |= HAS_CUSTOMER;
    }
    if (!reference.isEmpty()) {
      extrasPage(page)[at * EXTRAS + REFERENCE] = reference;
      flags |= HAS_REFERENCE;
    }
    row[at * ROW + INT_WORDS + 1] = ints(-1, flags | (state.ordinal() + 1));
    size++;
    return slot;
  }

  /** The slot of the hold with this id, or {@link #NONE}. */
  int find(String id) {
    return index.find(id);
  }

  /** Removes the hold at {@code slot}, whose number may be handed out again from now on. */
  void forget(int slot) {
    if (slot < 0 || slot >= slotsUsed || !inUse(slot)) {
      throw new InvariantViolatedException("hold slot " + slot + " is not in use");
    }
    int page = slot >>> PAGE_BITS;
    int at = slot & PAGE_MASK;
    index.remove(slot, intField(slot, ID_HASH));
    ids.release(slot);
    if (has(slot, HAS_EXTRAS)) {
      Arrays.fill(extras[page], at * EXTRAS, at * EXTRAS + EXTRAS, null);
    }
    intField(slot, STATE, FREE);
    levels0[page][at] = null;
    if (freeCount == freeSlots.length) {
      freeSlots = Arrays.copyOf(freeSlots, freeCount * 2);
    }
    freeSlots[freeCount++] = slot;
    size--;
  }

  private int takeSlot() {
    if (freeCount > 0) {
      return freeSlots[--freeCount];
    }
    int page = slotsUsed >>> PAGE_BITS;
    if (page == rows.length) {
      rows = Arrays.copyOf(rows, page * 2);
      levels0 = Arrays.copyOf(levels0, page * 2);
      extras = Arrays.copyOf(extras, page * 2);
    }
    if (rows[page] == null) {
      rows[page] = new long[PAGE_SLOTS * ROW];
      levels0[page] = new StockLevel[PAGE_SLOTS];
    }
    return slotsUsed++;
  }

  private Object[] extrasPage(int page) {
    if (extras[page] == null) {
      extras[page] = new Object[PAGE_SLOTS * EXTRAS];
    }
    return extras[page];
  }

  /** Bytes the id arena's chunks take: for tests of reclamation. */
  long idArenaBytes() {
    return ids.arenaBytes();
  }

  // ---------------------------------------------------------------------------------------------
  // A hold's fields

  /** The hold's id, made on each call: for events and views, not for lookups. */
  String id(int slot) {
    return ids.id(slot);
  }

  HoldState state(int slot) {
    return STATES[(intField(slot, STATE) & STATE_BITS) - 1];
  }

  void state(int slot, HoldState state) {
    intField(slot, STATE, (intField(slot, STATE) & ~STATE_BITS) | (state.ordinal() + 1));
  }

  long ordinal(int slot) {
    return rows[slot >>> PAGE_BITS][(slot & PAGE_MASK) * ROW + ORDINAL];
  }

  long expiresAt(int slot) {
    return rows[slot >>> PAGE_BITS][(slot & PAGE_MASK) * ROW + EXPIRES_AT];
  }

  void expiresAt(int slot, long expiresAt) {
    rows[slot >>> PAGE_BITS][(slot & PAGE_MASK) * ROW + EXPIRES_AT] = expiresAt;
  }

  /** Position in {@link ExpiryQueue}, or -1 when not queued. */
  int queuePosition(int slot) {
    return intField(slot, QUEUE_POSITION);
  }

  void queuePosition(int slot, int position) {
    intField(slot, QUEUE_POSITION, position);
  }

  String customer(int slot) {
    return has(slot, HAS_CUSTOMER) ? (String) extra(slot, CUSTOMER) : "";
  }

  String reference(int slot) {
    return has(slot, HAS_REFERENCE) ? (String) extra(slot, REFERENCE) : "";
  }

  int lineCount(int slot) {
    Lines more = moreLines(slot);
    return more == null ? 1 : more.levels.length;
  }

  /** The level of line {@code line}, {@code 0 <= line < lineCount(slot)}. */
  StockLevel level(int slot, int line) {
    return line == 0 ? levels0[slot >>> PAGE_BITS][slot & PAGE_MASK]
        : moreLines(slot).levels[line];
  }

  /** The units line {@code line} holds. */
  int quantity(int slot, int line) {
    return line == 0 ? intField(slot, QUANTITY0) : moreLines(slot).quantities[line];
  }

  /** Units held over all lines. */
  long units(int slot) {
    Lines more = moreLines(slot);
    if (more == null) {
      return intField(slot, QUANTITY0);
    }
    long units = 0;
    for (int quantity : more.quantities) {
      units += quantity;
    }
    return units;
  }

  /** The lines as records, built on each call: for views, events and snapshots. */
  List<HoldLine> lines(int slot) {
    Lines more = moreLines(slot);
    if (more == null) {
      StockLevel level = level(slot, 0);
      return List.of(new HoldLine(level.sku, level.location, intField(slot, QUANTITY0)));
    }
    HoldLine[] lines = new HoldLine[more.levels.length];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = new HoldLine(more.levels[i].sku, more.levels[i].location, more.quantities[i]);
    }
    return List.of(lines);
  }

  HoldView view(int slot) {
    return new HoldView(id(slot), state(slot), lines(slot), customer(slot), reference(slot),
        expiresAt(slot));
  }

  private int intField(int slot, int field) {
    long word = rows[slot >>> PAGE_BITS][(slot & PAGE_MASK) * ROW + INT_WORDS + (field >> 1)];
    return (field & 1) == 0 ? (int) (word >>> 32) : (int) word;
  }

  private void intField(int slot, int field, int value) {
    long[] row = rows[slot >>> PAGE_BITS];
    int at = (slot & PAGE_MASK) * ROW + INT_WORDS + (field >> 1);
    row[at] = (field & 1) == 0 ? ints(value, (int) row[at]) : ints((int) (row[at] >>> 32), value);
  }

  /** Two int fields in one long: {@code high} the even field, {@code low} the odd one. */
  private static long ints(int high, int low) {
    return (long) high << 32 | (low & 0xffffffffL);
  }

  private boolean has(int slot, int flag) {
    return (intField(slot, STATE) & flag) != 0;
  }

  /** Extra {@code field}, which the slot's flags say is set (so its page exists). */
  private Object extra(int slot, int field) {
    return extras[slot >>> PAGE_BITS][(slot & PAGE_MASK) * EXTRAS + field];
  }

  private Lines moreLines(int slot) {
    return has(slot, HAS_MORE_LINES) ? (Lines) extra(slot, MORE_LINES) : null;
  }
}
