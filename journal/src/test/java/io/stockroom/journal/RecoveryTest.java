package io.stockroom.journal;

import static io.stockroom.journal.Fixtures.SMALL;
import static io.stockroom.journal.Fixtures.appendRecords;
import static io.stockroom.journal.Fixtures.flags;
import static io.stockroom.journal.Fixtures.forgeFlags;
import static io.stockroom.journal.Fixtures.forgeHeaderPreviousChecksum;
import static io.stockroom.journal.Fixtures.forgeRecord;
import static io.stockroom.journal.Fixtures.payload;
import static io.stockroom.journal.Fixtures.readAll;
import static io.stockroom.journal.Fixtures.recordBytes;
import static io.stockroom.journal.Fixtures.recordOffsets;
import static io.stockroom.journal.Fixtures.segmentNames;
import static io.stockroom.journal.Fixtures.segmentWithBatches;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RecoveryTest {

  private static final String FIRST = "00000000000000000001.log";
  private static final JournalConfig ONE_SEGMENT = SMALL.withSegmentBytesMax(1 << 20);

  /** A one-segment journal of {@code records} records, returned as the segment's bytes. */
  private static byte[] segmentWith(int records) throws Exception {
    FaultyStorage storage = new FaultyStorage(0);
    try (Journal journal = Journal.open(storage, ONE_SEGMENT)) {
      appendRecords(journal, records, 3);
    }
    return storage.contents(FIRST);
  }

  private static FaultyStorage storageWith(String name, byte[] bytes) {
    FaultyStorage storage = new FaultyStorage(0);
    storage.putFile(name, bytes);
    return storage;
  }

  private static void assertRecoveredTo(
      FaultyStorage storage, long lastSequence, long bytesTruncated, long recordsDropped)
      throws Exception {
    try (Journal journal = Journal.open(storage, ONE_SEGMENT)) {
      assertThat(journal.lastSequence()).isEqualTo(lastSequence);
      assertThat(journal.recoveryReport().bytesTruncated()).isEqualTo(bytesTruncated);
      assertThat(journal.recoveryReport().recordsDropped()).isEqualTo(recordsDropped);
      assertThat(journal.recoveryReport().recordsRecovered()).isEqualTo(lastSequence);
      List<byte[]> read = readAll(journal, 1);
      for (int i = 0; i < read.size(); i++) {
        assertThat(read.get(i)).isEqualTo(payload(i + 1));
      }
      // The journal carries on where the torn record was.
      journal.append(lastSequence + 1, List.of(payload(lastSequence + 1)));
    }
    try (Journal journal = Journal.open(storage, ONE_SEGMENT)) {
      assertThat(journal.lastSequence()).isEqualTo(lastSequence + 1);
      assertThat(journal.recoveryReport().bytesTruncated()).isZero();
      assertThat(journal.recoveryReport().recordsDropped()).isZero();
    }
    assertThat(Journal.verify(storage, ONE_SEGMENT).ok()).isTrue();
  }

  /** Records 1..6 in two batches of 3, then the batch 7..11 that a crash will tear. */
  private static final int[] BATCHES = {3, 3, 5};

  private static final int BATCH_FIRST_INDEX = 6;

  /** Complete records of the torn batch in the first {@code cut} bytes. */
  private static long completeRecordsOfTheBatch(byte[] full, int cut) {
    return recordOffsets(full).stream()
        .skip(BATCH_FIRST_INDEX)
        .filter(at -> at + recordBytes(full, at) <= cut)
        .count();
  }

  @Test
  void recoveryCutsABatchTornAtEveryByteBackToThePreviousBatchBoundary() throws Exception {
    byte[] full = segmentWithBatches(BATCHES);
    int batchStart = recordOffsets(full).get(BATCH_FIRST_INDEX);
    for (int cut = batchStart; cut < full.length; cut++) {
      FaultyStorage storage = storageWith(FIRST, Arrays.copyOf(full, cut));
      assertRecoveredTo(storage, 6, cut - batchStart, completeRecordsOfTheBatch(full, cut));
    }
    // The whole batch made it: all of it is kept.
    assertRecoveredTo(storageWith(FIRST, full), 11, 0, 0);
  }

  @Test
  void recoveryCutsABatchTornAtEveryByteAndFollowedByZerosOrGarbage() throws Exception {
    byte[] full = segmentWithBatches(BATCHES);
    int batchStart = recordOffsets(full).get(BATCH_FIRST_INDEX);
    Random random = new Random(42);
    for (int cut = batchStart; cut < full.length; cut++) {
      byte[] zeros = full.clone();
      Arrays.fill(zeros, cut, zeros.length, (byte) 0);
      long complete = completeRecordsOfTheBatch(full, cut);
      assertRecoveredTo(storageWith(FIRST, zeros), 6, full.length - batchStart, complete);
      byte[] garbage = full.clone();
      for (int i = cut; i < garbage.length; i++) {
        garbage[i] = (byte) random.nextInt();
      }
      if (!Arrays.equals(garbage, full)) {
        assertRecoveredTo(storageWith(FIRST, garbage), 6, full.length - batchStart, complete);
      }
    }
  }

  @Test
  void recoveryKeepsNoneOfTheCompleteRecordsOfABatchWithoutItsEndRecord() throws Exception {
    byte[] full = segmentWithBatches(BATCHES);
    List<Integer> offsets = recordOffsets(full);
    int batchStart = offsets.get(BATCH_FIRST_INDEX);
    // The crash persisted the first k records of the batch, each complete and valid, but not the
    // last.
    for (int k = 1; k < 5; k++) {
      int end = offsets.get(BATCH_FIRST_INDEX + k);
      FaultyStorage storage = storageWith(FIRST, Arrays.copyOf(full, end));
      Corruption problem = Journal.verify(storage, ONE_SEGMENT).problem().orElseThrow();
      assertThat(problem.kind()).isEqualTo(Corruption.Kind.TORN_TAIL);
      assertThat(problem.offset()).isEqualTo(batchStart);
      assertThat(storage.contents(FIRST)).hasSize(end);
      assertRecoveredTo(storage, 6, end - batchStart, k);
    }
    // Every record there and valid, but the last one does not end the batch.
    byte[] unended = full.clone();
    int last = offsets.get(offsets.size() - 1);
    assertThat(flags(unended, last)).isEqualTo(Format.FLAG_BATCH_END);
    forgeFlags(unended, last, 0);
    assertRecoveredTo(storageWith(FIRST, unended), 6, full.length - batchStart, 5);
  }

  @Test
  void recoveryRefusesAnIncompleteBatchFollowedByALaterBatch() throws Exception {
    byte[] full = segmentWithBatches(3, 3, 5, 2);
    List<Integer> offsets = recordOffsets(full);
    // The batch 4..6 loses its end flag (the chain re-forged, so that is all that is wrong).
    byte[] unended = full.clone();
    forgeFlags(unended, offsets.get(5), 0);
    // The batch 7..11 loses its start flag.
    byte[] unstarted = full.clone();
    forgeFlags(unstarted, offsets.get(6), 0);
    for (byte[] bytes : List.of(unended, unstarted)) {
      int at = bytes == unended ? offsets.get(3) : offsets.get(6);
      FaultyStorage storage = storageWith(FIRST, bytes);
      assertThatThrownBy(() -> Journal.open(storage, ONE_SEGMENT))
          .isInstanceOf(JournalCorruptException.class)
          .hasMessageContaining(FIRST)
          .hasMessageContaining("byte offset " + at)
          .hasMessageContaining("BATCH_INCOMPLETE");
      assertThat(storage.contents(FIRST)).as("refusing modifies nothing").isEqualTo(bytes);
      Corruption problem = Journal.verify(storage, ONE_SEGMENT).problem().orElseThrow();
      assertThat(problem.kind()).isEqualTo(Corruption.Kind.BATCH_INCOMPLETE);
      assertThat(problem.offset()).isEqualTo(at);
    }
  }

  @Test
  void recoveryRefusesASegmentThatEndsInsideABatchWhenAnotherSegmentFollows() throws Exception {
    FaultyStorage storage = threeSegments();
    List<String> segments = segmentNames(storage);
    String middle = segments.get(1);
    byte[] bytes = storage.contents(middle);
    List<Integer> offsets = recordOffsets(bytes);
    int lastBatchStart = offsets.get(offsets.size() - 10);
    int lastChecksum = forgeFlags(bytes, offsets.get(offsets.size() - 1), 0);
    storage.putFile(middle, bytes);
    // The next segment still continues the (re-forged) chain: only the batch end is missing.
    byte[] next = storage.contents(segments.get(2));
    forgeHeaderPreviousChecksum(next, lastChecksum);
    storage.putFile(segments.get(2), next);
    assertThatThrownBy(() -> Journal.open(storage, SMALL))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining(middle)
        .hasMessageContaining("byte offset " + lastBatchStart)
        .hasMessageContaining("BATCH_INCOMPLETE");
    assertThat(storage.contents(middle)).isEqualTo(bytes);
    Corruption problem = Journal.verify(storage, SMALL).problem().orElseThrow();
    assertThat(problem.kind()).isEqualTo(Corruption.Kind.BATCH_INCOMPLETE);
    assertThat(problem.file()).isEqualTo(middle);
    assertThat(problem.offset()).isEqualTo(lastBatchStart);
  }

  @Test
  void recoveryRefusesABitFlipAnywhereInAMidLogRecord() throws Exception {
    byte[] full = segmentWith(10);
    List<Integer> offsets = recordOffsets(full);
    int start = offsets.get(4);
    int end = offsets.get(5);
    for (int at = start; at < end; at++) {
      byte[] flipped = full.clone();
      flipped[at] ^= (byte) (1 << (at % 8));
      FaultyStorage storage = storageWith(FIRST, flipped);
      assertThatThrownBy(() -> Journal.open(storage, ONE_SEGMENT))
          .as("flip at byte %d", at)
          .isInstanceOf(JournalCorruptException.class)
          .hasMessageContaining(FIRST)
          .hasMessageContaining("byte offset " + start)
          .hasMessageContaining("not a torn tail");
      // Refusing must not have modified anything.
      assertThat(storage.contents(FIRST)).isEqualTo(flipped);
    }
  }

  @Test
  void recoveryRefusesABrokenHashChain() throws Exception {
    byte[] bytes = segmentWith(10);
    int at = recordOffsets(bytes).get(4);
    int previous = ByteBuffer.wrap(bytes).getInt(at + 16);
    forgeRecord(bytes, at, 5, previous ^ 1);
    assertThatThrownBy(() -> Journal.open(storageWith(FIRST, bytes), ONE_SEGMENT))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining(FIRST)
        .hasMessageContaining("byte offset " + at)
        .hasMessageContaining("CHAIN_BROKEN");
  }

  @Test
  void recoveryRefusesASequenceGapOrDuplicate() throws Exception {
    for (long wrong : new long[] {6, 4, 5 + (1L << 40)}) {
      byte[] bytes = segmentWith(10);
      int at = recordOffsets(bytes).get(4);
      forgeRecord(bytes, at, wrong, ByteBuffer.wrap(bytes).getInt(at + 16));
      assertThatThrownBy(() -> Journal.open(storageWith(FIRST, bytes), ONE_SEGMENT))
          .isInstanceOf(JournalCorruptException.class)
          .hasMessageContaining(FIRST)
          .hasMessageContaining("byte offset " + at)
          .hasMessageContaining("SEQUENCE_DISCONTINUOUS")
          .hasMessageContaining("sequence " + wrong);
    }
  }

  @Test
  void aValidLookingWrongRecordIsCorruptionEvenAtTheTail() throws Exception {
    byte[] bytes = segmentWith(10);
    int at = recordOffsets(bytes).get(9);
    forgeRecord(bytes, at, 12, ByteBuffer.wrap(bytes).getInt(at + 16));
    assertThatThrownBy(() -> Journal.open(storageWith(FIRST, bytes), ONE_SEGMENT))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("gap");
  }

  /** Three segments of the small config. */
  private static FaultyStorage threeSegments() throws Exception {
    FaultyStorage storage = new FaultyStorage(0);
    try (Journal journal = Journal.open(storage, SMALL)) {
      while (segmentNames(storage).size() < 3) {
        appendRecords(journal, 10, 10);
      }
    }
    return storage;
  }

  @Test
  void recoveryRefusesATornRecordInASegmentThatIsNotTheLast() throws Exception {
    FaultyStorage storage = threeSegments();
    String middle = segmentNames(storage).get(1);
    byte[] bytes = storage.contents(middle);
    storage.putFile(middle, Arrays.copyOf(bytes, bytes.length - 3));
    assertThatThrownBy(() -> Journal.open(storage, SMALL))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining(middle)
        .hasMessageContaining("RECORD_TRUNCATED");
  }

  @Test
  void recoveryRefusesACorruptHeaderInASegmentThatIsNotTheLast() throws Exception {
    for (int at = 0; at < Format.SEGMENT_HEADER_BYTES; at++) {
      FaultyStorage storage = threeSegments();
      String middle = segmentNames(storage).get(1);
      storage.flipBit(middle, at, at % 8);
      assertThatThrownBy(() -> Journal.open(storage, SMALL))
          .as("flip at header byte %d", at)
          .isInstanceOf(JournalCorruptException.class)
          .hasMessageContaining(middle)
          .hasMessageContaining("SEGMENT_HEADER_INVALID");
    }
  }

  @Test
  void recoveryRefusesAMissingMiddleSegment() throws Exception {
    FaultyStorage storage = threeSegments();
    storage.delete(segmentNames(storage).get(1));
    assertThatThrownBy(() -> Journal.open(storage, SMALL))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("SEGMENT_DISCONTINUOUS");
  }

  @Test
  void recoveryRefusesALogWhoseFirstSegmentIsGoneWithoutASnapshot() throws Exception {
    FaultyStorage storage = threeSegments();
    storage.delete(FIRST);
    assertThatThrownBy(() -> Journal.open(storage, SMALL))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("SNAPSHOT_NOT_COVERED");
  }

  @Test
  void recoveryDeletesANewLastSegmentWithATornOrPartialHeader() throws Exception {
    for (int size = 0; size <= Format.SEGMENT_HEADER_BYTES; size++) {
      FaultyStorage storage = threeSegments();
      List<String> segments = segmentNames(storage);
      String last = segments.get(2);
      long lastSequenceBefore;
      try (Journal journal = Journal.open(storage, SMALL)) {
        lastSequenceBefore = journal.lastSequence();
      }
      // A segment whose creation was cut short: a header prefix, or a whole header flipped.
      byte[] header = Arrays.copyOf(storage.contents(last), Format.SEGMENT_HEADER_BYTES);
      byte[] torn = size < Format.SEGMENT_HEADER_BYTES ? Arrays.copyOf(header, size) : header;
      if (size == Format.SEGMENT_HEADER_BYTES) {
        torn[20] ^= 1;
      }
      String next = Format.segmentName(lastSequenceBefore + 1);
      storage.putFile(next, torn);
      try (Journal journal = Journal.open(storage, SMALL)) {
        assertThat(journal.lastSequence()).isEqualTo(lastSequenceBefore);
        assertThat(journal.recoveryReport().filesDeleted()).containsExactly(next);
        assertThat(journal.recoveryReport().bytesTruncated()).isEqualTo(torn.length);
        appendRecords(journal, 30, 10);
      }
      assertThat(Journal.verify(storage, SMALL).ok()).isTrue();
    }
  }

  @Test
  void recoveryRefusesAndKeepsALastSegmentOfAnotherFormatVersion() throws Exception {
    FaultyStorage storage = threeSegments();
    long lastSequenceBefore;
    try (Journal journal = Journal.open(storage, SMALL)) {
      lastSequenceBefore = journal.lastSequence();
    }
    String last = segmentNames(storage).get(2);
    // A header written whole by another format version: valid checksum, version 99.
    byte[] header = Arrays.copyOf(storage.contents(last), Format.SEGMENT_HEADER_BYTES);
    java.nio.ByteBuffer view = java.nio.ByteBuffer.wrap(header);
    view.putInt(4, 99);
    view.putLong(8, lastSequenceBefore + 1);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(header, 0, 20);
    view.putInt(20, (int) crc.getValue());
    String next = Format.segmentName(lastSequenceBefore + 1);
    storage.putFile(next, header);

    assertThatThrownBy(() -> Journal.open(storage, SMALL))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining(next)
        .hasMessageContaining("unsupported version 99");
    assertThat(storage.list()).contains(next); // never deleted as if it were torn
  }

  @Test
  void recoveryRefusesACorruptLastSegmentHeaderWithRecordsAfterIt() throws Exception {
    FaultyStorage storage = threeSegments();
    String last = segmentNames(storage).get(2);
    storage.flipBit(last, 9, 0);
    assertThatThrownBy(() -> Journal.open(storage, SMALL))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining(last)
        .hasMessageContaining("SEGMENT_HEADER_INVALID")
        .hasMessageContaining("not a torn tail");
  }

  @Test
  void recoveryRefusesASegmentWhoseHeaderDisagreesWithItsName() throws Exception {
    FaultyStorage storage = threeSegments();
    String last = segmentNames(storage).get(2);
    byte[] bytes = storage.contents(last);
    storage.delete(last);
    storage.putFile(Format.segmentName(Format.sequenceOf(last, ".log") + 1), bytes);
    assertThatThrownBy(() -> Journal.open(storage, SMALL))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("SEGMENT_NAME_MISMATCH");
  }

  @Test
  void leftoverTemporarySnapshotIsDeletedAndIgnored() throws Exception {
    FaultyStorage storage = new FaultyStorage(0);
    try (Journal journal = Journal.open(storage, SMALL)) {
      appendRecords(journal, 20, 5);
    }
    storage.putFile("00000000000000000020.snapshot.tmp", new byte[] {1, 2, 3});
    try (Journal journal = Journal.open(storage, SMALL)) {
      assertThat(journal.recoveredSnapshot()).isEmpty();
      assertThat(journal.recoveryReport().filesDeleted())
          .containsExactly("00000000000000000020.snapshot.tmp");
      assertThat(journal.lastSequence()).isEqualTo(20);
    }
    assertThat(storage.list()).noneMatch(name -> name.endsWith(".tmp"));
  }

  /** Snapshots at 100 and 200, records up to 250, several segments. */
  private static FaultyStorage twoSnapshots(JournalConfig config) throws Exception {
    FaultyStorage storage = new FaultyStorage(0);
    try (Journal journal = Journal.open(storage, config)) {
      appendRecords(journal, 100, 10);
      journal.writeSnapshot("at 100".getBytes());
      appendRecords(journal, 100, 10);
      journal.writeSnapshot("at 200".getBytes());
      appendRecords(journal, 50, 10);
    }
    return storage;
  }

  @Test
  void corruptNewestSnapshotFallsBackToAnOlderOneTheLogStillCovers() throws Exception {
    for (String damage : List.of("flip", "torn", "empty")) {
      FaultyStorage storage = twoSnapshots(SMALL.withSnapshotsRetained(2));
      String newest = "00000000000000000200.snapshot";
      byte[] bytes = storage.contents(newest);
      switch (damage) {
        case "flip" -> storage.flipBit(newest, bytes.length - 1, 3);
        case "torn" -> storage.putFile(newest, Arrays.copyOf(bytes, bytes.length - 2));
        default -> storage.putFile(newest, new byte[0]);
      }
      try (Journal journal = Journal.open(storage, SMALL.withSnapshotsRetained(2))) {
        assertThat(journal.recoveredSnapshot().orElseThrow().sequence()).as(damage).isEqualTo(100);
        assertThat(new String(journal.recoveredSnapshot().orElseThrow().state()))
            .isEqualTo("at 100");
        assertThat(journal.recoveryReport().snapshotsSkipped())
            .singleElement()
            .asString()
            .contains(newest);
        assertThat(journal.recoveryReport().recordsRecovered()).isEqualTo(150);
        assertThat(readAll(journal, 101)).hasSize(150);
      }
      assertThat(storage.list()).contains(newest + ".corrupt").doesNotContain(newest);
    }
  }

  @Test
  void corruptNewestSnapshotIsRefusedWhenTheLogNoLongerCoversAnOlderOne() throws Exception {
    JournalConfig config = SMALL.withSnapshotsRetained(1);
    FaultyStorage storage = twoSnapshots(config);
    assertThat(segmentNames(storage).get(0)).isNotEqualTo(FIRST);
    String newest = "00000000000000000200.snapshot";
    storage.flipBit(newest, 30, 0);
    assertThatThrownBy(() -> Journal.open(storage, config))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining(newest)
        .hasMessageContaining("SNAPSHOT_INVALID")
        .hasMessageContaining("no valid snapshot covers");
    assertThat(storage.list()).contains(newest);
  }

  @Test
  void snapshotWhoseChainChecksumDisagreesWithTheLogIsRefused() throws Exception {
    FaultyStorage storage = twoSnapshots(SMALL.withSnapshotsRetained(2));
    String newest = "00000000000000000200.snapshot";
    storage.delete(newest);
    SnapshotFile.write(storage, 200, 12345, "forged".getBytes());
    assertThatThrownBy(() -> Journal.open(storage, SMALL))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("SNAPSHOT_CHAIN_MISMATCH");
  }

  @Test
  void snapshotAheadOfTheLogIsRefused() throws Exception {
    FaultyStorage storage = new FaultyStorage(0);
    try (Journal journal = Journal.open(storage, SMALL)) {
      appendRecords(journal, 10, 10);
    }
    SnapshotFile.write(storage, 50, 0, new byte[0]);
    assertThatThrownBy(() -> Journal.open(storage, SMALL))
        .isInstanceOf(JournalCorruptException.class)
        .hasMessageContaining("SNAPSHOT_NOT_COVERED");
  }

  @Test
  void readerRefusesDamageItMeetsInSegmentsOlderThanTheSnapshot() throws Exception {
    JournalConfig config = SMALL.withSnapshotsRetained(2);
    FaultyStorage storage = twoSnapshots(config);
    String oldest = segmentNames(storage).get(0);
    storage.flipBit(oldest, 40, 0);
    try (Journal journal = Journal.open(storage, config)) {
      assertThatThrownBy(() -> readAll(journal, journal.firstSequence()))
          .isInstanceOf(JournalCorruptException.class)
          .hasMessageContaining(oldest);
    }
  }
}
