package io.stockroom.journal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Walks the whole journal read-only and reports the first problem (see {@link Journal#verify}).
 *
 * <p>Unlike recovery it reads every segment, including those older than the newest snapshot, and it
 * never truncates: a torn tail, or a batch without its end record at the tail of the last segment,
 * is reported as {@link Corruption.Kind#TORN_TAIL}; a batch without its end anywhere else as {@link
 * Corruption.Kind#BATCH_INCOMPLETE}.
 */
final class Verifier {

  private final Storage storage;
  private final JournalConfig config;
  private final byte[] buffer;

  private int segmentsChecked;
  private long records;
  private long firstSequence;
  private long nextSequence;
  private int lastChecksum;

  private Verifier(Storage storage, JournalConfig config) {
    this.storage = storage;
    this.config = config;
    this.buffer = new byte[config.readBufferBytes()];
  }

  static VerifyReport run(Storage storage, JournalConfig config) throws IOException {
    return new Verifier(storage, config).run();
  }

  private VerifyReport run() throws IOException {
    List<SegmentRef> segments = new ArrayList<>();
    List<String> snapshots = new ArrayList<>();
    for (String name : storage.list()) {
      long segment = Format.sequenceOf(name, Format.SEGMENT_SUFFIX);
      if (segment >= 0) {
        segments.add(new SegmentRef(name, segment));
      } else if (Format.sequenceOf(name, Format.SNAPSHOT_SUFFIX) >= 0) {
        snapshots.add(name);
      }
    }
    segments.sort(Comparator.comparingLong(SegmentRef::firstSequence));
    snapshots.sort(Comparator.naturalOrder());
    // The chain checksum at each snapshot's sequence, collected during the walk.
    Map<Long, Integer> checksumAt = new HashMap<>();
    for (String name : snapshots) {
      checksumAt.put(Format.sequenceOf(name, Format.SNAPSHOT_SUFFIX), null);
    }
    for (int i = 0; i < segments.size(); i++) {
      Corruption problem =
          checkSegment(segments.get(i), i == 0, i == segments.size() - 1, checksumAt);
      if (problem != null) {
        return report(Optional.of(problem), snapshots.size());
      }
    }
    for (String name : snapshots) {
      Corruption problem = checkSnapshot(name, checksumAt);
      if (problem != null) {
        return report(Optional.of(problem), snapshots.size());
      }
    }
    return report(Optional.empty(), snapshots.size());
  }

  private Corruption checkSegment(
      SegmentRef segment, boolean first, boolean last, Map<Long, Integer> checksumAt)
      throws IOException {
    segmentsChecked++;
    try (SegmentScanner scanner =
        SegmentScanner.open(storage, segment.name(), buffer, config.recordPayloadBytesMax())) {
      if (!scanner.readHeader()) {
        return tornOrNot(scanner, scanner.failure(), last, segment.firstSequence() - 1);
      }
      if (first) {
        firstSequence = segment.firstSequence();
      } else if (segment.firstSequence() != nextSequence
          || scanner.headerPreviousChecksum() != lastChecksum) {
        return new Corruption(
            Corruption.Kind.SEGMENT_DISCONTINUOUS,
            segment.name(),
            0,
            nextSequence,
            "segment header (first sequence "
                + segment.firstSequence()
                + ", previous checksum "
                + Format.hex(scanner.headerPreviousChecksum())
                + ") does not continue the previous segment (next "
                + "sequence "
                + nextSequence
                + ", checksum "
                + Format.hex(lastChecksum)
                + ")");
      }
      if (checksumAt.containsKey(segment.firstSequence() - 1)) {
        checksumAt.put(segment.firstSequence() - 1, scanner.headerPreviousChecksum());
      }
      nextSequence = scanner.nextSequence();
      lastChecksum = scanner.lastChecksum();
      long stepsMax = scanner.fileSize() / Format.RECORD_HEADER_BYTES + 2;
      for (long step = 0; step < stepsMax; step++) {
        SegmentScanner.Step outcome = scanner.next();
        if (outcome == SegmentScanner.Step.END) {
          if (!scanner.batchOpen()) {
            return null;
          }
          return last ? tornTail(scanner, scanner.incompleteBatch()) : scanner.incompleteBatch();
        }
        if (outcome == SegmentScanner.Step.INVALID) {
          return scanner.failureMayBeTorn()
              ? tornOrNot(scanner, scanner.failure(), last, scanner.nextSequence() - 1)
              : scanner.failure();
        }
        records++;
        nextSequence = scanner.nextSequence();
        lastChecksum = scanner.lastChecksum();
        if (checksumAt.containsKey(scanner.sequence())) {
          checksumAt.put(scanner.sequence(), scanner.lastChecksum());
        }
      }
      throw new IllegalStateException(
          "journal invariant broken: scan of " + segment.name() + " did not end");
    }
  }

  /**
   * A possibly-torn failure is a torn tail only in the last segment with nothing valid after it.
   */
  private Corruption tornOrNot(
      SegmentScanner scanner, Corruption failure, boolean last, long lastGoodSequence)
      throws IOException {
    if (!last || !scanner.failureMayBeTorn()) {
      return failure;
    }
    TailSearch.Found found =
        TailSearch.find(
            scanner.file(),
            failure.offset() + 1,
            scanner.fileSize(),
            lastGoodSequence,
            config.recordPayloadBytesMax());
    if (found != null) {
      return new Corruption(
          failure.kind(),
          failure.file(),
          failure.offset(),
          failure.sequence(),
          failure.detail()
              + "; not a torn tail: a valid record with sequence "
              + found.sequence()
              + " follows at byte offset "
              + found.offset());
    }
    return tornTail(scanner, failure);
  }

  /**
   * What open would cut from the last segment: everything after its last complete batch (the whole
   * file if the header itself is torn).
   */
  private static Corruption tornTail(SegmentScanner scanner, Corruption failure) {
    boolean headerTorn = failure.kind() == Corruption.Kind.SEGMENT_HEADER_INVALID;
    long from = headerTorn ? 0 : scanner.committedOffset();
    long sequence = headerTorn ? failure.sequence() : scanner.committedNextSequence();
    String dropped =
        !headerTorn && scanner.batchOpen()
            ? ", including "
                + scanner.openBatchRecords()
                + " complete records of a batch without its end record"
            : "";
    return new Corruption(
        Corruption.Kind.TORN_TAIL,
        failure.file(),
        from,
        sequence,
        (scanner.fileSize() - from)
            + " bytes would be truncated at open"
            + dropped
            + " ("
            + failure.kind()
            + " at byte offset "
            + failure.offset()
            + ": "
            + failure.detail()
            + ")");
  }

  private Corruption checkSnapshot(String name, Map<Long, Integer> checksumAt) throws IOException {
    SnapshotFile.Contents contents;
    try {
      contents = SnapshotFile.read(storage, name, config);
    } catch (JournalCorruptException e) {
      return e.corruption();
    }
    Integer expected = checksumAt.get(contents.sequence());
    if (expected == null) {
      if (contents.sequence() > nextSequence - 1) {
        return new Corruption(
            Corruption.Kind.SNAPSHOT_NOT_COVERED,
            name,
            8,
            0,
            "snapshot at sequence "
                + contents.sequence()
                + " is ahead of the log, which ends at "
                + (nextSequence - 1));
      }
      // Older than the log's first segment: nothing left to compare it with.
      return null;
    }
    if (expected != contents.chainChecksum()) {
      return new Corruption(
          Corruption.Kind.SNAPSHOT_CHAIN_MISMATCH,
          name,
          16,
          0,
          "snapshot chain checksum "
              + Format.hex(contents.chainChecksum())
              + " but the log's record "
              + contents.sequence()
              + " has checksum "
              + Format.hex(expected));
    }
    return null;
  }

  private VerifyReport report(Optional<Corruption> problem, int snapshots) {
    long last = records == 0 ? (firstSequence == 0 ? 0 : nextSequence - 1) : nextSequence - 1;
    return new VerifyReport(problem, segmentsChecked, records, firstSequence, last, snapshots);
  }
}
