package io.stockroom.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Shared test helpers: deterministic payloads, bulk appends, reading back, forging records. */
final class Fixtures {

  /** Small segments so tests roll often; buffers just big enough for the largest record. */
  static final JournalConfig SMALL =
      JournalConfig.defaults()
          .withRecordPayloadBytesMax(1024)
          .withBufferBytes(4096, 4096)
          .withSegmentBytesMax(2048)
          .withBatchRecordsMax(64);

  private Fixtures() {}

  /** Payload for a sequence: its length and bytes both depend on it, so mix-ups show. */
  static byte[] payload(long sequence, int length) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (sequence * 31 + i * 7);
    }
    return bytes;
  }

  static byte[] payload(long sequence) {
    return payload(sequence, (int) (sequence % 50) + 10);
  }

  /** Appends records lastSequence+1 .. lastSequence+count in batches of {@code batch}. */
  static void appendRecords(Journal journal, int count, int batch) throws IOException {
    long next = journal.lastSequence() + 1;
    long end = next + count;
    while (next < end) {
      List<byte[]> payloads = new ArrayList<>();
      for (long s = next; s < Math.min(end, next + batch); s++) {
        payloads.add(payload(s));
      }
      journal.append(next, payloads);
      next += payloads.size();
    }
  }

  /**
   * Appends {@code payloads} through the packed entry: back to back in one array, with a junk byte
   * after them and a junk end after the last, which the journal must not read.
   */
  static void appendPacked(Journal journal, long firstSequence, List<byte[]> payloads)
      throws IOException {
    int[] ends = new int[payloads.size() + 1];
    int length = 0;
    for (int i = 0; i < payloads.size(); i++) {
      length += payloads.get(i).length;
      ends[i] = length;
    }
    ends[payloads.size()] = length + 1;
    byte[] data = new byte[length + 1];
    data[length] = (byte) 0xA5;
    for (int i = 0; i < payloads.size(); i++) {
      byte[] payload = payloads.get(i);
      System.arraycopy(payload, 0, data, ends[i] - payload.length, payload.length);
    }
    journal.append(firstSequence, data, ends, payloads.size());
  }

  static List<byte[]> readAll(Journal journal, long from) throws IOException {
    List<byte[]> payloads = new ArrayList<>();
    try (JournalReader reader = journal.read(from)) {
      long expected = from;
      while (reader.next()) {
        if (reader.sequence() != expected) {
          throw new AssertionError(
              "reader returned " + reader.sequence() + ", expected " + expected);
        }
        payloads.add(reader.payload());
        expected++;
      }
    }
    return payloads;
  }

  static List<String> segmentNames(FaultyStorage storage) throws IOException {
    return storage.list().stream().filter(n -> n.endsWith(".log")).sorted().toList();
  }

  /** Byte offsets of every record in a segment's bytes, in order. */
  static List<Integer> recordOffsets(byte[] segment) {
    List<Integer> offsets = new ArrayList<>();
    ByteBuffer view = ByteBuffer.wrap(segment);
    int offset = Format.SEGMENT_HEADER_BYTES;
    while (offset + Format.RECORD_HEADER_BYTES <= segment.length) {
      offsets.add(offset);
      offset += Format.RECORD_HEADER_BYTES + view.getInt(offset);
    }
    return offsets;
  }

  /**
   * One segment (large segment limit) holding batches of the given sizes, as the segment's bytes.
   */
  static byte[] segmentWithBatches(int... batchSizes) throws IOException {
    FaultyStorage storage = new FaultyStorage(0);
    JournalConfig config = SMALL.withSegmentBytesMax(1 << 20);
    try (Journal journal = Journal.open(storage, config)) {
      for (int size : batchSizes) {
        appendRecords(journal, size, size);
      }
    }
    return storage.contents(Format.segmentName(1));
  }

  static int recordBytes(byte[] segment, int offset) {
    return Format.RECORD_HEADER_BYTES + ByteBuffer.wrap(segment).getInt(offset);
  }

  static int flags(byte[] segment, int offset) {
    return segment[offset + Format.RECORD_FLAGS_OFFSET] & 0xff;
  }

  /**
   * Sets a record's flags, then re-forges the checksums and chain links of every record in the
   * segment, so the flags are the only thing wrong with it. Returns the last record's checksum.
   */
  static int forgeFlags(byte[] segment, int offset, int flags) {
    segment[offset + Format.RECORD_FLAGS_OFFSET] = (byte) flags;
    ByteBuffer view = ByteBuffer.wrap(segment);
    CRC32C crc = new CRC32C();
    int previous = Format.headerPreviousChecksum(segment, 0);
    for (int at : recordOffsets(segment)) {
      view.putInt(at + 16, previous);
      previous = Format.recordChecksum(crc, segment, at, view.getInt(at));
      view.putInt(at + 4, previous);
    }
    return previous;
  }

  /** Rewrites a segment header's previous checksum, with a header checksum that matches. */
  static void forgeHeaderPreviousChecksum(byte[] segment, int previousChecksum) {
    long first = Format.headerFirstSequence(segment, 0);
    Format.putSegmentHeader(ByteBuffer.wrap(segment), first, previousChecksum, new CRC32C());
  }

  /** Rewrites the record at {@code offset} with other fields but a checksum that matches them. */
  static void forgeRecord(byte[] segment, int offset, long sequence, int previousChecksum) {
    ByteBuffer view = ByteBuffer.wrap(segment);
    int length = view.getInt(offset);
    view.putLong(offset + 8, sequence).putInt(offset + 16, previousChecksum);
    view.putInt(offset + 4, Format.recordChecksum(new CRC32C(), segment, offset, length));
  }
}
