package io.stockroom.engine;

/**
 * The life of a hold: {@code ACTIVE -> CONFIRMED | RELEASED | EXPIRED}, and a confirmed hold may
 * later be {@code FULFILLED} (shipped). A hold leaves {@code ACTIVE} at most once.
 */
public enum HoldState {
  ACTIVE,
  CONFIRMED,
  RELEASED,
  EXPIRED,
  FULFILLED;

  public boolean isResolved() {
    return this != ACTIVE;
  }
}
