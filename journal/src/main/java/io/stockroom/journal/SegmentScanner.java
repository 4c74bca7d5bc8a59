package io.stockroom.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * Reads one segment file front to back with large buffered reads and checks every record as it
 * goes: framing, CRC32C, sequence continuity and the hash chain. Recovery, verify and readers all
 * use it, so there is one parser and one notion of "valid".
 *
 * <p>Why one buffer refilled in bulk: a syscall per record would cap replay far below a million
 * records per second. The buffer is at least one largest record, so a record always fits.
 *
 * <p>It also tracks batches: the <em>committed</em> position is the end of the last record that
 * ended a batch (or the end of the header). Records past it belong to a batch whose end has not
 * been seen; what that means (torn tail or corruption) is for the caller to decide, because only it
 * knows whether this is the last segment.
 */
final class SegmentScanner implements AutoCloseable {

  enum Step {
    RECORD,
    END,
    INVALID
  }

  private final StorageFile file;
  private final String name;
  private final long fileSize;
  private final byte[] buffer;
  private final ByteBuffer view;
  private final CRC32C crc = new CRC32C();
  private final int payloadBytesMax;

  /** File offset of buffer[0]. */
  private long bufferStart;

  /** Number of valid bytes in the buffer. */
  private int bufferLimit;

  /** Buffer index of the next unread byte. */
  private int cursor;

  private long nextSequence;
  private int lastChecksum;
  private int headerPreviousChecksum;

  /**
   * Offset just after the last batch-end record (or the header): where the last complete batch
   * ends.
   */
  private long committedOffset;

  private long committedNextSequence;
  private int committedChecksum;

  private long recordOffset;
  private long sequence;
  private int payloadIndex;
  private int payloadLength;
  private boolean batchEnd;

  private Corruption failure;
  private boolean failureMayBeTorn;

  SegmentScanner(StorageFile file, String name, long fileSize, byte[] buffer, int payloadBytesMax) {
    Invariants.check(
        buffer.length >= Format.RECORD_HEADER_BYTES + payloadBytesMax,
        "read buffer holds a record");
    this.file = file;
    this.name = name;
    this.fileSize = fileSize;
    this.buffer = buffer;
    this.view = ByteBuffer.wrap(buffer);
    this.payloadBytesMax = payloadBytesMax;
  }

  static SegmentScanner open(Storage storage, String name, byte[] buffer, int payloadBytesMax)
      throws IOException {
    StorageFile file = storage.open(name);
    try {
      return new SegmentScanner(file, name, file.size(), buffer, payloadBytesMax);
    } catch (IOException | RuntimeException e) {
      file.close();
      throw e;
    }
  }

  /**
   * Reads and checks the header, including that it names the same first sequence as the file.
   *
   * @return true if valid; otherwise {@link #failure()} says why
   */
  boolean readHeader() throws IOException {
    long named = Format.sequenceOf(name, Format.SEGMENT_SUFFIX);
    if (!ensure(Format.SEGMENT_HEADER_BYTES)) {
      return fail(
          Corruption.Kind.SEGMENT_HEADER_INVALID,
          0,
          named,
          "file has "
              + fileSize
              + " bytes, shorter than the "
              + Format.SEGMENT_HEADER_BYTES
              + "-byte header",
          true);
    }
    String problem = Format.segmentHeaderProblem(buffer, cursor, crc);
    if (problem != null) {
      // Only a checksum mismatch can be a write cut short. A header whose checksum holds but
      // whose magic or version is foreign was written whole by something else (another format
      // version): deleting it as torn would lose data, so it is corruption to stop at.
      boolean mayBeTorn = !Format.segmentHeaderChecksumMatches(buffer, cursor, crc);
      return fail(Corruption.Kind.SEGMENT_HEADER_INVALID, 0, named, problem, mayBeTorn);
    }
    long first = Format.headerFirstSequence(buffer, cursor);
    if (first != named || first < 1) {
      return fail(
          Corruption.Kind.SEGMENT_NAME_MISMATCH,
          0,
          named,
          "header says first sequence " + first + " but the file name says " + named,
          false);
    }
    nextSequence = first;
    headerPreviousChecksum = Format.headerPreviousChecksum(buffer, cursor);
    lastChecksum = headerPreviousChecksum;
    cursor += Format.SEGMENT_HEADER_BYTES;
    commit();
    return true;
  }

