package io.stockroom.journal;

/** Always-on invariant checks (Java's assert is off by default, so we never use it). */
final class Invariants {

  private Invariants() {}

  static void check(boolean condition, String message) {
    if (!condition) {
      throw new IllegalStateException("journal invariant broken: " + message);
    }
  }
}
