package io.stockroom.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/** Shared test helpers: deterministic payloads, bulk appends, reading back, forging records. */
final class Fixtures {

    /** Small segments so tests roll often; buffers just big enough for the largest record. */
    static final JournalConfig SMALL = JournalConfig.defaults()
            .withRecordPayloadBytesMax(1024)
            .withBufferBytes(4096, 4096)
            .withSegmentBytesMax(2048)
            .withBatchRecordsMax(64);

    private Fixtures() {
    }

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

    static List<byte[]> readAll(Journal journal, long from) throws IOException {
        List<byte[]> payloads = new ArrayList<>();
        try (JournalReader reader = journal.read(from)) {
            long expected = from;
            while (reader.next()) {
                if (reader.sequence() != expected) {
                    throw new AssertionError("reader returned " + reader.sequence() + ", expected " + expected);
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

    /** Rewrites the record at {@code offset} with other fields but a checksum that matches them. */
    static void forgeRecord(byte[] segment, int offset, long sequence, int previousChecksum) {
        ByteBuffer view = ByteBuffer.wrap(segment);
        int length = view.getInt(offset);
        view.putLong(offset + 8, sequence).putInt(offset + 16, previousChecksum);
        view.putInt(offset + 4, Format.recordChecksum(new CRC32C(), segment, offset, length));
    }
}
