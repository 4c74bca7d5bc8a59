package io.stockroom.journal;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Brings a journal directory to a consistent state at open (Kafka's LogLoader, in small).
 *
 * <ol>
 *   <li>delete leftover {@code .tmp} files (snapshots that never finished);
 *   <li>check every segment header; a last segment whose header is torn and holds no valid record
 *       was being created when the crash came (its batch was never acknowledged): delete it;
 *   <li>pick the newest valid snapshot the log still covers (a corrupt newest one falls back to an
 *       older one, or to an empty state if the log starts at 1; otherwise stop);
 *   <li>scan every record after it, checking CRC, sequence and the hash chain, including that the
 *       chain passes through the snapshot's checksum;
 *   <li>cut a torn tail, and any incomplete batch before it, off the last segment and fsync.
 * </ol>
 *
 * <p><b>Batches are all or nothing.</b> Records after the last batch-end record of the last segment
 * belong to the batch the crash interrupted: it was never acknowledged, and keeping part of it
 * would half-apply a command above us. They are truncated with the torn bytes, even when each of
 * them is complete and valid, and counted in {@link RecoveryReport#recordsDropped()}. A batch
 * without its end anywhere else (a later batch starts inside it, or a segment that is not the last
 * ends inside it) cannot come from a crash, since batches are never split across segments and
 * earlier batches were fsynced: that is corruption, and startup stops.
 *
 * <p><b>Torn tail or corruption?</b> A crash can only damage the batch that was being written, and
 * only at the end of the last segment: earlier bytes were fsynced before the batch started. So a
 * bad record is a torn tail only if it is in the last segment and no valid record with a later
 * sequence exists anywhere after it ({@link TailSearch} checks every byte offset). A bad record
 * followed by a valid one, a bad record in any other segment, and any record whose checksum is
 * valid but whose sequence or chain link is wrong, is corruption: startup stops with {@link
 * JournalCorruptException} naming the file and offset. The one case no format can tell apart:
 * damage confined to the very last records of the last segment looks exactly like a torn write, and
 * is truncated (and reported in bytesTruncated).
 *
 * <p>A disk that persists the pages of the unacknowledged batch out of order (a later page without
 * an earlier one) looks like corruption under this rule and stops startup; we prefer a false stop
 * to silently dropping data behind a bad record.
 *
 * <p>Only segments from the snapshot on are scanned at open, to keep startup proportional to the
 * replay. Older segments are header-checked here and fully checked by {@link Journal#verify}.
 */
final class Recovery {

  /** The recovered position, ready for appending. */
  record Result(
      List<SegmentRef> segments,
      long nextSequence,
      int lastChecksum,
      long activeSize,
      SnapshotFile.Contents snapshot,
      RecoveryReport report) {}

  private final Storage storage;
  private final JournalConfig config;
  private final byte[] buffer;
  private final List<String> filesDeleted = new ArrayList<>();
  private final List<String> snapshotsSkipped = new ArrayList<>();
  private long bytesTruncated;
  private long recordsDropped;

  private Recovery(Storage storage, JournalConfig config) {
    this.storage = storage;
    this.config = config;
    this.buffer = new byte[config.readBufferBytes()];
  }

  static Result run(Storage storage, JournalConfig config) throws IOException {
    return new Recovery(storage, config).run();
  }

  private Result run() throws IOException {
    long started = System.nanoTime();
    List<SegmentRef> segments = new ArrayList<>();
    List<Long> snapshots = new ArrayList<>();
    boolean directoryChanged = false;
    for (String name : storage.list()) {
      long segment = Format.sequenceOf(name, Format.SEGMENT_SUFFIX);
      long snapshot = Format.sequenceOf(name, Format.SNAPSHOT_SUFFIX);
      if (name.endsWith(Format.TEMPORARY_SUFFIX)) {
        storage.delete(name);
        filesDeleted.add(name);
        directoryChanged = true;
      } else if (segment >= 0) {
        segments.add(new SegmentRef(name, segment));
      } else if (snapshot >= 0) {
        snapshots.add(snapshot);
      }
    }
    segments.sort(Comparator.comparingLong(SegmentRef::firstSequence));
    snapshots.sort(Comparator.reverseOrder());

    directoryChanged |= checkHeaders(segments);
    if (directoryChanged) {
      storage.syncDirectory();
    }
    List<String> invalidSnapshots = new ArrayList<>();
    List<String> staleSnapshots = new ArrayList<>();
    SnapshotFile.Contents snapshot =
        chooseSnapshot(segments, snapshots, invalidSnapshots, staleSnapshots);
    long snapshotSequence = snapshot == null ? 0 : snapshot.sequence();
    int snapshotChecksum = snapshot == null ? 0 : snapshot.chainChecksum();

    long nextSequence = snapshotSequence + 1;
    int lastChecksum = snapshotChecksum;
    long activeSize = 0;
    if (!segments.isEmpty()) {
      Scan scan = scan(segments, snapshotSequence, snapshotChecksum);
      nextSequence = scan.nextSequence;
      lastChecksum = scan.lastChecksum;
      activeSize = scan.activeSize;
      if (nextSequence - 1 < snapshotSequence) {
        throw new JournalCorruptException(
            new Corruption(
                Corruption.Kind.SNAPSHOT_NOT_COVERED,
                Format.snapshotName(snapshotSequence),
                0,
                0,
                "snapshot is at sequence "
                    + snapshotSequence
                    + " but the log ends at sequence "
                    + (nextSequence - 1)
                    + ": acknowledged records are missing"));
      }
      // Only now, with nothing left to refuse, change the log.
      if (scan.truncateFile != null) {
        truncate(scan);
      }
    }
    // The scanned log is gap-free from the snapshot's successor to its end.
    long recordsRecovered = nextSequence - 1 - snapshotSequence;
    // Only now, with the chosen snapshot proven consistent with the log, set the others aside.
    for (String name : invalidSnapshots) {
      storage.rename(name, name + Format.CORRUPT_SUFFIX);
    }
    for (String name : staleSnapshots) {
      storage.delete(name);
      filesDeleted.add(name);
    }
    if (!invalidSnapshots.isEmpty() || !staleSnapshots.isEmpty()) {
      storage.syncDirectory();
    }
    long firstSequence = segments.isEmpty() ? nextSequence : segments.get(0).firstSequence();
    RecoveryReport report =
        new RecoveryReport(
            snapshotSequence,
            firstSequence,
            nextSequence - 1,
            recordsRecovered,
            bytesTruncated,
            recordsDropped,
            filesDeleted,
            snapshotsSkipped,
            Duration.ofNanos(System.nanoTime() - started));
    return new Result(
        List.copyOf(segments), nextSequence, lastChecksum, activeSize, snapshot, report);
  }

  /**
   * Checks all segment headers; removes a torn new last segment. Returns true if a file was
   * deleted.
   */
  private boolean checkHeaders(List<SegmentRef> segments) throws IOException {
    for (int i = 0; i < segments.size(); i++) {
      SegmentRef segment = segments.get(i);
      try (SegmentScanner scanner =
          SegmentScanner.open(storage, segment.name(), buffer, config.recordPayloadBytesMax())) {
        if (scanner.readHeader()) {
          continue;
        }
        boolean last = i == segments.size() - 1;
        if (!last || !scanner.failureMayBeTorn()) {
          throw new JournalCorruptException(scanner.failure());
        }
        TailSearch.Found found =
            TailSearch.find(
                scanner.file(),
                0,
                scanner.fileSize(),
                segment.firstSequence() - 1,
                config.recordPayloadBytesMax());
        if (found != null) {
          throw notTorn(scanner.failure(), found);
        }
        bytesTruncated += scanner.fileSize();
      }
      storage.delete(segment.name());
      filesDeleted.add(segment.name());
      segments.remove(i);
      return true;
    }
    return false;
  }

  private SnapshotFile.Contents chooseSnapshot(
      List<SegmentRef> segments, List<Long> snapshots, List<String> invalid, List<String> stale)
      throws IOException {
    long logStart = segments.isEmpty() ? -1 : segments.get(0).firstSequence();
    Corruption newestProblem = null;
    for (long sequence : snapshots) {
      String name = Format.snapshotName(sequence);
      SnapshotFile.Contents contents;
      try {
        contents = SnapshotFile.read(storage, name, config);
      } catch (JournalCorruptException e) {
        snapshotsSkipped.add(e.corruption().toString());
        invalid.add(name);
        newestProblem = newestProblem == null ? e.corruption() : newestProblem;
        continue;
      }
      if (logStart > sequence + 1) {
        snapshotsSkipped.add(name + ": older than the log, which starts at sequence " + logStart);
        stale.add(name);
        continue;
      }
      return contents;
    }
    if (segments.isEmpty() && newestProblem != null) {
      throw new JournalCorruptException(
          new Corruption(
              newestProblem.kind(),
              newestProblem.file(),
              newestProblem.offset(),
              0,
              newestProblem.detail() + "; no other valid snapshot and no log to replay"));
    }
    if (logStart > 1) {
      String detail =
          "the log starts at sequence "
              + logStart
              + " and no valid snapshot covers the records before it";
      throw new JournalCorruptException(
          newestProblem == null
              ? new Corruption(
                  Corruption.Kind.SNAPSHOT_NOT_COVERED, segments.get(0).name(), 0, 1, detail)
              : new Corruption(
                  newestProblem.kind(),
                  newestProblem.file(),
                  newestProblem.offset(),
                  0,
                  newestProblem.detail() + "; " + detail));
    }
    return null;
  }

  private static final class Scan {
    long nextSequence;
    int lastChecksum;
    long activeSize;

    /** The last segment, if its tail must be cut at activeSize; null if it ends cleanly. */
    String truncateFile;

    long truncateBytes;
    long truncateRecords;
  }

  private Scan scan(List<SegmentRef> segments, long snapshotSequence, int snapshotChecksum)
      throws IOException {
    int start = 0;
    for (int i = 0; i < segments.size(); i++) {
      if (segments.get(i).firstSequence() <= snapshotSequence + 1) {
        start = i;
      }
    }
    Scan scan = new Scan();
    for (int i = start; i < segments.size(); i++) {
      boolean last = i == segments.size() - 1;
      try (SegmentScanner scanner =
          SegmentScanner.open(
              storage, segments.get(i).name(), buffer, config.recordPayloadBytesMax())) {
        Invariants.check(scanner.readHeader(), "header checked before the scan");
        long first = segments.get(i).firstSequence();
        if (i == start
            && first == snapshotSequence + 1
            && scanner.headerPreviousChecksum() != snapshotChecksum) {
          throw new JournalCorruptException(
              new Corruption(
                  Corruption.Kind.SNAPSHOT_CHAIN_MISMATCH,
                  scanner.name(),
                  16,
                  first,
                  "segment names previous checksum "
                      + Format.hex(scanner.headerPreviousChecksum())
                      + " but snapshot at sequence "
                      + snapshotSequence
                      + " has chain checksum "
                      + Format.hex(snapshotChecksum)));
        }
        if (i > start) {
          checkContinues(scanner, first, scan);
        }
        scanRecords(scanner, last, snapshotSequence, snapshotChecksum);
        // Up to the end of the last complete batch; anything after it is cut below.
        scan.nextSequence = scanner.committedNextSequence();
        scan.lastChecksum = scanner.committedChecksum();
        scan.activeSize = scanner.committedOffset();
        if (scanner.committedOffset() < scanner.fileSize()) {
          Invariants.check(last, "only the last segment may end in a tail to cut");
          scan.truncateFile = scanner.name();
          scan.truncateBytes = scanner.fileSize() - scanner.committedOffset();
          scan.truncateRecords = scanner.openBatchRecords();
        }
      }
    }
    return scan;
  }

  private static void checkContinues(SegmentScanner scanner, long first, Scan scan)
      throws JournalCorruptException {
    if (first != scan.nextSequence) {
      throw new JournalCorruptException(
          new Corruption(
              Corruption.Kind.SEGMENT_DISCONTINUOUS,
              scanner.name(),
              0,
              scan.nextSequence,
              "segment starts at sequence "
                  + first
                  + " but the previous segment ends at "
                  + (scan.nextSequence - 1)));
    }
    if (scanner.headerPreviousChecksum() != scan.lastChecksum) {
      throw new JournalCorruptException(
          new Corruption(
              Corruption.Kind.CHAIN_BROKEN,
              scanner.name(),
              16,
              first,
              "segment names previous checksum "
                  + Format.hex(scanner.headerPreviousChecksum())
                  + " but the previous segment's last record has checksum "
                  + Format.hex(scan.lastChecksum)));
    }
  }

  /**
   * Scans to the end of the segment, or to a torn tail of the last one, throwing on corruption.
   * Leaves the scanner's committed position at the end of the last complete batch.
   */
  private void scanRecords(
      SegmentScanner scanner, boolean last, long snapshotSequence, int snapshotChecksum)
      throws IOException {
    // Bounded: every record takes at least a header's worth of the file.
    long stepsMax = scanner.fileSize() / Format.RECORD_HEADER_BYTES + 2;
    for (long step = 0; step < stepsMax; step++) {
      switch (scanner.next()) {
        case RECORD -> {
          if (scanner.sequence() == snapshotSequence
              && scanner.lastChecksum() != snapshotChecksum) {
            throw new JournalCorruptException(
                new Corruption(
                    Corruption.Kind.SNAPSHOT_CHAIN_MISMATCH,
                    scanner.name(),
                    scanner.recordOffset(),
                    snapshotSequence,
                    "record has checksum "
                        + Format.hex(scanner.lastChecksum())
                        + " but the snapshot at this sequence has chain checksum "
                        + Format.hex(snapshotChecksum)));
          }
        }
        case END -> {
          if (!last && scanner.batchOpen()) {
            throw new JournalCorruptException(scanner.incompleteBatch());
          }
          return;
        }
        case INVALID -> {
          Corruption failure = scanner.failure();
          if (!last || !scanner.failureMayBeTorn()) {
            throw new JournalCorruptException(failure);
          }
          TailSearch.Found found =
              TailSearch.find(
                  scanner.file(),
                  failure.offset() + 1,
                  scanner.fileSize(),
                  scanner.nextSequence() - 1,
                  config.recordPayloadBytesMax());
          if (found != null) {
            throw notTorn(failure, found);
          }
          return;
        }
      }
    }
    throw new IllegalStateException(
        "journal invariant broken: scan of " + scanner.name() + " did not end");
  }

  /** Cuts the last segment back to the end of its last complete batch and makes that durable. */
  private void truncate(Scan scan) throws IOException {
    try (StorageFile file = storage.open(scan.truncateFile)) {
      file.truncate(scan.activeSize);
      file.sync();
    }
    bytesTruncated += scan.truncateBytes;
    recordsDropped += scan.truncateRecords;
  }

  private static JournalCorruptException notTorn(Corruption failure, TailSearch.Found found) {
    return new JournalCorruptException(
        new Corruption(
            failure.kind(),
            failure.file(),
            failure.offset(),
            failure.sequence(),
            failure.detail()
                + "; not a torn tail: a valid record with sequence "
                + found.sequence()
                + " follows at byte offset "
                + found.offset()));
  }
}
