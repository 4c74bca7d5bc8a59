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
 * @param bytesTruncated bytes of torn tail cut from the last segment (and torn new segments removed)
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
        List<String> filesDeleted,
        List<String> snapshotsSkipped,
        Duration duration) {

    public RecoveryReport {
        filesDeleted = List.copyOf(filesDeleted);
        snapshotsSkipped = List.copyOf(snapshotsSkipped);
    }
}
