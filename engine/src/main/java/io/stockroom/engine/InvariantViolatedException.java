package io.stockroom.engine;

/**
 * A rule that must always hold did not. The engine's state can no longer be trusted, so the
 * process must stop: this is never caught to carry on.
 */
public final class InvariantViolatedException extends RuntimeException {
  public InvariantViolatedException(String message) {
    super(message);
  }
}
