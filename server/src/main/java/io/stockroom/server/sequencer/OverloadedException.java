package io.stockroom.server.sequencer;

/** The write queue is full: the caller should answer 503 with Retry-After, never wait. */
public final class OverloadedException extends RuntimeException {
  public OverloadedException(int depth) {
    super("the write queue is full (" + depth + " commands waiting)", null, false, false);
  }
}
