package io.stockroom.engine;

/**
 * A first-in first-out queue of hold slots: the resolved holds in resolution order, the oldest
 * forgotten first. An {@code int} ring rather than an {@code ArrayDeque<Integer>}, which would
 * box a slot per resolution.
 */
final class SlotQueue {
  private int[] ring = new int[1024];
  private int head;
  private int size;

  int size() {
    return size;
  }

  void addLast(int slot) {
    if (size == ring.length) {
      int[] grown = new int[ring.length * 2];
      for (int i = 0; i < size; i++) {
        grown[i] = ring[(head + i) & (ring.length - 1)];
      }
      ring = grown;
      head = 0;
    }
    ring[(head + size) & (ring.length - 1)] = slot;
    size++;
  }

  int removeFirst() {
    if (size == 0) {
      throw new InvariantViolatedException("no resolved hold to forget");
    }
    int slot = ring[head];
    head = (head + 1) & (ring.length - 1);
    size--;
    return slot;
  }

  /** The slot at {@code index}, 0 the oldest. */
  int get(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException("resolved hold " + index + " of " + size);
    }
    return ring[(head + index) & (ring.length - 1)];
  }
}
