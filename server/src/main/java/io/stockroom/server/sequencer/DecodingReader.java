package io.stockroom.server.sequencer;

import io.stockroom.engine.Event;
import io.stockroom.engine.EventCodec;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalReader;
import java.io.IOException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Reads and decodes the journal on a thread of its own while the caller replays: recovery is
 * the one time the writer has a second core to spare, and reading, checksumming and decoding
 * are about a quarter of replay's time. Events come in chunks, in journal order, through a
 * small bounded queue (so memory stays bounded whatever the journal's length); any failure of
 * the reading side is rethrown to the caller, in order, after the events before it.
 */
final class DecodingReader implements AutoCloseable {

  /** Events per chunk: big enough that the hand-over costs nothing per event. */
  private static final int CHUNK_EVENTS = 2_048;
  /** Chunks in flight: enough to ride out a GC pause on either side, and no more. */
  private static final int CHUNKS_QUEUED = 8;
  /** Recent short texts remembered while replaying (actors, reasons, categories). */
  private static final int TEXT_CACHE_ENTRIES = 1 << 16;
  /**
   * Names (SKUs, locations) kept canonical while replaying, so the engine's lookups match by
   * reference: a million covers large catalogues; past it, names still decode, only slower.
   */
  private static final int NAMES_MAX = 1 << 20;

  /** Events, or the end: {@code count} below the array's length, and why it ended. */
  private record Chunk(Event[] events, int count, Exception failure, boolean last) {}

  private final BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(CHUNKS_QUEUED);
  private final Thread thread;
  private volatile boolean closed;
  private Chunk current;
  private int index;

  DecodingReader(Journal journal, long fromSequence) {
    this.thread = Thread.ofPlatform().name("stockroom-replay-decoder").daemon()
        .start(() -> run(journal, fromSequence));
  }

  /** The next event, or null at the end of the journal. */
  Event next() throws IOException, InterruptedException {
    while (current == null || index == current.count()) {
      if (current != null && current.last()) {
        switch (current.failure()) {
          case null -> {
            return null;
          }
          case IOException e -> throw e;
          case RuntimeException e -> throw e;
          default -> throw new IllegalStateException(current.failure());
        }
      }
      current = chunks.take();
      index = 0;
    }
    return current.events()[index++];
  }

  private void run(Journal journal, long fromSequence) {
    EventCodec.Decoder decoder = new EventCodec.Decoder(TEXT_CACHE_ENTRIES, NAMES_MAX);
    Event[] events = new Event[CHUNK_EVENTS];
    int count = 0;
    Exception failure = null;
    try (JournalReader reader = journal.read(fromSequence)) {
      while (!closed && reader.next()) {
        // Not events[count++] = decode(..): the index is taken before decode runs, so a record
        // that fails to decode would leave a null behind the count, read as the journal's end.
        Event event = decode(decoder, reader);
        events[count++] = event;
        if (count == CHUNK_EVENTS) {
          chunks.put(new Chunk(events, count, null, false));
          events = new Event[CHUNK_EVENTS];
          count = 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      failure = e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return; // nobody interrupts it; if something does, it ends like a close
    }
    try {
      chunks.put(new Chunk(events, count, failure, true));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Event decode(EventCodec.Decoder decoder, JournalReader reader) {
    Event event;
    try {
      event = decoder.decode(reader.payloadView());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("journal record " + reader.sequence()
          + " passed its checksum but is not a valid event: " + e.getMessage(), e);
    }
    if (event.sequence() != reader.sequence()) {
      throw new IllegalStateException("journal record " + reader.sequence()
          + " holds event " + event.sequence());
    }
    return event;
  }

  /**
   * Stops the reading thread (early, after a failure on the replay side) and waits for it. Not
   * by interrupting it: an interrupt during file I/O closes the channel, which the journal may
   * share. Emptying the queue unblocks it; it checks {@code closed} between records.
   */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    while (thread.isAlive()) {
      chunks.clear();
      thread.join(10);
    }
  }
}
