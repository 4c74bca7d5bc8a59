package io.stockroom.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Looks for any valid record after a bad one, at every byte offset. This is how recovery tells a
 * torn tail from corruption in the middle of the log.
 *
 * <p>Why every byte offset: a corrupt length field cannot be trusted to find the next record, so
 * following lengths would miss valid records after a damaged one and truncate acknowledged data. A
 * candidate must carry a later sequence than the last good record, a length within limits that fits
 * in the file, and a matching CRC32C; random bytes pass all three with odds near 2^-32 times the
 * tiny chance of a plausible sequence.
 */
final class TailSearch {

  private static final int WINDOW_BYTES_MIN = 64 << 10;

  /** A valid record found by the search. */
  record Found(long offset, long sequence) {}

  private TailSearch() {}

  /**
   * The first valid record starting at or after {@code from} with a sequence after {@code
   * afterSequence}, or null.
   */
  static Found find(
      StorageFile file, long from, long fileSize, long afterSequence, int payloadBytesMax)
      throws IOException {
    int window = Math.max(WINDOW_BYTES_MIN, Format.RECORD_HEADER_BYTES + payloadBytesMax);
    byte[] bytes = new byte[2 * window];
    ByteBuffer view = ByteBuffer.wrap(bytes);
    CRC32C crc = new CRC32C();
    // A later record can be at most this far ahead: every record takes at least a header.
    long sequenceMax = afterSequence + (fileSize - from) / Format.RECORD_HEADER_BYTES + 1;
    for (long start = from; start < fileSize; start += window) {
      int count = readFully(file, bytes, start, (int) Math.min(bytes.length, fileSize - start));
      int candidates = (int) Math.min(window, fileSize - start);
      for (int i = 0; i < candidates && i + Format.RECORD_HEADER_BYTES <= count; i++) {
        long sequence = view.getLong(i + 8);
        if (sequence <= afterSequence || sequence > sequenceMax) {
          continue;
        }
        int length = view.getInt(i);
        if (length < 0
            || length > payloadBytesMax
            || i + Format.RECORD_HEADER_BYTES + length > count) {
          continue;
        }
        if (view.getInt(i + 4) == Format.recordChecksum(crc, bytes, i, length)) {
          return new Found(start + i, sequence);
        }
      }
    }
    return null;
  }

  private static int readFully(StorageFile file, byte[] bytes, long position, int length)
      throws IOException {
    int done = 0;
    // Bounded: every pass reads at least one byte or leaves the loop.
    while (done < length) {
      int read = file.read(ByteBuffer.wrap(bytes, done, length - done), position + done);
      if (read <= 0) {
        break;
      }
      done += read;
    }
    return done;
  }
}