  /** Parses the next record: RECORD (accessors valid), END (clean end of file) or INVALID. */
  Step next() throws IOException {
    long offset = offset();
    if (offset == fileSize) {
      return Step.END;
    }
    if (!ensure(Format.RECORD_HEADER_BYTES)) {
      fail(
          Corruption.Kind.RECORD_TRUNCATED,
          offset,
          nextSequence,
          "only "
              + (fileSize - offset)
              + " bytes left, a record header needs "
              + Format.RECORD_HEADER_BYTES,
          true);
      return Step.INVALID;
    }
    int length = view.getInt(cursor);
    if (length < 0 || length > payloadBytesMax) {
      fail(
          Corruption.Kind.RECORD_LENGTH_INVALID,
          offset,
          nextSequence,
          "length " + length + " outside [0, " + payloadBytesMax + "]",
          true);
      return Step.INVALID;
    }
    if (!ensure(Format.RECORD_HEADER_BYTES + length)) {
      fail(
          Corruption.Kind.RECORD_TRUNCATED,
          offset,
          nextSequence,
          "record of "
              + (Format.RECORD_HEADER_BYTES + length)
              + " bytes but only "
              + (fileSize - offset)
              + " bytes left in the file",
          true);
      return Step.INVALID;
    }
    int stored = view.getInt(cursor + 4);
    int computed = Format.recordChecksum(crc, buffer, cursor, length);
    if (stored != computed) {
      fail(
          Corruption.Kind.RECORD_CHECKSUM_MISMATCH,
          offset,
          nextSequence,
          "stored checksum " + Format.hex(stored) + ", computed " + Format.hex(computed),
          true);
      return Step.INVALID;
    }
    long found = view.getLong(cursor + 8);
    if (found != nextSequence) {
      fail(
          Corruption.Kind.SEQUENCE_DISCONTINUOUS,
          offset,
          nextSequence,
          "record carries sequence "
              + found
              + (found < nextSequence ? " (duplicate or out of order)" : " (gap)"),
          false);
      return Step.INVALID;
    }
    int previous = view.getInt(cursor + 16);
    if (previous != lastChecksum) {
      fail(
          Corruption.Kind.CHAIN_BROKEN,
          offset,
          nextSequence,
          "record names previous checksum "
              + Format.hex(previous)
              + " but the record before it has checksum "
              + Format.hex(lastChecksum),
          false);
      return Step.INVALID;
    }
    int flags = buffer[cursor + Format.RECORD_FLAGS_OFFSET] & 0xff;
    if (!checkBatchFlags(flags, offset)) {
      return Step.INVALID;
    }
    recordOffset = offset;
    sequence = found;
    payloadIndex = cursor + Format.RECORD_HEADER_BYTES;
    payloadLength = length;
    batchEnd = (flags & Format.FLAG_BATCH_END) != 0;
    lastChecksum = stored;
    nextSequence = found + 1;
    cursor += Format.RECORD_HEADER_BYTES + length;
    if (batchEnd) {
      commit();
    }
    return Step.RECORD;
  }

  /** A valid record's flags must be known and must open a batch exactly when none is open. */
  private boolean checkBatchFlags(int flags, long offset) {
    if ((flags & ~Format.FLAGS_KNOWN) != 0) {
      return fail(
          Corruption.Kind.RECORD_FLAGS_INVALID,
          offset,
          nextSequence,
          "record has unknown flags " + Format.hex(flags),
          false);
    }
    boolean starts = (flags & Format.FLAG_BATCH_START) != 0;
    if (starts && batchOpen()) {
      return fail(
          Corruption.Kind.BATCH_INCOMPLETE,
          committedOffset,
          committedNextSequence,
          openBatchDescription()
              + ", yet a new batch starts at sequence "
              + nextSequence
              + " at byte offset "
              + offset,
          false);
    }
    if (!starts && !batchOpen()) {
      return fail(
          Corruption.Kind.BATCH_INCOMPLETE,
          offset,
          nextSequence,
          "record continues a batch whose start is missing (the record before it ended a batch, or"
              + " it is the first in the segment)",
          false);
    }
    return true;
  }

