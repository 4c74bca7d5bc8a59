package io.stockroom.server.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.EventCodec;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.InvariantViolatedException;
import io.stockroom.engine.Limits;
import io.stockroom.journal.FaultyStorage;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalConfig;
import io.stockroom.journal.JournalReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * Recovery of the engine from bytes that pass every checksum (Jazzer): what a bug in an older
 * writer, a tampered file or one damage in four billion would look like. The journal's CRCs
 * cannot see these; the event and snapshot decoders and the replay checks must. Whatever the
 * bytes, {@link Ledger#open} either
 *
 * <ul>
 *   <li>{@code RefusedClearly}: throws its documented refusal: {@link IllegalStateException}
 *       naming the journal record that does not decode or does not apply (or that replay ended
 *       short of the journal), {@link InvariantViolatedException} when every event's "before"
 *       matched but the rebuilt state fails its audit, or {@link IllegalArgumentException} from
 *       {@link Engine#fromSnapshot} for a snapshot that is not one (never an {@code
 *       ArrayIndexOutOfBoundsException}, a {@code NullPointerException} or an {@code
 *       OutOfMemoryError}); or
 *   <li>{@code AcceptedIsExact}: recovers an engine that passes its invariant audit, is usable
 *       (a command applies), and whose accepted event is exactly the bytes read, re-encoded.
 * </ul>
 *
 * <p>Regression inputs: {@code src/test/resources/.../LedgerFuzzTestInputs}, real events and a
 * real snapshot to mutate from (docs/RELIABILITY.md for the fuzzing command).
 */
class LedgerFuzzTest {

  /** Small buffers: each input opens a journal, and a megabyte of direct memory each is slow. */
  private static final JournalConfig JOURNAL = JournalConfig.defaults()
      .withRecordPayloadBytesMax(4_096).withBufferBytes(8_192, 8_192)
      .withSegmentBytesMax(16 * 1024);
  private static final long TIME = 1_700_000_000_000L;

  /** A journal of real events: items, receipts, holds in every state, an idempotency key. */
  private static final Map<String, byte[]> FILES = realJournal();

