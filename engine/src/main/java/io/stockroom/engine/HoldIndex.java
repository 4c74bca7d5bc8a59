package io.stockroom.engine;

/**
 * Hold id to slot, for a {@link HoldTable}: open addressing with linear probing, split into
 * 1,024 partitions by the top bits of the scrambled hash.
 *
 * <p>One table of millions of holds would stop the writer for a whole rehash each time it
 * doubled (a quarter of a second at four million holds, with the fresh memory's page faults);
 * a partition holds a thousandth of the ids, so a growth rehashes a few thousand entries and
 * the growths of all partitions are spread over as many reservations. Each entry is the id's
 * {@code String.hashCode()} in the high half of a long and its slot + 1 in the low half (0 for
 * empty): a probe of a table far larger than the caches costs one miss, not one for the slot
 * and another for the hash. A partition is at most half full; removal shifts the probe run back
 * (no tombstones), so lookups stay short however many holds come and go.
 */
final class HoldIndex {

  private static final int PARTITION_BITS = 10;
  private static final int PARTITIONS = 1 << PARTITION_BITS;
  private static final int PARTITION_LENGTH_INITIAL = 8;
  /** Positions in a partition fit 21 bits of a {@link #vacancy}, with the partition below. */
  private static final int PARTITION_LENGTH_MAX = 1 << 21;

  private final HoldIds ids;
  private final long[][] partitions = new long[PARTITIONS][];
  /** Per partition, 32 minus log2 of its length: a position is the top bits of what is left. */
  private final int[] shifts = new int[PARTITIONS];
  private final int[] sizes = new int[PARTITIONS];

  HoldIndex(HoldIds ids) {
    this.ids = ids;
    for (int p = 0; p < PARTITIONS; p++) {
      partitions[p] = new long[PARTITION_LENGTH_INITIAL];
      shifts[p] = Integer.numberOfLeadingZeros(PARTITION_LENGTH_INITIAL) + 1;
    }
  }

  /** The slot of {@code id}, or {@link HoldTable#NONE}. */
  int find(String id) {
    int found = probe(id);
    if (found < 0) {
      return HoldTable.NONE;
    }
    return (int) partitions[found & (PARTITIONS - 1)][found >>> PARTITION_BITS] - 1;
  }

  /**
   * Where {@code id} would be indexed ({@code position << 10 | partition}), or {@link
   * HoldTable#NONE} if it is indexed. Good until the index next changes.
   */
  int vacancy(String id) {
    int found = probe(id);
    return found < 0 ? ~found : HoldTable.NONE;
  }

  /**
   * Walks {@code id}'s probe run: where its entry is if indexed, otherwise the complement
   * ({@code ~where}, negative) of the empty position where it belongs; {@code where} is {@code
   * position << 10 | partition}.
   */
  private int probe(String id) {
    int hash = id.hashCode();
    int scrambled = hash * 0x9E3779B9;
    int p = scrambled >>> (32 - PARTITION_BITS);
    long[] table = partitions[p];
    int mask = table.length - 1;
    for (int at = home(scrambled, shifts[p]); ; at = (at + 1) & mask) {
      long entry = table[at];
      if (entry == 0) {
        return ~(at << PARTITION_BITS | p);
      }
      if ((int) (entry >>> 32) == hash && ids.equals((int) entry - 1, id)) {
        return at << PARTITION_BITS | p;
      }
    }
  }

  /** Indexes {@code slot} under {@code hash} at a {@link #vacancy} found for its id. */
  void insert(int vacancy, int hash, int slot) {
    int p = vacancy & (PARTITIONS - 1);
    int at = vacancy >>> PARTITION_BITS;
    long[] table = partitions[p];
    if (at >= table.length || table[at] != 0 || at != probeEnd(hash, p, at)) {
      throw new InvariantViolatedException("hold slot " + slot + " indexed at " + p + "/" + at
          + ", which is not the vacancy its probe ends at");
    }
    table[at] = (long) hash << 32 | (slot + 1);
    sizes[p]++;
    if (sizes[p] * 2 > table.length) {
      grow(p);
    }
  }

  /** Removes {@code slot}, indexed under {@code hash}. */
  void remove(int slot, int hash) {
    int scrambled = hash * 0x9E3779B9;
    int p = scrambled >>> (32 - PARTITION_BITS);
    long[] table = partitions[p];
    int mask = table.length - 1;
    int at = home(scrambled, shifts[p]);
    while ((int) table[at] != slot + 1) {
      if (table[at] == 0) {
        throw new InvariantViolatedException("hold slot " + slot + " is not indexed");
      }
      at = (at + 1) & mask;
    }
    shiftBack(p, at);
    sizes[p]--;
  }

  /**
   * The position where the probe run from {@code hash}'s home stops: at {@code position} or at
   * an earlier empty entry. A cheap check (the run is short and was just read) that a vacancy
   * handed back really belongs to this id.
   */
  private int probeEnd(int hash, int p, int position) {
    long[] table = partitions[p];
    int mask = table.length - 1;
    int at = home(hash * 0x9E3779B9, shifts[p]);
    while (at != position && table[at] != 0) {
      at = (at + 1) & mask;
    }
    return at;
  }

  /**
   * Empties position {@code hole} of partition {@code p} and moves later entries of its probe
   * run back into it wherever their own home allows, so that no lookup meets a gap before its
   * entry.
   */
  private void shiftBack(int p, int hole) {
    long[] table = partitions[p];
    int mask = table.length - 1;
    for (int at = (hole + 1) & mask; table[at] != 0; at = (at + 1) & mask) {
      int home = home((int) (table[at] >>> 32) * 0x9E3779B9, shifts[p]);
      // The entry at `at` may move to the hole unless its home lies cyclically in (hole, at].
      boolean homeAfterHole = hole <= at ? hole < home && home <= at
          : hole < home || home <= at;
      if (!homeAfterHole) {
        table[hole] = table[at];
        hole = at;
      }
    }
    table[hole] = 0;
  }

  /**
   * Fibonacci hashing: ids made of a counter have hash codes that differ by small steps, which
   * linear probing would pile into one long run; the multiply spreads them, its top bits pick
   * the partition and the bits below them the position.
   */
  private static int home(int scrambled, int shift) {
    return (scrambled << PARTITION_BITS) >>> shift;
  }

  private void grow(int p) {
    long[] old = partitions[p];
    if (old.length * 2 > PARTITION_LENGTH_MAX) {
      throw new InvariantViolatedException("hold index partition " + p + " is full at "
          + sizes[p] + " holds");
    }
    long[] table = new long[old.length * 2];
    int shift = shifts[p] - 1;
    int mask = table.length - 1;
    for (long entry : old) {
      if (entry != 0) {
        int at = home((int) (entry >>> 32) * 0x9E3779B9, shift);
        while (table[at] != 0) {
          at = (at + 1) & mask;
        }
        table[at] = entry;
      }
    }
    partitions[p] = table;
    shifts[p] = shift;
  }
}
