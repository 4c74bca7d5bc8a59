package io.stockroom.engine;

import java.util.Arrays;

/**
 * Active holds ordered by (expiresAt, ordinal): a binary min-heap of hold slots that records
 * each hold's position in the {@link HoldTable}. It exists because confirm and release must
 * remove a hold from the middle in O(log n) without garbage; a {@code PriorityQueue} removes in
 * O(n), and lazy deletion would let the heap grow with every hold ever made rather than with the
 * holds still active. Slots, not objects: the heap is {@code int} pages the collector never
 * scans, added as it fills and never copied, so a growth never stops the writer to copy millions.
 */
final class ExpiryQueue {
  private final HoldTable holds;
  private static final int PAGE_BITS = 14;
  private static final int PAGE_MASK = (1 << PAGE_BITS) - 1;
  private int[][] pages = new int[16][];
  private int size;

  ExpiryQueue(HoldTable holds) {
    this.holds = holds;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The hold at heap position {@code index}, in no useful order: for visiting every one. */
  int at(int index) {
    return get(index);
  }

  /** The hold due first, or {@link HoldTable#NONE}. */
  int peek() {
    return size == 0 ? HoldTable.NONE : get(0);
  }

  void add(int hold) {
    if (holds.queuePosition(hold) != -1) {
      throw new InvariantViolatedException("hold " + holds.id(hold)
          + " is already queued for expiry");
    }
    int page = size >>> PAGE_BITS;
    if (page == pages.length) {
      pages = Arrays.copyOf(pages, page * 2);
    }
    if (pages[page] == null) {
      pages[page] = new int[PAGE_MASK + 1];
    }
    size++;
    place(hold, size - 1);
    siftUp(size - 1);
  }

  void remove(int hold) {
    int index = holds.queuePosition(hold);
    if (index < 0 || index >= size || get(index) != hold) {
      throw new InvariantViolatedException("hold " + holds.id(hold)
          + " is not queued for expiry");
    }
    size--;
    int last = get(size);
    holds.queuePosition(hold, -1);
    if (index < size) {
      place(last, index);
      siftDown(index);
      siftUp(holds.queuePosition(last));
    }
  }

  /** Restores order after the hold's expiry time changed. */
  void reorder(int hold) {
    siftDown(holds.queuePosition(hold));
    siftUp(holds.queuePosition(hold));
  }

  /** Checks the heap property and back-pointers; O(n), for invariant checks. */
  void check() {
    for (int i = 0; i < size; i++) {
      if (holds.queuePosition(get(i)) != i) {
        throw new InvariantViolatedException("expiry queue index broken at " + i);
      }
      if (i > 0 && before(get(i), get((i - 1) / 2))) {
        throw new InvariantViolatedException("expiry queue order broken at " + i);
      }
    }
  }

  private boolean before(int a, int b) {
    long aAt = holds.expiresAt(a);
    long bAt = holds.expiresAt(b);
    return aAt < bAt || (aAt == bAt && holds.ordinal(a) < holds.ordinal(b));
  }

  private void siftUp(int index) {
    int moving = get(index);
    while (index > 0) {
      int parent = (index - 1) >>> 1;
      int above = get(parent);
      if (!before(moving, above)) {
        break;
      }
      place(above, index);
      index = parent;
    }
    place(moving, index);
  }

  private void siftDown(int index) {
    int moving = get(index);
    int half = size >>> 1;
    while (index < half) {
      int child = 2 * index + 1;
      int below = get(child);
      int right = child + 1;
      if (right < size && before(get(right), below)) {
        child = right;
        below = get(right);
      }
      if (!before(below, moving)) {
        break;
      }
      place(below, index);
      index = child;
    }
    place(moving, index);
  }

  private int get(int index) {
    return pages[index >>> PAGE_BITS][index & PAGE_MASK];
  }

  private void place(int hold, int index) {
    pages[index >>> PAGE_BITS][index & PAGE_MASK] = hold;
    holds.queuePosition(hold, index);
  }
}
