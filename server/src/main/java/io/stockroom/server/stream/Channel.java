package io.stockroom.server.stream;

import java.io.IOException;

/**
 * How one subscriber's frames reach its client (SSE or WebSocket). Used by the subscriber's own
 * thread only. Any exception means the client is gone or unwritable: the stream ends.
 */
interface Channel {

  /** Opens the stream (sends the response head, for SSE) before anything else. */
  void start() throws IOException;

  /** Queues one event; it may sit in a buffer until {@link #flush}. */
  void event(long sequence, String type, byte[] json) throws IOException;

  void flush() throws IOException;

  /** Proves the connection alive after an idle spell (and finds dead ones). */
  void heartbeat() throws IOException;

  /** Sends the final notice (flushed). {@link #end} follows. */
  void resync(Resync resync) throws IOException;

  /** Ends the stream; quiet if the client is already gone. */
  void end();
}
