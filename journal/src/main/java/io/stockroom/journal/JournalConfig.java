package io.stockroom.journal;

/**
 * The journal's limits. Checked on construction; a bad value is refused with a message naming it,
 * never clamped.
 *
 * @param segmentBytesMax a segment is rolled before a batch that would take it past this size
 *     (bytes, default 64 MiB). The check is made at batch boundaries, so a batch is never split
 *     across segments; a single batch larger than this gets a segment of its own.
 * @param batchRecordsMax most records one {@link Journal#append} may carry (default 8,192)
 * @param recordPayloadBytesMax largest payload of one record (bytes, default 64 KiB)
 * @param writeBufferBytes size of the reused direct buffer a batch is encoded into; a batch larger
 *     than this is written in several writes, still with one fsync (bytes, default 1 MiB; must hold
 *     one segment header plus one largest record)
 * @param readBufferBytes size of each reader's bulk read buffer (bytes, default 1 MiB; must hold
 *     one largest record)
 * @param snapshotsRetained how many newest snapshots are kept, together with the segments needed to
 *     replay from the oldest of them (default 2, so a corrupt newest snapshot can fall back)
 * @param snapshotBytesMax largest snapshot state blob (bytes, default 256 MiB)
 */
public record JournalConfig(
    long segmentBytesMax,
    int batchRecordsMax,
    int recordPayloadBytesMax,
    int writeBufferBytes,
    int readBufferBytes,
    int snapshotsRetained,
    int snapshotBytesMax) {

  static final long SEGMENT_BYTES_MIN = 1024;
  static final long SEGMENT_BYTES_LIMIT = 1L << 40;
  static final int BATCH_RECORDS_LIMIT = 1 << 20;
  static final int RECORD_PAYLOAD_BYTES_LIMIT = 16 << 20;
  static final int BUFFER_BYTES_LIMIT = 256 << 20;
  static final int SNAPSHOTS_RETAINED_LIMIT = 100;
  static final int SNAPSHOT_BYTES_LIMIT = Integer.MAX_VALUE - 1024;

  public JournalConfig {
    require(
        segmentBytesMax >= SEGMENT_BYTES_MIN && segmentBytesMax <= SEGMENT_BYTES_LIMIT,
        "segmentBytesMax must be in ["
            + SEGMENT_BYTES_MIN
            + ", "
            + SEGMENT_BYTES_LIMIT
            + "]: "
            + segmentBytesMax);
    require(
        batchRecordsMax >= 1 && batchRecordsMax <= BATCH_RECORDS_LIMIT,
        "batchRecordsMax must be in [1, " + BATCH_RECORDS_LIMIT + "]: " + batchRecordsMax);
    require(
        recordPayloadBytesMax >= 0 && recordPayloadBytesMax <= RECORD_PAYLOAD_BYTES_LIMIT,
        "recordPayloadBytesMax must be in [0, "
            + RECORD_PAYLOAD_BYTES_LIMIT
            + "]: "
            + recordPayloadBytesMax);
    long recordBytesMax = (long) Format.RECORD_HEADER_BYTES + recordPayloadBytesMax;
    require(
        writeBufferBytes >= Format.SEGMENT_HEADER_BYTES + recordBytesMax
            && writeBufferBytes <= BUFFER_BYTES_LIMIT,
        "writeBufferBytes must be in [segment header + largest record = "
            + (Format.SEGMENT_HEADER_BYTES + recordBytesMax)
            + ", "
            + BUFFER_BYTES_LIMIT
            + "]: "
            + writeBufferBytes);
    require(
        readBufferBytes >= Math.max(recordBytesMax, Format.SEGMENT_HEADER_BYTES)
            && readBufferBytes <= BUFFER_BYTES_LIMIT,
        "readBufferBytes must be in [largest record = "
            + recordBytesMax
            + ", "
            + BUFFER_BYTES_LIMIT
            + "]: "
            + readBufferBytes);
    require(
        snapshotsRetained >= 1 && snapshotsRetained <= SNAPSHOTS_RETAINED_LIMIT,
        "snapshotsRetained must be in [1, " + SNAPSHOTS_RETAINED_LIMIT + "]: " + snapshotsRetained);
    require(
        snapshotBytesMax >= 0 && snapshotBytesMax <= SNAPSHOT_BYTES_LIMIT,
        "snapshotBytesMax must be in [0, " + SNAPSHOT_BYTES_LIMIT + "]: " + snapshotBytesMax);
  }

  /** The defaults documented on each component. */
  public static JournalConfig defaults() {
    return new JournalConfig(64L << 20, 8192, 64 << 10, 1 << 20, 1 << 20, 2, 256 << 20);
  }

  public JournalConfig withSegmentBytesMax(long value) {
    return new JournalConfig(
        value,
        batchRecordsMax,
        recordPayloadBytesMax,
        writeBufferBytes,
        readBufferBytes,
        snapshotsRetained,
        snapshotBytesMax);
  }

  public JournalConfig withBatchRecordsMax(int value) {
    return new JournalConfig(
        segmentBytesMax,
        value,
        recordPayloadBytesMax,
        writeBufferBytes,
        readBufferBytes,
        snapshotsRetained,
        snapshotBytesMax);
  }

  public JournalConfig withRecordPayloadBytesMax(int value) {
    return new JournalConfig(
        segmentBytesMax,
        batchRecordsMax,
        value,
        writeBufferBytes,
        readBufferBytes,
        snapshotsRetained,
        snapshotBytesMax);
  }

  public JournalConfig withBufferBytes(int write, int read) {
    return new JournalConfig(
        segmentBytesMax,
        batchRecordsMax,
        recordPayloadBytesMax,
        write,
        read,
        snapshotsRetained,
        snapshotBytesMax);
  }

  public JournalConfig withSnapshotsRetained(int value) {
    return new JournalConfig(
        segmentBytesMax,
        batchRecordsMax,
        recordPayloadBytesMax,
        writeBufferBytes,
        readBufferBytes,
        value,
        snapshotBytesMax);
  }

  int recordBytesMax() {
    return Format.RECORD_HEADER_BYTES + recordPayloadBytesMax;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