  private void commit() {
    committedOffset = offset();
    committedNextSequence = nextSequence;
    committedChecksum = lastChecksum;
  }

  /** True if records were read past the last batch end (a batch whose end has not been seen). */
  boolean batchOpen() {
    return nextSequence != committedNextSequence;
  }

  /** Records read past the last batch end. */
  long openBatchRecords() {
    return nextSequence - committedNextSequence;
  }

  /** The open batch as a corruption: for a segment that ends inside a batch and is not the last. */
  Corruption incompleteBatch() {
    Invariants.check(batchOpen(), "a batch is open");
    return new Corruption(
        Corruption.Kind.BATCH_INCOMPLETE,
        name,
        committedOffset,
        committedNextSequence,
        openBatchDescription() + " and the segment ends there");
  }

  private String openBatchDescription() {
    return "records "
        + committedNextSequence
        + ".."
        + (nextSequence - 1)
        + " from byte offset "
        + committedOffset
        + " have no batch-end record";
  }

  /** Makes at least {@code count} bytes from the cursor available; false if the file ends first. */
  private boolean ensure(int count) throws IOException {
    if (bufferLimit - cursor >= count) {
      return true;
    }
    int remaining = bufferLimit - cursor;
    System.arraycopy(buffer, cursor, buffer, 0, remaining);
    bufferStart += cursor;
    cursor = 0;
    bufferLimit = remaining;
    // Bounded: every pass reads at least one byte or leaves the loop.
    while (bufferLimit < buffer.length && bufferStart + bufferLimit < fileSize) {
      int want = (int) Math.min(buffer.length - bufferLimit, fileSize - bufferStart - bufferLimit);
      int read = file.read(ByteBuffer.wrap(buffer, bufferLimit, want), bufferStart + bufferLimit);
      if (read <= 0) {
        break;
      }
      bufferLimit += read;
    }
    return bufferLimit >= count;
  }

  private boolean fail(
      Corruption.Kind kind, long offset, long expectedSequence, String detail, boolean mayBeTorn) {
    failure = new Corruption(kind, name, offset, Math.max(0, expectedSequence), detail);
    failureMayBeTorn = mayBeTorn;
    return false;
  }

  String name() {
    return name;
  }

  long fileSize() {
    return fileSize;
  }

  /** Offset of the next unread byte: after a RECORD, the end of that record. */
  long offset() {
    return bufferStart + cursor;
  }

  long nextSequence() {
    return nextSequence;
  }

  int lastChecksum() {
    return lastChecksum;
  }

  int headerPreviousChecksum() {
    return headerPreviousChecksum;
  }

  long recordOffset() {
    return recordOffset;
  }

  long sequence() {
    return sequence;
  }

  int payloadLength() {
    return payloadLength;
  }

  /** True if the current record is the last of its batch. */
  boolean batchEnd() {
    return batchEnd;
  }

  /** Offset just after the last complete batch (the header's end if there is none). */
  long committedOffset() {
    return committedOffset;
  }

  /** The sequence after the last complete batch. */
  long committedNextSequence() {
    return committedNextSequence;
  }

  /**
   * The checksum of the last record of the last complete batch (the header's previous checksum if
   * none).
   */
  int committedChecksum() {
    return committedChecksum;
  }

  byte[] payloadCopy() {
    return Arrays.copyOfRange(buffer, payloadIndex, payloadIndex + payloadLength);
  }

  byte[] buffer() {
    return buffer;
  }

  int payloadIndex() {
    return payloadIndex;
  }

  java.nio.ByteBuffer payloadView() {
    return java.nio.ByteBuffer.wrap(buffer, payloadIndex, payloadLength).slice();
  }

  Corruption failure() {
    return failure;
  }

  /**
   * True if the failure could be a write cut short by a crash (as opposed to a valid record that is
   * wrong).
   */
  boolean failureMayBeTorn() {
    return failureMayBeTorn;
  }

  StorageFile file() {
    return file;
  }

  @Override
  public void close() throws IOException {
    file.close();
  }
}