  private static Map<String, byte[]> realJournal() {
    try {
      FaultyStorage storage = new FaultyStorage(0);
      try (Ledger ledger = Ledger.open(storage, JOURNAL, Limits.DEFAULTS)) {
        List<Command> commands = List.of(
            new Command.DefineItem("tee", "T-shirt", "tees"),
            new Command.DefineItem("mug", "Mug", "kitchen"),
            new Command.Receive("tee", "default", 10, "delivery"),
            new Command.Receive("mug", "north", 4, "delivery"),
            new Command.Reserve("h1", List.of(new HoldLine("tee", "default", 2)), "alice",
                "order-1", 60_000),
            new Command.Reserve("h2", List.of(new HoldLine("tee", "default", 1),
                new HoldLine("mug", "north", 1)), "bob", "order-2", 60_000),
            new Command.Confirm("h1"),
            new Command.Attributed("key:abc", new Command.Keyed("retry-1", 42,
                new Command.Adjust("tee", "default", 9, Command.Adjust.ANY_VERSION, "count"))));
        long time = TIME;
        for (Command command : commands) {
          List<Event> events = new ArrayList<>();
          ledger.apply(time += 1_000, command, events);
          ledger.commit(events);
        }
      }
      Map<String, byte[]> files = new LinkedHashMap<>();
      for (String name : storage.list()) {
        files.put(name, storage.contents(name));
      }
      return files;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static FaultyStorage storageWithRealJournal() {
    FaultyStorage storage = new FaultyStorage(0);
    FILES.forEach(storage::putFile);
    return storage;
  }

  /** The input is the payload of one more record, appended with valid framing and checksums. */
  @FuzzTest(maxDuration = "5m")
  void forgedEventIsRefusedClearlyOrAppliedExactly(byte[] payload) throws IOException {
    FaultyStorage storage = storageWithRealJournal();
    long last;
    try (Journal journal = Journal.open(storage, JOURNAL)) {
      last = journal.lastSequence();
      if (payload.length > JOURNAL.recordPayloadBytesMax()) {
        return; // the journal refuses to write it: not a case recovery can meet
      }
      journal.append(last + 1, List.of(payload));
    }

    Ledger ledger;
    try {
      ledger = Ledger.open(storage, JOURNAL, Limits.DEFAULTS);
    } catch (IllegalStateException refused) {
      assertThat(refused.getMessage()).as("RefusedClearly").satisfiesAnyOf(
          message -> assertThat(message).startsWith("journal record " + (last + 1)),
          message -> assertThat(message).startsWith("recovered engine is at sequence"));
      return;
    } catch (InvariantViolatedException refused) {
      return; // each event's "before" matched, but the rebuilt state fails its audit
    }
    try (ledger) {
      assertThat(ledger.engine().sequence()).as("AcceptedIsExact").isEqualTo(last + 1);
      Event accepted = readBack(ledger, last + 1);
      assertThat(EventCodec.encode(accepted)).as("AcceptedIsExact: %s", accepted)
          .isEqualTo(payload);
      assertUsable(ledger.engine());
    }
  }

  private static Event readBack(Ledger ledger, long sequence) throws IOException {
    try (JournalReader reader = ledger.journal().read(sequence)) {
      assertThat(reader.next()).isTrue();
      return EventCodec.decode(reader.payload());
    }
  }

  /**
   * The input is an engine snapshot's bytes (its trailing CRC32C recomputed, so the fuzzer
   * reaches the parser), stored as the journal's only snapshot with a valid file checksum.
   */
  @FuzzTest(maxDuration = "5m")
  void forgedSnapshotIsRefusedClearlyOrRestoredWhole(byte[] input) throws IOException {
    byte[] state = input.clone();
    if (state.length >= 4) {
      CRC32C crc = new CRC32C();
      crc.update(state, 0, state.length - 4);
      ByteBuffer.wrap(state).putInt(state.length - 4, (int) crc.getValue());
    }
    long sequence = state.length >= 16 ? Math.max(0, ByteBuffer.wrap(state).getLong(8)) : 0;
    FaultyStorage storage = new FaultyStorage(0);
    storage.putFile(snapshotName(sequence), snapshotFile(sequence, state));

    Ledger ledger;
    try {
      ledger = Ledger.open(storage, JOURNAL, Limits.DEFAULTS);
    } catch (IllegalArgumentException refused) {
      return; // Engine.fromSnapshot: not a valid snapshot, with what is wrong
    } catch (IllegalStateException refused) {
      assertThat(refused.getMessage()).as("RefusedClearly").startsWith("snapshot at sequence");
      return;
    }
    try (ledger) {
      assertThat(ledger.engine().sequence()).as("AcceptedIsExact").isEqualTo(sequence);
      assertUsable(ledger.engine());
    }
  }

  /** A restored engine audits clean, and takes a command without breaking an invariant. */
  private static void assertUsable(Engine engine) {
    engine.checkInvariants();
    engine.apply(Math.max(engine.now(), TIME) + 1, new Command.Tick(), new ArrayList<>());
    engine.checkInvariants();
  }

  /** The journal's snapshot file layout (journal/Format): header, CRC32C, state. */
  private static byte[] snapshotFile(long sequence, byte[] state) {
    ByteBuffer file = ByteBuffer.allocate(28 + state.length);
    file.putInt(0x53544B53).putInt(1).putLong(sequence).putInt(0).putInt(state.length);
    CRC32C crc = new CRC32C();
    crc.update(file.array(), 0, 24);
    crc.update(state);
    file.putInt((int) crc.getValue()).put(state);
    return file.array();
  }

  private static String snapshotName(long sequence) {
    String digits = Long.toString(sequence);
    return "0".repeat(20 - digits.length()) + digits + ".snapshot";
  }
}
