package io.stockroom.journal;

import static io.stockroom.journal.Fixtures.SMALL;
import static io.stockroom.journal.Fixtures.appendRecords;
import static io.stockroom.journal.Fixtures.forgeRecord;
import static io.stockroom.journal.Fixtures.recordOffsets;
import static io.stockroom.journal.Fixtures.segmentNames;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class VerifyTest {

  private static final JournalConfig CONFIG = SMALL.withSnapshotsRetained(3);

  /** 300 records over many segments, snapshots at 100 and 200. */
  private static FaultyStorage journal() throws Exception {
    FaultyStorage storage = new FaultyStorage(0);
    try (Journal journal = Journal.open(storage, CONFIG)) {
      appendRecords(journal, 100, 10);
      journal.writeSnapshot(new byte[] {1});
      appendRecords(journal, 100, 10);
      journal.writeSnapshot(new byte[] {2});
      appendRecords(journal, 100, 10);
    }
    return storage;
  }

  private static Corruption problem(FaultyStorage storage) throws Exception {
    List<String> before = storage.list().stream().sorted().toList();
    VerifyReport report = Journal.verify(storage, CONFIG);
    assertThat(storage.list().stream().sorted().toList())
        .as("verify changes nothing")
        .isEqualTo(before);
    assertThat(report.ok()).as("verify must find a problem").isFalse();
    return report.problem().orElseThrow();
  }

  @Test
  void verifyReportsSuccessWithCountsOnACleanJournal() throws Exception {
    VerifyReport report = Journal.verify(journal(), CONFIG);
    assertThat(report.ok()).isTrue();
    // Segments needed only before the oldest kept snapshot (100) were retired.
    assertThat(report.firstSequence()).isBetween(2L, 101L);
    assertThat(report.records()).isEqualTo(300 - report.firstSequence() + 1);
    assertThat(report.lastSequence()).isEqualTo(300);
    assertThat(report.snapshots()).isEqualTo(2);
    assertThat(report.segments()).isGreaterThan(5);
    assertThat(report.toString()).contains("ok");
  }

  @Test
  void verifyFindsABitFlipInAnOldSegmentWithFileAndOffset() throws Exception {
    FaultyStorage storage = journal();
    String first = segmentNames(storage).get(0);
    int at = recordOffsets(storage.contents(first)).get(3);
    storage.flipBit(first, at + 25, 2);
    Corruption problem = problem(storage);
    assertThat(problem.kind()).isEqualTo(Corruption.Kind.RECORD_CHECKSUM_MISMATCH);
    assertThat(problem.file()).isEqualTo(first);
    assertThat(problem.offset()).isEqualTo(at);
    assertThat(problem.sequence()).isEqualTo(Format.sequenceOf(first, ".log") + 3);
  }

  @Test
  void verifyFindsABrokenChainAndASequenceGap() throws Exception {
    for (Corruption.Kind kind :
        List.of(Corruption.Kind.CHAIN_BROKEN, Corruption.Kind.SEQUENCE_DISCONTINUOUS)) {
      FaultyStorage storage = journal();
      String second = segmentNames(storage).get(1);
      byte[] bytes = storage.contents(second);
      int at = recordOffsets(bytes).get(2);
      long sequence = ByteBuffer.wrap(bytes).getLong(at + 8);
      int previous = ByteBuffer.wrap(bytes).getInt(at + 16);
      if (kind == Corruption.Kind.CHAIN_BROKEN) {
        forgeRecord(bytes, at, sequence, previous + 1);
      } else {
        forgeRecord(bytes, at, sequence + 1, previous);
      }
      storage.putFile(second, bytes);
      Corruption problem = problem(storage);
      assertThat(problem.kind()).isEqualTo(kind);
      assertThat(problem.file()).isEqualTo(second);
      assertThat(problem.offset()).isEqualTo(at);
      assertThat(problem.sequence()).isEqualTo(sequence);
    }
  }

  @Test
  void verifyFindsAMissingSegmentAndACorruptHeader() throws Exception {
    FaultyStorage missing = journal();
    String third = segmentNames(missing).get(2);
    missing.delete(segmentNames(missing).get(1));
    assertThat(problem(missing).kind()).isEqualTo(Corruption.Kind.SEGMENT_DISCONTINUOUS);
    assertThat(problem(missing).file()).isEqualTo(third);

    FaultyStorage header = journal();
    String second = segmentNames(header).get(1);
    header.flipBit(second, 2, 1);
    assertThat(problem(header).kind()).isEqualTo(Corruption.Kind.SEGMENT_HEADER_INVALID);
    assertThat(problem(header).file()).isEqualTo(second);
  }

  @Test
  void verifyReportsATornTailWithoutTruncatingIt() throws Exception {
    FaultyStorage storage = journal();
    String last = segmentNames(storage).get(segmentNames(storage).size() - 1);
    byte[] bytes = storage.contents(last);
    storage.putFile(last, Arrays.copyOf(bytes, bytes.length - 5));
    Corruption problem = problem(storage);
    assertThat(problem.kind()).isEqualTo(Corruption.Kind.TORN_TAIL);
    assertThat(problem.detail()).contains("would be truncated");
    assertThat(storage.contents(last)).hasSize(bytes.length - 5);
  }

  @Test
  void verifyReportsABatchWithoutItsEndRecordAtTheTailAsATornTailWithoutTruncatingIt()
      throws Exception {
    FaultyStorage storage = journal();
    String last = segmentNames(storage).get(segmentNames(storage).size() - 1);
    byte[] bytes = storage.contents(last);
    List<Integer> offsets = recordOffsets(bytes);
    // The last batch (10 records) lost only its last record: 9 complete, valid records remain.
    int batchStart = offsets.get(offsets.size() - 10);
    int cut = offsets.get(offsets.size() - 1);
    storage.putFile(last, Arrays.copyOf(bytes, cut));
    Corruption problem = problem(storage);
    assertThat(problem.kind()).isEqualTo(Corruption.Kind.TORN_TAIL);
    assertThat(problem.file()).isEqualTo(last);
    assertThat(problem.offset()).isEqualTo(batchStart);
    assertThat(problem.sequence()).isEqualTo(291);
    assertThat(problem.detail())
        .contains((cut - batchStart) + " bytes would be truncated")
        .contains("9 complete records");
    assertThat(storage.contents(last)).hasSize(cut);
  }

  @Test
  void verifyFindsACorruptSnapshotAndOneThatDisagreesWithTheLog() throws Exception {
    FaultyStorage flipped = journal();
    flipped.flipBit("00000000000000000100.snapshot", 28, 0);
    Corruption problem = problem(flipped);
    assertThat(problem.kind()).isEqualTo(Corruption.Kind.SNAPSHOT_INVALID);
    assertThat(problem.file()).isEqualTo("00000000000000000100.snapshot");

    FaultyStorage forged = journal();
    forged.delete("00000000000000000200.snapshot");
    SnapshotFile.write(forged, 200, 7, new byte[] {2});
    assertThat(problem(forged).kind()).isEqualTo(Corruption.Kind.SNAPSHOT_CHAIN_MISMATCH);

    FaultyStorage ahead = journal();
    SnapshotFile.write(ahead, 400, 7, new byte[] {2});
    assertThat(problem(ahead).kind()).isEqualTo(Corruption.Kind.SNAPSHOT_NOT_COVERED);
  }
}
