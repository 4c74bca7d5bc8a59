package io.stockroom.engine;

import java.util.Arrays;

/**
 * Active holds ordered by (expiresAt, ordinal): a binary min-heap of hold slots that records
 * each hold's position in the {@link HoldTable}. It exists because confirm and release must
 * remove a hold from the middle in O(log n) without garbage; a {@code PriorityQueue} removes in
 * O(n), and lazy deletion would let the heap grow with every hold ever made rather than with the
 * holds still active. Slots, not objects: the heap is an {@code int[]} the collector never scans.
 */
final class ExpiryQueue {
  private final HoldTable holds;
  private int[] heap = new int[1024];
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
    return heap[index];
  }

  /** The hold due first, or {@link HoldTable#NONE}. */
  int peek() {
    return size == 0 ? HoldTable.NONE : heap[0];
  }

  void add(int hold) {
    if (holds.queuePosition(hold) != -1) {
      throw new InvariantViolatedException("hold " + holds.id(hold)
          + " is already queued for expiry");
    }
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, heap.length * 2);
    }
    heap[size] = hold;
    holds.queuePosition(hold, size);
    size++;
    siftUp(size - 1);
  }

  void remove(int hold) {
    int index = holds.queuePosition(hold);
    if (index < 0 || index >= size || heap[index] != hold) {
      throw new InvariantViolatedException("hold " + holds.id(hold)
          + " is not queued for expiry");
    }
    size--;
    int last = heap[size];
    holds.queuePosition(hold, -1);
    if (index < size) {
      heap[index] = last;
      holds.queuePosition(last, index);
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
      if (holds.queuePosition(heap[i]) != i) {
        throw new InvariantViolatedException("expiry queue index broken at " + i);
      }
      if (i > 0 && before(heap[i], heap[(i - 1) / 2])) {
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
    int moving = heap[index];
    while (index > 0) {
      int parent = (index - 1) >>> 1;
      if (!before(moving, heap[parent])) {
        break;
      }
      place(heap[parent], index);
      index = parent;
    }
    place(moving, index);
  }

  private void siftDown(int index) {
    int moving = heap[index];
    int half = size >>> 1;
    while (index < half) {
      int child = 2 * index + 1;
      int right = child + 1;
      if (right < size && before(heap[right], heap[child])) {
        child = right;
      }
      if (!before(heap[child], moving)) {
        break;
      }
      place(heap[child], index);
      index = child;
    }
    place(moving, index);
  }

  private void place(int hold, int index) {
    heap[index] = hold;
    holds.queuePosition(hold, index);
  }
}
