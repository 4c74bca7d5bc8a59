package io.stockroom.journal;

import static io.stockroom.journal.Fixtures.SMALL;
import static io.stockroom.journal.Fixtures.payload;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * Recovery on hostile bytes (Jazzer). The outcome of {@link Journal#open} is either a clean
 * recovery or a {@link JournalCorruptException}; nothing else may escape, and a clean recovery
 * never serves a byte that was not written:
 *
 * <ul>
 *   <li>{@code PrefixOnly}: every record read back is the record written at that sequence, and the
 *       recovered snapshot is one that was written;
 *   <li>{@code IntactIsKept}: an undamaged journal recovers whole; damage confined to the last
 *       segment from byte X loses at most the batches that end after X; a plain truncation (a
 *       torn write) always recovers, to exactly the last batch it left whole;
 *   <li>{@code RecoveryIsIdempotent}: after a clean recovery the journal appends, and a second
 *       open repairs nothing more.
 * </ul>
 *
 * <p>Without {@code JAZZER_FUZZ} the inputs under {@code src/test/resources/.../RecoveryFuzzTestInputs}
 * run as regression tests; with it, Jazzer fuzzes (docs/RELIABILITY.md).
 */
class RecoveryFuzzTest {

  private static final JournalConfig CONFIG = SMALL.withSnapshotsRetained(2);
  private static final int[] BATCH_SIZES = {1, 2, 3, 5, 8, 4};

  /** A valid journal: many small segments, snapshots at two sequences. Built once. */
  private static final Original ORIGINAL = Original.build();

  /** The valid journal every damaged input starts from, and what is known about it. */
  private record Original(Map<String, byte[]> files, Map<Long, String> snapshots,
      long lastSequence, String lastSegment, TreeMap<Integer, Long> lastSegmentBatchEnds) {

    static Original build() {
      try {
        FaultyStorage storage = new FaultyStorage(0);
        Map<Long, String> snapshots = new TreeMap<>();
        try (Journal journal = Journal.open(storage, CONFIG)) {
          for (int batch = 0; journal.lastSequence() < 250; batch++) {
            int size = BATCH_SIZES[batch % BATCH_SIZES.length];
            Fixtures.appendRecords(journal, size, size);
            long at = journal.lastSequence();
            if ((at >= 100 && snapshots.isEmpty()) || (at >= 200 && snapshots.size() == 1)) {
              String state = "state at " + at;
              journal.writeSnapshot(state.getBytes());
              snapshots.put(at, state);
            }
          }
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String name : storage.list().stream().sorted().toList()) {
          files.put(name, storage.contents(name));
        }
        String lastSegment = files.keySet().stream().filter(n -> n.endsWith(".log"))
            .reduce((a, b) -> b).orElseThrow();
        long lastSequence = 0;
        try (Journal journal = Journal.open(storage, CONFIG)) {
          lastSequence = journal.lastSequence();
        }
        return new Original(files, snapshots, lastSequence, lastSegment,
            batchEnds(files.get(lastSegment)));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** End offset of every batch in a segment, with the last sequence of that batch. */
    private static TreeMap<Integer, Long> batchEnds(byte[] segment) {
      TreeMap<Integer, Long> ends = new TreeMap<>();
      long sequence = Format.headerFirstSequence(segment, 0) - 1;
      ends.put(Format.SEGMENT_HEADER_BYTES, sequence);
      for (int at : Fixtures.recordOffsets(segment)) {
        sequence++;
        if ((Fixtures.flags(segment, at) & Format.FLAG_BATCH_END) != 0) {
          ends.put(at + Fixtures.recordBytes(segment, at), sequence);
        }
      }
      return ends;
    }

    /** The last sequence recovery must keep when the last segment is intact before byte X. */
    long keptBefore(int damagedFrom) {
      Map.Entry<Integer, Long> end = lastSegmentBatchEnds.floorEntry(damagedFrom);
      return end != null ? end.getValue()
          : Format.headerFirstSequence(files.get(lastSegment), 0) - 1;
    }
  }

  @FuzzTest(maxDuration = "2m")
  void damagedJournalRecoversAValidPrefixOrRefuses(FuzzedDataProvider data) throws IOException {
    Map<String, byte[]> files = new TreeMap<>();
    ORIGINAL.files().forEach((name, bytes) -> files.put(name, bytes.clone()));
    List<String> names = List.copyOf(files.keySet());
    int mutations = data.consumeInt(0, 6);
    for (int i = 0; i < mutations && data.remainingBytes() > 0; i++) {
      String name = names.get(data.consumeInt(0, names.size() - 1));
      if (files.containsKey(name)) {
        damage(files, name, data);
      }
    }
    Map<String, Integer> damagedFrom = damagedFrom(files);
    FaultyStorage storage = new FaultyStorage(0);
    files.forEach(storage::putFile);

    Journal journal;
    try {
      journal = Journal.open(storage, CONFIG);
    } catch (JournalCorruptException refused) {
      assertThat(damagedFrom).as("IntactIsKept: an undamaged journal opens, not %s", refused)
          .isNotEmpty();
      assertThat(isTornWrite(files, damagedFrom)).as("IntactIsKept: a torn write recovers,"
          + " not %s", refused).isFalse();
      return;
    }
    long last;
    try (journal) {
      last = journal.lastSequence();
      assertThat(last).as("PrefixOnly").isBetween(0L, ORIGINAL.lastSequence());
      journal.recoveredSnapshot().ifPresent(snapshot -> assertThat(new String(snapshot.state()))
          .as("PrefixOnly: the recovered snapshot is one that was written")
          .isEqualTo(ORIGINAL.snapshots().get(snapshot.sequence())));
      assertKept(damagedFrom, last, files);
      readBackMatchesWhatWasWritten(journal, last, storage);
      journal.append(last + 1, List.of(payload(last + 1)));
    }
    try (Journal reopened = Journal.open(storage, CONFIG)) {
      assertThat(reopened.lastSequence()).as("RecoveryIsIdempotent").isEqualTo(last + 1);
      assertThat(reopened.recoveryReport().bytesTruncated()).as("RecoveryIsIdempotent").isZero();
    }
  }

  /** One damage, chosen by the input, to one file (of the original names). */
  private static void damage(Map<String, byte[]> files, String name, FuzzedDataProvider data) {
    byte[] bytes = files.get(name);
    int at = bytes.length == 0 ? 0 : data.consumeInt(0, bytes.length - 1);
    switch (data.consumeInt(0, 7)) {
      case 0 -> { // bit flip
        if (bytes.length > 0) {
          bytes[at] ^= (byte) (1 << data.consumeInt(0, 7));
        }
      }
      case 1 -> { // one byte set
        if (bytes.length > 0) {
          bytes[at] = data.consumeByte();
        }
      }
      case 2 -> files.put(name, Arrays.copyOf(bytes, at)); // torn: cut short
      case 3 -> { // bytes of another file (or this one) copied over these: a misdirected write
        byte[] source = files.get(files.keySet().stream().toList()
            .get(data.consumeInt(0, files.size() - 1)));
        if (source.length > 0 && bytes.length > 0) {
          int from = data.consumeInt(0, source.length - 1);
          int length = Math.min(data.consumeInt(1, 256), Math.min(source.length - from,
              bytes.length - at));
          System.arraycopy(source, from, bytes, at, length);
        }
      }
      case 4 -> { // garbage appended
        byte[] tail = data.consumeBytes(data.consumeInt(1, 512));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + tail.length);
        System.arraycopy(tail, 0, longer, bytes.length, tail.length);
        files.put(name, longer);
      }
      case 5 -> files.remove(name); // lost file
      case 6 -> { // bytes inserted: everything after shifts
        byte[] inserted = data.consumeBytes(data.consumeInt(1, 64));
        byte[] longer = new byte[bytes.length + inserted.length];
        System.arraycopy(bytes, 0, longer, 0, at);
        System.arraycopy(inserted, 0, longer, at, inserted.length);
        System.arraycopy(bytes, at, longer, at + inserted.length, bytes.length - at);
        files.put(name, longer);
      }
      default -> Arrays.fill(bytes, at, Math.min(bytes.length, at + data.consumeInt(1, 4096)),
          (byte) 0); // zeroed pages
    }
  }

  /** Per damaged file, the first byte that differs from the original (0 for a lost file). */
  private static Map<String, Integer> damagedFrom(Map<String, byte[]> files) {
    Map<String, Integer> damaged = new TreeMap<>();
    ORIGINAL.files().forEach((name, original) -> {
      byte[] now = files.get(name);
      if (now == null) {
        damaged.put(name, 0);
      } else if (!Arrays.equals(now, original)) {
        int mismatch = Arrays.mismatch(now, original);
        damaged.put(name, mismatch);
      }
    });
    return damaged;
  }

  /** Only the last segment changed, and it is a strict prefix of what was written. */
  private static boolean isTornWrite(Map<String, byte[]> files, Map<String, Integer> damaged) {
    if (damaged.size() != 1 || !damaged.containsKey(ORIGINAL.lastSegment())) {
      return false;
    }
    byte[] now = files.get(ORIGINAL.lastSegment());
    return now != null && now.length == damaged.get(ORIGINAL.lastSegment());
  }

  private static void assertKept(Map<String, Integer> damaged, long last,
      Map<String, byte[]> files) {
    if (damaged.isEmpty() || damaged.keySet().stream().allMatch(n -> n.endsWith(".snapshot"))) {
      assertThat(last).as("IntactIsKept: the log was not damaged").isEqualTo(
          ORIGINAL.lastSequence());
    } else if (damaged.size() == 1 && damaged.containsKey(ORIGINAL.lastSegment())) {
      long kept = ORIGINAL.keptBefore(damaged.get(ORIGINAL.lastSegment()));
      if (isTornWrite(files, damaged)) {
        assertThat(last).as("IntactIsKept: a torn write keeps exactly the whole batches")
            .isEqualTo(kept);
      } else {
        assertThat(last).as("IntactIsKept: damage from byte %d of the last segment",
            damaged.get(ORIGINAL.lastSegment())).isGreaterThanOrEqualTo(kept);
      }
    }
  }

  /**
   * Reads every record still in the log. Damage in segments older than the snapshot is not
   * scanned at open (they are not replayed), so reading them may refuse; it may never serve them.
   */
  private static void readBackMatchesWhatWasWritten(Journal journal, long last,
      Storage storage) throws IOException {
    long expected = journal.firstSequence();
    try (JournalReader reader = journal.read(expected)) {
      while (reader.next()) {
        assertThat(reader.sequence()).as("PrefixOnly: gap-free").isEqualTo(expected);
        assertThat(reader.payload()).as("PrefixOnly: record %d as written", expected)
            .isEqualTo(payload(expected));
        expected++;
      }
    } catch (JournalCorruptException refused) {
      assertUnscannedAtOpen(journal, storage, refused);
      return;
    }
    assertThat(expected - 1).as("PrefixOnly: the reader reaches the recovered end").isEqualTo(last);
  }

  /**
   * Open scans only from the segment that holds the snapshot's successor; a reader may refuse
   * damage in the segments before it (they are never replayed), and only there.
   */
  private static void assertUnscannedAtOpen(Journal journal, Storage storage,
      JournalCorruptException refused) throws IOException {
    long resume = journal.recoveredSnapshot().map(Snapshot::sequence).orElse(0L) + 1;
    List<String> segments = storage.list().stream()
        .filter(name -> Format.sequenceOf(name, Format.SEGMENT_SUFFIX) >= 0).sorted().toList();
    String scannedFrom = segments.stream()
        .filter(name -> Format.sequenceOf(name, Format.SEGMENT_SUFFIX) <= resume)
        .reduce((a, b) -> b).orElse("");
    Corruption found = refused.corruption();
    boolean atTheSeam = found.file().equals(scannedFrom) && found.offset() == 0
        && found.kind() == Corruption.Kind.SEGMENT_DISCONTINUOUS;
    assertThat(found.file().compareTo(scannedFrom) < 0 || atTheSeam).as("damage a clean open"
        + " accepted must lie in a segment before %s, which open does not scan, or where the"
        + " scanned ones join them: %s", scannedFrom, refused).isTrue();
  }

  /**
   * Files made from the input alone: raw segment bytes, or a valid segment header followed by
   * records framed with valid checksums (so sequence, chain and batch checks see forged values),
   * and snapshot files. The journal must refuse them or recover them consistently.
   */
  @FuzzTest(maxDuration = "2m")
  void arbitraryFilesRecoverConsistentlyOrRefuse(FuzzedDataProvider data) throws IOException {
    FaultyStorage storage = new FaultyStorage(0);
    int count = data.consumeInt(1, 4);
    for (int i = 0; i < count; i++) {
      long first = data.consumeLong(0, 40);
      switch (data.consumeInt(0, 3)) {
        case 0 -> storage.putFile(Format.segmentName(first), data.consumeBytes(4096));
        case 1 -> storage.putFile(Format.segmentName(Math.max(1, first)),
            forgedSegment(Math.max(1, first), data));
        case 2 -> storage.putFile(Format.snapshotName(first), data.consumeBytes(256));
        default -> storage.putFile(Format.snapshotName(first), forgedSnapshot(first, data));
      }
    }

    long last;
    long first;
    try (Journal journal = Journal.open(storage, CONFIG)) {
      last = journal.lastSequence();
      first = journal.firstSequence();
      readBackIsGapFree(journal, last, storage);
      journal.append(last + 1, List.of(payload(last + 1)));
    } catch (JournalCorruptException refused) {
      return;
    }
    try (Journal reopened = Journal.open(storage, CONFIG)) {
      assertThat(reopened.lastSequence()).as("RecoveryIsIdempotent").isEqualTo(last + 1);
      assertThat(reopened.firstSequence()).as("RecoveryIsIdempotent").isEqualTo(first);
      assertThat(reopened.recoveryReport().bytesTruncated()).as("RecoveryIsIdempotent").isZero();
      assertThat(reopened.recoveryReport().recordsDropped()).as("RecoveryIsIdempotent").isZero();
    }
  }

  private static void readBackIsGapFree(Journal journal, long last, Storage storage)
      throws IOException {
    long expected = journal.firstSequence();
    try (JournalReader reader = journal.read(expected)) {
      while (reader.next()) {
        assertThat(reader.sequence()).isEqualTo(expected);
        expected++;
      }
    } catch (JournalCorruptException refused) {
      assertUnscannedAtOpen(journal, storage, refused);
      return;
    }
    assertThat(expected - 1).isEqualTo(last);
  }

  /** A valid header, then records whose fields the input picks, each with a matching CRC32C. */
  private static byte[] forgedSegment(long first, FuzzedDataProvider data) {
    CRC32C crc = new CRC32C();
    ByteBuffer out = ByteBuffer.allocate(64 * 1024);
    int previous = data.consumeBoolean() ? 0 : data.consumeInt();
    Format.putSegmentHeader(out, first, previous, crc);
    long sequence = first;
    int records = data.consumeInt(0, 12);
    for (int i = 0; i < records; i++) {
      byte[] payload = data.consumeBytes(data.consumeInt(0, 64));
      long carried = data.consumeBoolean() ? sequence : data.consumeLong();
      int link = data.consumeBoolean() ? previous : data.consumeInt();
      int flags = data.consumeBoolean() ? Format.FLAG_BATCH_START | Format.FLAG_BATCH_END
          : data.consumeInt(0, 255);
      int start = out.position();
      out.putInt(payload.length).putInt(0).putLong(carried).putInt(link).put((byte) flags)
          .put(payload);
      int checksum = Format.recordChecksum(crc, out.array(), start, payload.length);
      out.putInt(start + 4, data.consumeBoolean() ? checksum : data.consumeInt());
      previous = checksum;
      sequence++;
    }
    out.put(data.consumeBytes(data.consumeInt(0, 64)));
    return Arrays.copyOf(out.array(), out.position());
  }

  /** A snapshot file with a valid checksum around state bytes from the input. */
  private static byte[] forgedSnapshot(long sequence, FuzzedDataProvider data) {
    byte[] state = data.consumeBytes(data.consumeInt(0, 128));
    ByteBuffer file = ByteBuffer.allocate(Format.SNAPSHOT_HEADER_BYTES + state.length);
    file.putInt(Format.SNAPSHOT_MAGIC).putInt(Format.VERSION).putLong(sequence)
        .putInt(data.consumeInt()).putInt(state.length);
    CRC32C crc = new CRC32C();
    crc.update(file.array(), 0, 24);
    crc.update(state);
    file.putInt((int) crc.getValue()).put(state);
    return file.array();
  }
}
