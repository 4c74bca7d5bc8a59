package io.stockroom.journal;

import static io.stockroom.journal.Fixtures.SMALL;
import static io.stockroom.journal.Fixtures.appendRecords;
import static io.stockroom.journal.Fixtures.flags;
import static io.stockroom.journal.Fixtures.payload;
import static io.stockroom.journal.Fixtures.readAll;
import static io.stockroom.journal.Fixtures.recordOffsets;
import static io.stockroom.journal.Fixtures.segmentNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JournalTest {

  @Test
  void appendedRecordsReadBackInOrderAfterReopen() throws Exception {
    FaultyStorage storage = new FaultyStorage(1);
    try (Journal journal = Journal.open(storage, SMALL)) {
      assertThat(journal.lastSequence()).isZero();
      appendRecords(journal, 100, 7);
      assertThat(journal.lastSequence()).isEqualTo(100);
      assertThat(readAll(journal, 1)).hasSize(100);
    }
    storage.crash();
    try (Journal journal = Journal.open(storage, SMALL)) {
      assertThat(journal.lastSequence()).isEqualTo(100);
      assertThat(journal.recoveryReport().recordsRecovered()).isEqualTo(100);
      assertThat(journal.recoveryReport().bytesTruncated()).isZero();
      List<byte[]> read = readAll(journal, 1);
      for (int i = 0; i < 100; i++) {
        assertThat(read.get(i)).isEqualTo(payload(i + 1));
      }
      appendRecords(journal, 5, 5);
      assertThat(readAll(journal, 101)).hasSize(5);
    }
  }

  @Test
  void segmentsRollAtBatchBoundariesAndAreNamedByFirstSequence() throws Exception {
    FaultyStorage storage = new FaultyStorage(2);
    try (Journal journal = Journal.open(storage, SMALL)) {
      appendRecords(journal, 300, 10);
    }
    List<String> segments = segmentNames(storage);
    assertThat(segments).hasSizeGreaterThan(5).first().isEqualTo("00000000000000000001.log");
    for (String name : segments) {
      byte[] bytes = storage.contents(name);
      long first = Format.sequenceOf(name, ".log");
      assertThat((first - 1) % 10).as("segments start at batch boundaries: %s", name).isZero();
      // Rolled before a batch that would pass the limit, so only a lone batch may exceed it.
      assertThat(bytes.length).isLessThanOrEqualTo((int) SMALL.segmentBytesMax());
    }
    try (Journal journal = Journal.open(storage, SMALL)) {
      assertThat(readAll(journal, 1)).hasSize(300);
      assertThat(Journal.verify(storage, SMALL).ok()).isTrue();
    }
  }

  @Test
  void readingFromTheMiddleStartsAtThatSequence() throws Exception {
    FaultyStorage storage = new FaultyStorage(3);
    try (Journal journal = Journal.open(storage, SMALL)) {
      appendRecords(journal, 250, 9);
      for (long from : new long[] {1, 2, 37, 100, 249, 250, 251}) {
        List<byte[]> read = readAll(journal, from);
        assertThat(read).hasSize((int) (251 - from));
        if (!read.isEmpty()) {
          assertThat(read.get(0)).isEqualTo(payload(from));
        }
      }
      assertThatThrownBy(() -> journal.read(252)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> journal.read(0)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void readerStopsAtTheSequenceDurableWhenItWasCreated() throws Exception {
    FaultyStorage storage = new FaultyStorage(4);
    try (Journal journal = Journal.open(storage, SMALL)) {
      appendRecords(journal, 10, 10);
      try (JournalReader reader = journal.read(1)) {
        appendRecords(journal, 10, 10);
        int count = 0;
        while (reader.next()) {
          count++;
        }
        assertThat(count).isEqualTo(10);
        assertThat(reader.toSequence()).isEqualTo(10);
      }
    }
  }

  @Test
  void appendMarksTheFirstAndLastRecordOfEveryBatch() throws Exception {
    FaultyStorage storage = new FaultyStorage(11);
    try (Journal journal = Journal.open(storage, SMALL)) {
      appendRecords(journal, 1, 1);
      appendRecords(journal, 3, 3);
      appendRecords(journal, 2, 2);
    }
    byte[] segment = storage.contents(Format.segmentName(1));
    int start = Format.FLAG_BATCH_START;
    int end = Format.FLAG_BATCH_END;
    assertThat(recordOffsets(segment).stream().map(at -> flags(segment, at)))
        .containsExactly(start | end, start, 0, end, start, end);
  }

  /**
   * Appends {@code count} records on another thread, holds the writer at the armed storage call,
   * and checks that nothing of that batch is visible to readers until the append returns.
   */
  private static void assertBatchInvisibleWhileHeld(
      Journal journal, PausingStorage storage, int count, PausingStorage.Call call, int occurrence)
      throws Exception {
    long before = journal.lastSequence();
    List<byte[]> batch = new ArrayList<>();
    for (long sequence = before + 1; sequence <= before + count; sequence++) {
      batch.add(payload(sequence, 900));
    }
    storage.pauseBefore(call, occurrence);
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread writer =
        new Thread(
            () -> {
              try {
                journal.append(before + 1, batch);
              } catch (Throwable t) {
                failure.set(t);
              }
            });
    writer.start();
    try {
      storage.awaitPaused();
      assertThat(journal.lastSequence())
          .as("held before %s %d", call, occurrence)
          .isEqualTo(before);
      assertThat(readAll(journal, journal.firstSequence()))
          .hasSize((int) (before - journal.firstSequence() + 1));
      assertThat(readAll(journal, before + 1)).isEmpty();
      assertThatThrownBy(() -> journal.read(before + 2))
          .isInstanceOf(IllegalArgumentException.class);
    } finally {
      storage.resume();
      writer.join();
    }
    assertThat(failure.get()).isNull();
    assertThat(journal.lastSequence()).isEqualTo(before + count);
    assertThat(readAll(journal, before + 1)).hasSize(count);
  }

  @Test
  void aReaderCreatedDuringAnAppendOnAnotherThreadSeesNoneOfThatBatch() throws Exception {
    FaultyStorage disk = new FaultyStorage(12);
    PausingStorage storage = new PausingStorage(disk);
    // The write buffer holds 4 records of 900 bytes, so a batch of 10 takes 3 writes.
    JournalConfig config = SMALL.withSegmentBytesMax(32 << 10);
    try (Journal journal = Journal.open(storage, config)) {
      appendRecords(journal, 7, 7);
      assertBatchInvisibleWhileHeld(journal, storage, 10, PausingStorage.Call.WRITE, 2);
      assertBatchInvisibleWhileHeld(journal, storage, 10, PausingStorage.Call.WRITE, 3);
      assertBatchInvisibleWhileHeld(journal, storage, 10, PausingStorage.Call.SYNC, 1);
      // Batches that roll a new segment: the segment list names it before the batch is durable.
      int rolls = 0;
      for (int batch = 0; batch < 12; batch++) {
        int segments = segmentNames(disk).size();
        PausingStorage.Call call =
            batch % 2 == 0 ? PausingStorage.Call.SYNC : PausingStorage.Call.WRITE;
        assertBatchInvisibleWhileHeld(
            journal, storage, 10, call, call == PausingStorage.Call.SYNC ? 1 : 2);
        rolls += segmentNames(disk).size() - segments;
      }
      assertThat(rolls).as("segments rolled under a held append").isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void appendRefusesBatchesThatBreakLimitsWithoutFailingTheJournal() throws Exception {
    FaultyStorage storage = new FaultyStorage(5);
    try (Journal journal = Journal.open(storage, SMALL)) {
      assertThatThrownBy(() -> journal.append(2, List.of(payload(2))))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("must start at sequence 1");
      assertThatThrownBy(() -> journal.append(1, List.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("1 to 64 records");
      List<byte[]> tooMany = new ArrayList<>();
      for (int i = 0; i < 65; i++) {
        tooMany.add(new byte[1]);
      }
      assertThatThrownBy(() -> journal.append(1, tooMany))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> journal.append(1, List.of(new byte[1], new byte[1025])))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("payload 1 of the batch is 1025 bytes");
      journal.append(1, List.of(new byte[0], new byte[1024]));
      assertThat(readAll(journal, 1)).extracting(p -> p.length).containsExactly(0, 1024);
    }
  }

  @Test
  void aBatchLargerThanTheWriteBufferIsStillOneDurableBatch() throws Exception {
    FaultyStorage storage = new FaultyStorage(6);
    JournalConfig config = SMALL.withSegmentBytesMax(1 << 20);
    try (Journal journal = Journal.open(storage, config)) {
      List<byte[]> payloads = new ArrayList<>();
      for (int i = 1; i <= 64; i++) {
        payloads.add(payload(i, 1000));
      }
      journal.append(1, payloads);
      assertThat(readAll(journal, 1)).hasSize(64);
    }
    storage.crash();
    try (Journal journal = Journal.open(storage, config)) {
      assertThat(journal.lastSequence()).isEqualTo(64);
    }
  }

  @Test
  void snapshotIsRecoveredAndReplayContinuesAfterIt() throws Exception {
    FaultyStorage storage = new FaultyStorage(7);
    try (Journal journal = Journal.open(storage, SMALL)) {
      appendRecords(journal, 40, 8);
      journal.writeSnapshot("state@40".getBytes());
      appendRecords(journal, 15, 5);
    }
    storage.crash();
    try (Journal journal = Journal.open(storage, SMALL)) {
      Snapshot snapshot = journal.recoveredSnapshot().orElseThrow();
      assertThat(snapshot.sequence()).isEqualTo(40);
      assertThat(new String(snapshot.state())).isEqualTo("state@40");
      assertThat(journal.recoveryReport().snapshotSequence()).isEqualTo(40);
      assertThat(journal.recoveryReport().recordsRecovered()).isEqualTo(15);
      List<byte[]> tail = readAll(journal, 41);
      assertThat(tail).hasSize(15);
      assertThat(tail.get(0)).isEqualTo(payload(41));
    }
  }

  @Test
  void snapshotsRetireOlderSnapshotsAndTheSegmentsOnlyTheyNeeded() throws Exception {
    FaultyStorage storage = new FaultyStorage(8);
    JournalConfig config = SMALL.withSnapshotsRetained(2);
    try (Journal journal = Journal.open(storage, config)) {
      appendRecords(journal, 200, 10);
      journal.writeSnapshot(new byte[] {1});
      appendRecords(journal, 200, 10);
      journal.writeSnapshot(new byte[] {2});
      appendRecords(journal, 200, 10);
      journal.writeSnapshot(new byte[] {3});
      assertThat(storage.list().stream().filter(n -> n.endsWith(".snapshot")).sorted())
          .containsExactly("00000000000000000400.snapshot", "00000000000000000600.snapshot");
      // Replay from the older kept snapshot must still be possible.
      assertThat(journal.firstSequence()).isLessThanOrEqualTo(401).isGreaterThan(200);
      assertThat(readAll(journal, journal.firstSequence()))
          .hasSize((int) (601 - journal.firstSequence()));
      assertThatThrownBy(() -> journal.read(1))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("not readable");
    }
    try (Journal journal = Journal.open(storage, config)) {
      assertThat(journal.recoveredSnapshot().orElseThrow().sequence()).isEqualTo(600);
      assertThat(Journal.verify(storage, config).ok()).isTrue();
    }
  }

  @Test
  void snapshotOfAnEmptyJournalIsRefused() throws Exception {
    try (Journal journal = Journal.open(new FaultyStorage(9), SMALL)) {
      assertThatThrownBy(() -> journal.writeSnapshot(new byte[1]))
          .isInstanceOf(IllegalStateException.class);
    }
  }

  @Test
  void emptyDirectoryOpensAsAnEmptyJournal() throws Exception {
    FaultyStorage storage = new FaultyStorage(10);
    try (Journal journal = Journal.open(storage, SMALL)) {
      assertThat(journal.lastSequence()).isZero();
      assertThat(journal.firstSequence()).isEqualTo(1);
      assertThat(journal.recoveredSnapshot()).isEmpty();
      assertThat(readAll(journal, 1)).isEmpty();
    }
    assertThat(storage.list()).isEmpty();
    assertThat(Journal.verify(storage, SMALL).ok()).isTrue();
  }
}
