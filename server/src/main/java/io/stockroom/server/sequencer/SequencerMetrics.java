package io.stockroom.server.sequencer;

/**
 * What the writer reports about itself. An interface so the sequencer does not depend on the
 * metrics library; the server binds it to Micrometer.
 */
public interface SequencerMetrics {

  SequencerMetrics NONE = new SequencerMetrics() {
    @Override
    public void batch(int commands, int events, long commitNanos) {}

    @Override
    public void rejectedOverload() {}
  };

  /** One durable batch: its size and how long the journal append (with fsync) took. */
  void batch(int commands, int events, long commitNanos);

  /** A command refused because the queue was full. */
  void rejectedOverload();

  /** The writer held a batch open this long for more commands ({@link Linger}). */
  default void lingered(long nanos) {}
}
