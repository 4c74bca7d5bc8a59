package io.stockroom.engine;

import java.util.Arrays;

/**
 * Active holds ordered by (expiresAt, ordinal): a binary min-heap that records each hold's
 * position in the hold itself. It exists because confirm and release must remove a hold from the
 * middle in O(log n) without garbage; a {@code PriorityQueue} removes in O(n), and lazy deletion
 * would let the heap grow with every hold ever made rather than with the holds still active.
 */
final class ExpiryQueue {
  private Hold[] heap = new Hold[1024];
  private int size;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The hold at heap position {@code index}, in no useful order: for visiting every one. */
  Hold at(int index) {
    return heap[index];
  }

  Hold peek() {
    return size == 0 ? null : heap[0];
  }

  void add(Hold hold) {
    if (hold.queueIndex != -1) {
      throw new InvariantViolatedException("hold " + hold.id + " is already queued for expiry");
    }
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, heap.length * 2);
    }
    heap[size] = hold;
    hold.queueIndex = size;
    size++;
    siftUp(size - 1);
  }

  void remove(Hold hold) {
    int index = hold.queueIndex;
    if (index < 0 || index >= size || heap[index] != hold) {
      throw new InvariantViolatedException("hold " + hold.id + " is not queued for expiry");
    }
    size--;
    Hold last = heap[size];
    heap[size] = null;
    hold.queueIndex = -1;
    if (index < size) {
      heap[index] = last;
      last.queueIndex = index;
      siftDown(index);
      siftUp(last.queueIndex);
    }
  }

  /** Restores order after {@code hold.expiresAt} changed. */
  void reorder(Hold hold) {
    siftDown(hold.queueIndex);
    siftUp(hold.queueIndex);
  }

  /** Checks the heap property and back-pointers; O(n), for invariant checks. */
  void check() {
    for (int i = 0; i < size; i++) {
      if (heap[i].queueIndex != i) {
        throw new InvariantViolatedException("expiry queue index broken at " + i);
      }
      if (i > 0 && before(heap[i], heap[(i - 1) / 2])) {
        throw new InvariantViolatedException("expiry queue order broken at " + i);
      }
    }
  }

  private static boolean before(Hold a, Hold b) {
    return a.expiresAt < b.expiresAt || (a.expiresAt == b.expiresAt && a.ordinal < b.ordinal);
  }

  private void siftUp(int index) {
    Hold moving = heap[index];
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
    Hold moving = heap[index];
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

  private void place(Hold hold, int index) {
    heap[index] = hold;
    hold.queueIndex = index;
  }
}
