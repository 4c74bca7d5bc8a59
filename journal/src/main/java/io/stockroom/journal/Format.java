package io.stockroom.journal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The on-disk layout, in one place. All integers are big-endian.
 *
 * <pre>
 * segment file  NNNNNNNNNNNNNNNNNNNN.log   (N = first sequence, zero-padded to 20 digits)
 *   header, 24 bytes:
 *     magic           int   0x53544B4A "STKJ"
 *     version         int   1
 *     firstSequence   long  sequence of the first record in this file
 *     previousChecksum int  checksum of the record before firstSequence (0 before sequence 1)
 *     headerChecksum  int   CRC32C of the 20 bytes above
 *   records, back to back, 21-byte header then payload:
 *     length          int   payload length in bytes
 *     checksum        int   CRC32C of length, sequence, previousChecksum, flags and payload
 *     sequence        long  gap-free, starting at 1
 *     previousChecksum int  checksum of the record before (the hash chain)
 *     flags           byte  bit 0 BATCH_START: first record of an append batch
 *                           bit 1 BATCH_END: last record of an append batch
 *                           (a one-record batch has both; other bits are always 0)
 *     payload         length bytes, opaque
 *   batches: every record belongs to exactly one batch, which runs from a BATCH_START record to
 *   the next BATCH_END record, in one segment (a batch is never split across segments).
 *
 * snapshot file NNNNNNNNNNNNNNNNNNNN.snapshot (N = sequence of the last record it includes)
 *   magic int 0x53544B53 "STKS" | version int 1 | sequence long | chainChecksum int
 *   | payloadLength int | checksum int (CRC32C of the 24 bytes before it and the payload) | payload
 * in-progress snapshot: same name + ".tmp"; deleted at open.
 * </pre>
 *
 * <p>Why the length is inside the checksum: a flipped length bit must not make the record read as a
 * different, shorter record that happens to pass. Why the segment header repeats the previous
 * checksum: each segment can be checked on its own, and the chain survives retiring old segments.
 *
 * <p>Why batch flags: an append batch is the unit the layer above commits (one command's events and
 * its idempotency record), so recovery must keep all of a batch or none of it. A crash can persist
 * some complete records of the batch being written and not the rest; without an end marker those
 * records would look like a shorter, valid log. The end flag marks where a batch is complete; the
 * start flag lets a scan tell an unfinished batch followed by a later one (corruption) from one
 * long batch. Both are inside the checksum, so a torn or flipped flag fails the CRC.
 *
 * <p>Change history (the format is unreleased, so version 1 was changed in place): the flags byte
 * was added to the record header, growing it from 20 to 21 bytes.
 */
final class Format {

  static final int SEGMENT_MAGIC = 0x53544B4A;
  static final int SNAPSHOT_MAGIC = 0x53544B53;
  static final int VERSION = 1;

  static final int SEGMENT_HEADER_BYTES = 24;
  static final int RECORD_HEADER_BYTES = 21;

  /** Offset of the flags byte inside a record header. */
  static final int RECORD_FLAGS_OFFSET = 20;

  static final byte FLAG_BATCH_START = 1;
  static final byte FLAG_BATCH_END = 2;
  static final int FLAGS_KNOWN = FLAG_BATCH_START | FLAG_BATCH_END;
  static final int SNAPSHOT_HEADER_BYTES = 28;

  static final String SEGMENT_SUFFIX = ".log";
  static final String SNAPSHOT_SUFFIX = ".snapshot";
  static final String TEMPORARY_SUFFIX = ".tmp";
  static final String CORRUPT_SUFFIX = ".corrupt";
  private static final int SEQUENCE_DIGITS = 20;

  private Format() {}

  static String segmentName(long firstSequence) {
    return padded(firstSequence) + SEGMENT_SUFFIX;
  }

  static String snapshotName(long sequence) {
    return padded(sequence) + SNAPSHOT_SUFFIX;
  }

  private static String padded(long sequence) {
    Invariants.check(sequence >= 0, "sequence must be >= 0");
    String digits = Long.toString(sequence);
    return "0".repeat(SEQUENCE_DIGITS - digits.length()) + digits;
  }

  /** The sequence a segment or snapshot file is named after, or -1 if the name is not one. */
  static long sequenceOf(String name, String suffix) {
    if (name.length() != SEQUENCE_DIGITS + suffix.length() || !name.endsWith(suffix)) {
      return -1;
    }
    long value = 0;
    for (int i = 0; i < SEQUENCE_DIGITS; i++) {
      char c = name.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      int digit = c - '0';
      if (value > (Long.MAX_VALUE - digit) / 10) {
        return -1;
      }
      value = value * 10 + digit;
    }
    return value;
  }

  static void putSegmentHeader(
      ByteBuffer target, long firstSequence, int previousChecksum, CRC32C crc) {
    int start = target.position();
    target.putInt(SEGMENT_MAGIC).putInt(VERSION).putLong(firstSequence).putInt(previousChecksum);
    crc.reset();
    crc.update(target.duplicate().position(start).limit(start + 20));
    target.putInt((int) crc.getValue());
  }

  /**
   * Checks a segment header at {@code offset} of {@code bytes}; returns null if valid, else what is
   * wrong.
   */
  static String segmentHeaderProblem(byte[] bytes, int offset, CRC32C crc) {
    ByteBuffer view = ByteBuffer.wrap(bytes);
    crc.reset();
    crc.update(bytes, offset, 20);
    int stored = view.getInt(offset + 20);
    if ((int) crc.getValue() != stored) {
      return "header checksum mismatch: stored "
          + hex(stored)
          + ", computed "
          + hex((int) crc.getValue());
    }
    if (view.getInt(offset) != SEGMENT_MAGIC) {
      return "bad magic " + hex(view.getInt(offset));
    }
    if (view.getInt(offset + 4) != VERSION) {
      return "unsupported version " + view.getInt(offset + 4);
    }
    return null;
  }

  static boolean segmentHeaderChecksumMatches(byte[] bytes, int offset, CRC32C crc) {
    crc.reset();
    crc.update(bytes, offset, 20);
    return (int) crc.getValue() == ByteBuffer.wrap(bytes).getInt(offset + 20);
  }

  static long headerFirstSequence(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes).getLong(offset + 8);
  }

  static int headerPreviousChecksum(byte[] bytes, int offset) {
    return ByteBuffer.wrap(bytes).getInt(offset + 16);
  }

  /**
   * CRC32C of a record laid out at {@code offset} in {@code bytes} with a payload of {@code
   * length}.
   */
  static int recordChecksum(CRC32C crc, byte[] bytes, int offset, int length) {
    crc.reset();
    crc.update(bytes, offset, 4);
    crc.update(bytes, offset + 8, RECORD_HEADER_BYTES - 8 + length);
    return (int) crc.getValue();
  }

  /** The flags of a record in a batch of {@code count} records, at {@code index} (0-based). */
  static byte batchFlags(int index, int count) {
    int flags = (index == 0 ? FLAG_BATCH_START : 0) | (index == count - 1 ? FLAG_BATCH_END : 0);
    return (byte) flags;
  }

  static String hex(int value) {
    return String.format("0x%08x", value);
  }
}
