package io.stockroom.engine;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The holds the engine knows (active and retained resolved), by id. Open addressing with linear
 * probing over two parallel arrays, the ids' hash codes and the holds, at most half full.
 *
 * <p>It exists for replay, which looks a hold up for every confirm, release, expiry and shipment
 * and forgets one retained hold per resolution. A {@code HashMap} costs a node per hold (one
 * more object for every young collection to copy, and one more dependent load per lookup); here
 * a probe reads the hash array, and only a matching hash leads to the hold and its id. Removal
 * is by identity with the hash the hold keeps ({@link Hold#idHash}), so forgetting an old hold
 * never touches its id String; it shifts the probe run back (no tombstones), so lookups stay
 * short however many holds come and go. Not thread-safe, like the engine.
 */
final class HoldIndex implements Iterable<Hold> {

  private static final int SLOTS_INITIAL = 1024;

  private int[] hashes = new int[SLOTS_INITIAL];
  private Hold[] holds = new Hold[SLOTS_INITIAL];
  /** 32 minus log2 of the slots: a hash's home slot is the top bits of its scrambled value. */
  private int shift = Integer.numberOfLeadingZeros(SLOTS_INITIAL) + 1;
  private int size;

  int size() {
    return size;
  }

  /** The hold with this id, or null. */
  Hold get(String id) {
    int hash = id.hashCode();
    int mask = holds.length - 1;
    for (int slot = home(hash); ; slot = (slot + 1) & mask) {
      Hold hold = holds[slot];
      if (hold == null) {
        return null;
      }
      if (hashes[slot] == hash && hold.id.equals(id)) {
        return hold;
      }
    }
  }

  boolean containsKey(String id) {
    return get(id) != null;
  }

  /** Adds {@code hold} unless a hold with its id is known; returns that one, or null if added. */
  Hold putIfAbsent(Hold hold) {
    int hash = hold.idHash;
    int mask = holds.length - 1;
    int slot = home(hash);
    for (Hold known = holds[slot]; known != null; known = holds[slot]) {
      if (hashes[slot] == hash && known.id.equals(hold.id)) {
        return known;
      }
      slot = (slot + 1) & mask;
    }
    hashes[slot] = hash;
    holds[slot] = hold;
    size++;
    if (size * 2 > holds.length) {
      grow();
    }
    return null;
  }

  /** Removes this very hold; false if it is not indexed. */
  boolean remove(Hold hold) {
    int mask = holds.length - 1;
    for (int slot = home(hold.idHash); ; slot = (slot + 1) & mask) {
      Hold known = holds[slot];
      if (known == null) {
        return false;
      }
      if (known == hold) {
        shiftBack(slot);
        size--;
        return true;
      }
    }
  }

  /**
   * Empties {@code hole} and moves later holds of its probe run back into it wherever their
   * own probe start allows, so that no lookup ever meets a gap before its hold.
   */
  private void shiftBack(int hole) {
    int mask = holds.length - 1;
    for (int slot = (hole + 1) & mask; holds[slot] != null; slot = (slot + 1) & mask) {
      int home = home(hashes[slot]);
      // The hold at slot may move to the hole unless its home lies cyclically in (hole, slot].
      boolean homeAfterHole = hole <= slot ? hole < home && home <= slot
          : hole < home || home <= slot;
      if (!homeAfterHole) {
        hashes[hole] = hashes[slot];
        holds[hole] = holds[slot];
        hole = slot;
      }
    }
    holds[hole] = null;
    hashes[hole] = 0;
  }

  /** Every hold, in no particular order; the index must not change while this runs. */
  @Override
  public Iterator<Hold> iterator() {
    return new Iterator<>() {
      private int slot = skipEmpty(0);

      private int skipEmpty(int from) {
        while (from < holds.length && holds[from] == null) {
          from++;
        }
        return from;
      }

      @Override
      public boolean hasNext() {
        return slot < holds.length;
      }

      @Override
      public Hold next() {
        if (slot >= holds.length) {
          throw new NoSuchElementException();
        }
        Hold hold = holds[slot];
        slot = skipEmpty(slot + 1);
        return hold;
      }
    };
  }

  /**
   * Fibonacci hashing: ids made of a counter have hash codes that differ by small steps, which
   * linear probing would pile into one long run; the multiply spreads them over every slot.
   */
  private int home(int hash) {
    return (hash * 0x9E3779B9) >>> shift;
  }

  private void grow() {
    int[] oldHashes = hashes;
    Hold[] oldHolds = holds;
    hashes = new int[oldHolds.length * 2];
    holds = new Hold[oldHolds.length * 2];
    shift--;
    int mask = holds.length - 1;
    for (int i = 0; i < oldHolds.length; i++) {
      if (oldHolds[i] != null) {
        int slot = home(oldHashes[i]);
        while (holds[slot] != null) {
          slot = (slot + 1) & mask;
        }
        hashes[slot] = oldHashes[i];
        holds[slot] = oldHolds[i];
      }
    }
  }
}
