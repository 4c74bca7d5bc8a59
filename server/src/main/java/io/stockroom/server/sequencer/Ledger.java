package io.stockroom.server.sequencer;

import io.stockroom.engine.Command;
import io.stockroom.engine.DecodedEvent;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.EventCodec;
import io.stockroom.engine.InvariantViolatedException;
import io.stockroom.engine.Limits;
import io.stockroom.engine.Result;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalConfig;
import io.stockroom.journal.JournalCorruptException;
import io.stockroom.journal.RecoveryReport;
import io.stockroom.journal.Snapshot;
import io.stockroom.journal.Storage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

/**
 * The engine and its journal, kept in step: recovery rebuilds the engine from the newest
 * snapshot plus the events after it, and {@link #commit} makes a batch's events durable before
 * anyone may see them. Two threads share it, each with its own half: {@link #apply} and {@link
 * #snapshotState} touch only the engine (the writer thread), {@link #commit} and {@link
 * #writeSnapshot} only the journal (the sequencer's syncer thread), so the engine may run ahead
 * of the disk by the batches in flight and neither half ever reads the other's state.
 *
 * <p>Journal record sequence == event sequence, always: the engine numbers events, the journal
 * checks continuity, and recovery checks that the decoded event carries the record's sequence.
 */
public final class Ledger implements AutoCloseable {

  private static final int ENCODED_BYTES_INITIAL = 4096;
  private static final int ENDS_INITIAL = 64;

  private final Engine engine;
  private final Journal journal;
  private final JournalConfig journalConfig;
  private final Recovered recovered;
  /**
   * Where {@link #commit} encodes a batch's events back to back, handed to the journal as they
   * are with {@link #ends}. {@link EventCodec#encode(Event)} allocates and zeroes a fresh buffer
   * of the event's size bound (~770 B for a one-line hold, to write ~150) per event, which was a
   * third of the writer's time in the side-by-side profile (docs/BENCHMARKS.md); copying each
   * event out into its own {@code byte[]} for the journal's list append still cost an array and
   * a copy per event on the syncer thread. Grows to the largest batch seen, which {@code
   * batchRecordsMax} and the engine's limits bound; single-threaded like the rest of the ledger.
   */
  private ByteBuffer encoded = ByteBuffer.allocate(ENCODED_BYTES_INITIAL);

  /** Where each event of the batch ends in {@link #encoded}; grows to the largest batch seen. */
  private int[] ends = new int[ENDS_INITIAL];

  /** What startup found and did; logged and exported as metrics by the caller. */
  public record Recovered(RecoveryReport journal, long snapshotSequence, long eventsReplayed,
      Duration duration) {}

  private Ledger(Engine engine, Journal journal, JournalConfig journalConfig,
      Recovered recovered) {
    this.engine = engine;
    this.journal = journal;
    this.journalConfig = journalConfig;
    this.recovered = recovered;
  }

  /**
   * Opens the journal (truncating a torn tail, refusing corruption), rebuilds the engine and
   * audits it. Any inconsistency is thrown: the service must not start on a state it cannot
   * vouch for.
   */
  public static Ledger open(Storage storage, JournalConfig journalConfig, Limits limits)
      throws IOException {
    long started = System.nanoTime();
    Journal journal = Journal.open(storage, journalConfig);
    try {
      Snapshot snapshot = journal.recoveredSnapshot().orElse(null);
      Engine engine = snapshot == null ? new Engine(limits)
          : Engine.fromSnapshot(limits, snapshot.state());
      long snapshotSequence = snapshot == null ? 0 : snapshot.sequence();
      if (engine.sequence() != snapshotSequence) {
        throw new IllegalStateException("snapshot at sequence " + snapshotSequence
            + " holds an engine at sequence " + engine.sequence());
      }
      long replayed = replay(journal, engine);
      if (engine.sequence() != journal.lastSequence()) {
        throw new IllegalStateException("recovered engine is at sequence " + engine.sequence()
            + " but the journal ends at " + journal.lastSequence());
      }
      engine.checkInvariants();
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      return new Ledger(engine, journal, journalConfig,
          new Recovered(journal.recoveryReport(), snapshotSequence, replayed, took));
    } catch (IOException | RuntimeException e) {
      journal.close();
      throw e;
    }
  }

