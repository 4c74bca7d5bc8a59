package io.stockroom.server.sequencer;

/**
 * Writes cannot be acknowledged: the journal failed (fail-stop) or the service is stopping. The
 * command may or may not have become durable; a retry with the same Idempotency-Key after a
 * restart is safe.
 */
public final class WritesUnavailableException extends RuntimeException {
  public WritesUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
