package io.stockroom.server.sequencer;

import io.stockroom.engine.DecodedEvent;
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
 *
 * <p>Events are decoded into {@link DecodedEvent}s that are reused: a chunk the caller has
 * replayed goes back to the reading thread to be decoded into again, so replay makes no garbage
 * per event (materialised events were most of a restart's garbage, and its young collections
 * copied the state being rebuilt over and over). Hence an event from {@link #next()} is valid
 * only until the call after.
 */
final class DecodingReader implements AutoCloseable {

  /**
   * Events per chunk: enough that the hand-over costs next to nothing per event, and few enough
   * that all the chunks' events (reused over and over, written on one core, read on the other)
   * stay in cache: with 2,048 per chunk (20,000 events, 6 MB) each thread spent about a third
   * more CPU time, waiting on memory.
   */
  private static final int CHUNK_EVENTS = 128;
  /** Chunks in flight: enough to ride out a GC pause on either side, and no more. */
  private static final int CHUNKS_QUEUED = 8;
  /** Every chunk there is: those queued, the one being replayed and the one being decoded. */
  private static final int CHUNKS_TOTAL = CHUNKS_QUEUED + 2;
  /** Recent short texts remembered while replaying (actors, reasons, categories). */
  private static final int TEXT_CACHE_ENTRIES = 1 << 16;
  /**
   * Names (SKUs, locations) kept canonical while replaying, so the engine's lookups match by
   * reference: a million covers large catalogues; past it, names still decode, only slower.
   */
  private static final int NAMES_MAX = 1 << 20;

  /** Events, or the end: {@code count} below the array's length, and why it ended. */
  private record Chunk(DecodedEvent[] events, int count, Exception failure, boolean last) {}

  private final BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(CHUNKS_QUEUED);
  /** Chunks replayed, for the reading thread to fill again. */
  private final BlockingQueue<DecodedEvent[]> free = new ArrayBlockingQueue<>(CHUNKS_TOTAL);
  private final Thread thread;
  private volatile boolean closed;
  private Chunk current;
  private int index;

  DecodingReader(Journal journal, long fromSequence) {
    this.thread = Thread.ofPlatform().name("stockroom-replay-decoder").daemon()
        .start(() -> run(journal, fromSequence));
  }

  /** The next event, valid until the next call; null at the end of the journal. */
  DecodedEvent next() throws IOException, InterruptedException {
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
      if (current != null) {
        free.add(current.events()); // never full: there are only CHUNKS_TOTAL arrays
      }
      current = chunks.take();
      index = 0;
    }
    return current.events()[index++];
  }

  private void run(Journal journal, long fromSequence) {
    EventCodec.Decoder decoder = new EventCodec.Decoder(TEXT_CACHE_ENTRIES, NAMES_MAX);
    int made = 0;
    DecodedEvent[] events = null;
    int count = 0;
    Exception failure = null;
    try (JournalReader reader = journal.read(fromSequence)) {
      while (!closed && reader.next()) {
        if (events == null) {
          // Made here, on this thread, as they are first needed: a short replay makes few.
          if (made < CHUNKS_TOTAL) {
            events = newChunk();
            made++;
          } else {
            events = free.take();
          }
        }
        decode(decoder, reader, events[count]);
        count++;
        if (count == CHUNK_EVENTS) {
          chunks.put(new Chunk(events, count, null, false));
          events = null;
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
      chunks.put(new Chunk(events == null ? new DecodedEvent[0] : events, count, failure, true));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static DecodedEvent[] newChunk() {
    DecodedEvent[] events = new DecodedEvent[CHUNK_EVENTS];
    for (int i = 0; i < events.length; i++) {
      events[i] = new DecodedEvent();
    }
    return events;
  }

  private static void decode(EventCodec.Decoder decoder, JournalReader reader,
      DecodedEvent event) {
    try {
      decoder.decodeInto(reader.payloadArray(), reader.payloadOffset(), reader.payloadLength(),
          event);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("journal record " + reader.sequence()
          + " passed its checksum but is not a valid event: " + e.getMessage(), e);
    }
    if (event.sequence() != reader.sequence()) {
      throw new IllegalStateException("journal record " + reader.sequence()
          + " holds event " + event.sequence());
    }
  }

  /**
   * Stops the reading thread (early, after a failure on the replay side) and waits for it. Not
   * by interrupting it: an interrupt during file I/O closes the channel, which the journal may
   * share. Handing every queued chunk back unblocks it whether it waits to queue a chunk or for
   * one to fill; it checks {@code closed} between records.
   */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    while (thread.isAlive()) {
      for (Chunk chunk = chunks.poll(); chunk != null; chunk = chunks.poll()) {
        free.offer(chunk.events());
      }
      thread.join(10);
    }
  }
}