  private static long replay(Journal journal, Engine engine) throws IOException {
    long replayed = 0;
    try (DecodingReader reader = new DecodingReader(journal, engine.sequence() + 1)) {
      for (DecodedEvent event = reader.next(); event != null; event = reader.next()) {
        try {
          engine.replay(event);
        } catch (InvariantViolatedException e) {
          throw new IllegalStateException("journal record " + event.sequence()
              + " does not apply to the recovered state: " + e.getMessage(), e);
        }
        replayed++;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while replaying the journal", e);
    }
    return replayed;
  }

  public Engine engine() {
    return engine;
  }

  public Journal journal() {
    return journal;
  }

  public Recovered recovered() {
    return recovered;
  }

  /** Applies one command; its events are appended to {@code out} (not yet durable). */
  public Result apply(long time, Command command, List<Event> out) {
    return engine.apply(time, command, out);
  }

  /**
   * Makes {@code events} (the events the engine produced since the last commit, in order)
   * durable as one atomic journal batch with one fsync. Only after this returns may the caller
   * acknowledge or publish them. The batch is never split: a split could recover half of a
   * command's events, so the sequencer must size batches to {@link #batchEventsMax()}.
   *
   * @throws IOException the journal failed; nothing of this batch may be acknowledged, and the
   *     journal accepts nothing more (fail-stop)
   */
  public void commit(List<Event> events) throws IOException {
    if (events.isEmpty()) {
      return;
    }
    if (events.size() > journalConfig.batchRecordsMax()) {
      throw new IllegalStateException("a batch of " + events.size() + " events exceeds the"
          + " journal's batchRecordsMax " + journalConfig.batchRecordsMax());
    }
    int count = events.size();
    if (ends.length < count) {
      ends = new int[count];
    }
    encoded.clear();
    for (int i = 0; i < count; i++) {
      encode(events.get(i));
      ends[i] = encoded.position();
    }
    long first = events.get(0).sequence();
    if (first != journal.lastSequence() + 1) {
      throw new IllegalStateException("commit of event " + first + " after journal sequence "
          + journal.lastSequence() + ": events were lost or committed twice");
    }
    journal.append(first, encoded.array(), ends, count);
    long last = events.get(count - 1).sequence();
    if (journal.lastSequence() != last || last - first + 1 != count) {
      throw new IllegalStateException("journal at " + journal.lastSequence()
          + " after a commit of " + count + " events from " + first + " to " + last);
    }
  }

  /**
   * Appends the same bytes as {@link EventCodec#encode(Event)} to {@link #encoded}, first growing
   * it (keeping the batch's events so far) if the event's size bound might not fit.
   */
  private void encode(Event event) {
    int bound = EventCodec.sizeBound(event);
    if (bound > encoded.remaining()) {
      ByteBuffer grown =
          ByteBuffer.allocate(Math.max(2 * encoded.capacity(), encoded.position() + bound));
      encoded = grown.put(encoded.flip());
    }
    EventCodec.encode(event, encoded);
  }

  /** The most events one {@link #commit} takes. */
  public int batchEventsMax() {
    return journalConfig.batchRecordsMax();
  }

  /**
   * Writes a snapshot of the engine at the journal's last durable sequence, unless the state is
   * larger than the journal's {@code snapshotBytesMax}: then nothing is written and the caller
   * learns so (the journal still holds every event; a restart replays from the previous
   * snapshot). A snapshot only shortens restarts, so it must never stop the writer.
   *
   * @return the encoded state's size in bytes if written, or minus that size if it was too big
   */
  public long snapshot() throws IOException {
    return writeSnapshot(snapshotState(), engine.sequence());
  }

  /** The engine's state, encoded at its current sequence: the writer's half of a snapshot. */
  public byte[] snapshotState() {
    return engine.snapshot();
  }

  /**
   * The journal's half of {@link #snapshot}: writes {@code state}, encoded at {@code sequence},
   * which must be the journal's last durable sequence (the state has no uncommitted events),
   * unless it is larger than {@code snapshotBytesMax}.
   *
   * @return as {@link #snapshot}
   */
  public long writeSnapshot(byte[] state, long sequence) throws IOException {
    if (journal.lastSequence() != sequence) {
      throw new IllegalStateException("snapshot of the state at sequence " + sequence
          + " but the journal is at " + journal.lastSequence());
    }
    if (state.length > journalConfig.snapshotBytesMax()) {
      return -state.length;
    }
    journal.writeSnapshot(state);
    return state.length;
  }

  /** True when a corrupt-journal exception is behind {@code error}, for clear startup errors. */
  public static boolean isCorruption(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof JournalCorruptException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() throws IOException {
    journal.close();
  }
}
