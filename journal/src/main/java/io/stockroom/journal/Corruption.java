package io.stockroom.journal;

/**
 * One problem found in the journal's files, precise enough to find it with a hex editor.
 *
 * @param kind what is wrong
 * @param file the file name inside the journal directory
 * @param offset byte offset in that file where the problem starts
 * @param sequence the sequence expected at that point (0 when not meaningful)
 * @param detail what was found, in words
 */
public record Corruption(Kind kind, String file, long offset, long sequence, String detail) {

  public enum Kind {
    /**
     * A segment file is shorter than its header, or its magic, version or header checksum is wrong.
     */
    SEGMENT_HEADER_INVALID,
    /** A segment's header names another first sequence than its file name. */
    SEGMENT_NAME_MISMATCH,
    /**
     * A segment does not start where the previous one ended, or the log does not start where it
     * must.
     */
    SEGMENT_DISCONTINUOUS,
    /** A record header or payload runs past the end of a segment that is not the last one. */
    RECORD_TRUNCATED,
    /** A record's length field is outside the configured limit. */
    RECORD_LENGTH_INVALID,
    /** A record's CRC32C does not match its bytes. */
    RECORD_CHECKSUM_MISMATCH,
    /**
     * A record with a valid checksum carries another sequence than the next one (gap or duplicate).
     */
    SEQUENCE_DISCONTINUOUS,
    /** A record with a valid checksum names another previous checksum than its predecessor's. */
    CHAIN_BROKEN,
    /** A record with a valid checksum has flag bits this version does not define. */
    RECORD_FLAGS_INVALID,
    /**
     * A batch without its end record anywhere but the tail of the last segment: a later batch
     * starts while it is open, or the segment ends inside it and another segment follows; or a
     * record continues a batch whose start record is missing.
     */
    BATCH_INCOMPLETE,
    /** A snapshot file's magic, version, size, name or checksum is wrong. */
    SNAPSHOT_INVALID,
    /** A snapshot's chain checksum differs from the log's checksum at its sequence. */
    SNAPSHOT_CHAIN_MISMATCH,
    /** No usable snapshot is covered by the log (the records it would need were retired). */
    SNAPSHOT_NOT_COVERED,
    /**
     * The last segment ends in a torn record with nothing valid after it, or in a batch without its
     * end record; open would truncate it back to the end of the last complete batch.
     */
    TORN_TAIL
  }

  @Override
  public String toString() {
    return file
        + " at byte offset "
        + offset
        + (sequence > 0 ? " (expected sequence " + sequence + ")" : "")
        + ": "
        + kind
        + ": "
        + detail;
  }
}
