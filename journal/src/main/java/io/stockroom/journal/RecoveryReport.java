package io.stockroom.journal;

import java.time.Duration;
import java.util.List;

/**
 * What {@link Journal#open} found and repaired. Log it at startup.
 *
 * @param snapshotSequence sequence of the snapshot recovery starts from (0: none, replay from 1)
 * @param firstSequence oldest sequence still readable from the log
 * @param lastSequence last durable sequence after recovery (0: empty journal)
 * @param recordsRecovered records after the snapshot, checked and ready to replay
 * @param bytesTruncated bytes cut from the end of the last segment (a torn record, and the complete
 *     records of the unfinished batch before it), plus the bytes of torn new segments removed
 * @param recordsDropped complete, valid records cut because their batch has no batch-end record
 *     (the batch a crash interrupted; batches are recovered whole or not at all). Their bytes are
 *     included in bytesTruncated
 * @param filesDeleted leftover temporary files, torn new segments and stale snapshots removed
 * @param snapshotsSkipped newer snapshots that could not be used, each with the reason (renamed to
 *     {@code .corrupt} when invalid)
 * @param duration wall time spent recovering
 */
public record RecoveryReport(
    long snapshotSequence,
    long firstSequence,
    long lastSequence,
    long recordsRecovered,
    long bytesTruncated,
    long recordsDropped,
    List<String> filesDeleted,
    List<String> snapshotsSkipped,
    Duration duration) {

  public RecoveryReport {
    filesDeleted = List.copyOf(filesDeleted);
    snapshotsSkipped = List.copyOf(snapshotsSkipped);
  }
}
