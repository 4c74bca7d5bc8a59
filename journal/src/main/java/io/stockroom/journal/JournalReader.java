package io.stockroom.journal;

import java.io.IOException;
import java.util.List;

/**
 * Reads records in sequence order, from a start sequence up to the last durable sequence at the
 * time the reader was created. Every record is checked (CRC32C, sequence, hash chain) as it is
 * read; damage surfaces as {@link JournalCorruptException}, never as a skipped record.
 *
 * <p>Never part of a batch: the last durable sequence only ever moves from one batch end to the
 * next, after the fsync, so a reader's range ends at a batch end even while another thread is in
 * the middle of an append (it reads none of that batch). The reader checks that its last record
 * does end a batch.
 *
 * <p>Cursor style to keep the per-record cost at one payload copy:
 *
 * <pre>{@code
 * try (JournalReader reader = journal.read(from)) {
 *   while (reader.next()) {
 *     apply(reader.sequence(), reader.payload());
 *   }
 * }
 * }</pre>
 *
 * A reader is used by one thread; any number of readers may run beside the writer. Starting in the
 * middle of a segment scans that segment from its start (there is no index yet). A segment retired
 * by a snapshot while a reader has yet to open it makes the reader fail with an IOException.
 */
public final class JournalReader implements AutoCloseable {

  private final Storage storage;
  private final List<SegmentRef> segments;
  private final long fromSequence;
  private final long toSequence;
  private final byte[] buffer;
  private final int payloadBytesMax;

  private int segmentIndex;
  private SegmentScanner scanner;
  private long expectedNextSequence;
  private int expectedChecksum;
  private long sequence;
  private boolean closed;

  JournalReader(
      Storage storage,
      List<SegmentRef> segments,
      long fromSequence,
      long toSequence,
      JournalConfig config) {
    this.storage = storage;
    this.segments = segments;
    this.fromSequence = fromSequence;
    this.toSequence = toSequence;
    this.buffer = new byte[config.readBufferBytes()];
    this.payloadBytesMax = config.recordPayloadBytesMax();
    this.sequence = fromSequence - 1;
    for (int i = 0; i < segments.size(); i++) {
      if (segments.get(i).firstSequence() <= fromSequence) {
        segmentIndex = i;
      }
    }
  }

  /**
   * Advances to the next record; false once the last durable sequence (at creation) was returned.
   */
  public boolean next() throws IOException {
    if (closed) {
      throw new IllegalStateException("reader is closed");
    }
    if (sequence >= toSequence) {
      return false;
    }
    // Bounded: each pass consumes a record or a segment, and there are finitely many of both.
    while (true) {
      if (scanner == null) {
        openSegment();
      }
      switch (scanner.next()) {
        case RECORD -> {
          if (scanner.sequence() >= fromSequence) {
            sequence = scanner.sequence();
            if (sequence == toSequence && !scanner.batchEnd()) {
              throw new JournalCorruptException(
                  new Corruption(
                      Corruption.Kind.BATCH_INCOMPLETE,
                      scanner.name(),
                      scanner.recordOffset(),
                      sequence,
                      "the last durable record does " + "not end a batch"));
            }
            return true;
          }
        }
        case END -> {
          expectedNextSequence = scanner.nextSequence();
          expectedChecksum = scanner.lastChecksum();
          scanner.close();
          scanner = null;
          segmentIndex++;
        }
        case INVALID -> throw new JournalCorruptException(scanner.failure());
      }
    }
  }

  private void openSegment() throws IOException {
    if (segmentIndex >= segments.size()) {
      throw new JournalCorruptException(
          new Corruption(
              Corruption.Kind.SEGMENT_DISCONTINUOUS,
              segments.isEmpty() ? "(no segments)" : segments.get(segments.size() - 1).name(),
              0,
              expectedNextSequence,
              "the log ends before durable sequence " + toSequence));
    }
    SegmentRef segment = segments.get(segmentIndex);
    scanner = SegmentScanner.open(storage, segment.name(), buffer, payloadBytesMax);
    if (!scanner.readHeader()) {
      throw new JournalCorruptException(scanner.failure());
    }
    boolean continuing = expectedNextSequence > 0;
    if (continuing
        && (segment.firstSequence() != expectedNextSequence
            || scanner.headerPreviousChecksum() != expectedChecksum)) {
      throw new JournalCorruptException(
          new Corruption(
              Corruption.Kind.SEGMENT_DISCONTINUOUS,
              segment.name(),
              0,
              expectedNextSequence,
              "segment header (first sequence "
                  + segment.firstSequence()
                  + ", previous checksum "
                  + Format.hex(scanner.headerPreviousChecksum())
                  + ") does not continue the previous segment (next sequence "
                  + expectedNextSequence
                  + ", checksum "
                  + Format.hex(expectedChecksum)
                  + ")"));
    }
  }

  /** Sequence of the current record. */
  public long sequence() {
    return sequence;
  }

  /** A fresh copy of the current record's payload. */
  public byte[] payload() {
    return scanner.payloadCopy();
  }

  /**
   * The current record's payload without a copy: a view of the reader's buffer, valid only until
   * the next {@link #next()} and never to be written to. Replay uses it to decode a million
   * records per second without a garbage array per record.
   */
  public java.nio.ByteBuffer payloadView() {
    return scanner.payloadView();
  }

  /**
   * The array the current record's payload lies in, from {@link #payloadOffset()} for {@link
   * #payloadLength()} bytes: the reader's own buffer, valid only until the next {@link #next()}
   * and never to be written to. Replay decodes through it without even a view object per record.
   */
  public byte[] payloadArray() {
    return scanner.buffer();
  }

  public int payloadOffset() {
    return scanner.payloadIndex();
  }

  public int payloadLength() {
    return scanner.payloadLength();
  }

  /** The last sequence this reader will return. */
  public long toSequence() {
    return toSequence;
  }

  @Override
  public void close() throws IOException {
    closed = true;
    if (scanner != null) {
      scanner.close();
      scanner = null;
    }
  }
}
