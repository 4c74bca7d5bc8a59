package io.stockroom.journal;

import static io.stockroom.journal.Fixtures.SMALL;
import static io.stockroom.journal.Fixtures.appendPacked;
import static io.stockroom.journal.Fixtures.payload;
import static io.stockroom.journal.Fixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Journal#append(long, byte[], int[], int)}: the list append's bytes and rules. */
class JournalPackedAppendTest {

  /** One of the two append entries, taking the same payloads. */
  private interface Appender {
    void append(Journal journal, long firstSequence, List<byte[]> payloads) throws IOException;
  }

  private static final Appender LISTED = Journal::append;
  private static final Appender PACKED = Fixtures::appendPacked;

  /** Payloads for sequences {@code first ..}, of the given lengths. */
  private static List<byte[]> batch(long first, int... lengths) {
    List<byte[]> payloads = new ArrayList<>();
    for (int i = 0; i < lengths.length; i++) {
      payloads.add(payload(first + i, lengths[i]));
    }
    return payloads;
  }

  private static List<byte[]> batch(long first, int count) {
    List<byte[]> payloads = new ArrayList<>();
    for (long sequence = first; sequence < first + count; sequence++) {
      payloads.add(payload(sequence));
    }
    return payloads;
  }

  @Test
  void packedAppendWritesTheSameSegmentFilesAsTheListAppend(@TempDir Path directory)
      throws Exception {
    long seed = 7_340_981L;
    Random random = new Random(seed);
    Path listedDirectory = directory.resolve("listed");
    Path packedDirectory = directory.resolve("packed");
    // Batches up to 64 records of up to 1 KiB: past the 4 KiB write buffer, and some past a
    // segment, so the mid-batch flushes and the rolls are compared too.
    JournalConfig config = SMALL.withSegmentBytesMax(16 << 10);
    try (Journal listed = Journal.open(FileStorage.open(listedDirectory), config);
        Journal packed = Journal.open(FileStorage.open(packedDirectory), config)) {
      long next = 1;
      for (int round = 0; round < 60; round++) {
        int[] lengths = new int[1 + random.nextInt(config.batchRecordsMax())];
        for (int i = 0; i < lengths.length; i++) {
          int pick = random.nextInt(8);
          lengths[i] = pick == 0 ? 0 : pick == 1 ? 1024 : random.nextInt(300);
        }
        List<byte[]> payloads = batch(next, lengths);
        listed.append(next, payloads);
        appendPacked(packed, next, payloads);
        next += payloads.size();
      }
    }
    List<String> names = fileNames(listedDirectory);
    assertThat(names).as("seed %d", seed).hasSizeGreaterThan(3);
    assertThat(fileNames(packedDirectory)).as("seed %d", seed).isEqualTo(names);
    for (String name : names) {
      assertThat(Files.readAllBytes(packedDirectory.resolve(name)))
          .as("seed %d, %s", seed, name)
          .isEqualTo(Files.readAllBytes(listedDirectory.resolve(name)));
    }
  }

  private static List<String> fileNames(Path directory) throws IOException {
    try (var files = Files.list(directory)) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void packedBatchesReadBackThroughTheReaderBeforeAndAfterACrash() throws Exception {
    FaultyStorage storage = new FaultyStorage(21);
    List<byte[]> appended = new ArrayList<>();
    try (Journal journal = Journal.open(storage, SMALL)) {
      for (int round = 0; round < 30; round++) {
        long next = journal.lastSequence() + 1;
        List<byte[]> payloads = batch(next, 1 + round % 9);
        (round % 3 == 0 ? LISTED : PACKED).append(journal, next, payloads);
        appended.addAll(payloads);
      }
      assertThat(readAll(journal, 1)).containsExactlyElementsOf(appended);
    }
    storage.crash();
    try (Journal journal = Journal.open(storage, SMALL)) {
      assertThat(journal.lastSequence()).isEqualTo(appended.size());
      assertThat(readAll(journal, 1)).containsExactlyElementsOf(appended);
    }
    assertThat(Journal.verify(storage, SMALL).ok()).isTrue();
  }

  /** Payload i of a packed batch runs from ends[i - 1] (0 for the first) to ends[i] in data. */
  private record BadBatch(String what, long firstSequence, byte[] data, int[] ends, int count) {}

  @Test
  void packedAppendRefusesABadBatchWritesNothingAndStaysUsable() throws Exception {
    FaultyStorage storage = new FaultyStorage(22);
    byte[] tooMany = new byte[SMALL.batchRecordsMax() + 1];
    int[] tooManyEnds = new int[tooMany.length];
    for (int i = 0; i < tooManyEnds.length; i++) {
      tooManyEnds[i] = i + 1;
    }
    // Ten 900-byte payloads fill the 4 KiB write buffer twice before the bad eleventh.
    int[] lateBadEnds = new int[11];
    for (int i = 0; i < 10; i++) {
      lateBadEnds[i] = (i + 1) * 900;
    }
    lateBadEnds[10] = 9000 + 1;
    List<BadBatch> bad =
        List.of(
            new BadBatch("1 to 64 records: 0", 6, new byte[4], new int[] {4}, 0),
            new BadBatch("1 to 64 records: -1", 6, new byte[4], new int[] {4}, -1),
            new BadBatch("1 to 64 records: 65", 6, tooMany, tooManyEnds, tooMany.length),
            new BadBatch("payload 1 of the batch is 1025 bytes", 6, new byte[1026],
                new int[] {1, 1026}, 2),
            new BadBatch("must start at sequence 6: 7", 7, new byte[4], new int[] {4}, 1),
            new BadBatch("must start at sequence 6: 5", 5, new byte[4], new int[] {4}, 1),
            new BadBatch("payload 0 of the batch ends at -1", 6, new byte[4], new int[] {-1}, 1),
            new BadBatch("payload 1 of the batch ends at 3", 6, new byte[8], new int[] {5, 3}, 2),
            new BadBatch("payload 1 of the batch ends at 9", 6, new byte[8], new int[] {4, 9}, 2),
            new BadBatch("2 records but ends holds 1", 6, new byte[8], new int[] {4}, 2),
            new BadBatch("payload 10 of the batch ends at 9001", 6, new byte[9000], lateBadEnds,
                11));
    try (Journal journal = Journal.open(storage, SMALL)) {
      appendPacked(journal, 1, batch(1, 5));
      Map<String, String> before = contents(storage);
      for (BadBatch batch : bad) {
        assertThatThrownBy(
                () -> journal.append(batch.firstSequence(), batch.data(), batch.ends(),
                    batch.count()))
            .as(batch.what())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(batch.what());
        assertThat(contents(storage)).as(batch.what()).isEqualTo(before);
        assertThat(journal.lastSequence()).as(batch.what()).isEqualTo(5);
      }
      appendPacked(journal, 6, batch(6, 3));
      assertThat(readAll(journal, 1)).containsExactlyElementsOf(batch(1, 8));
    }
  }

  @Test
  void aFailedFsyncFailStopsThePackedAppendAsItDoesTheListAppend() throws Exception {
    // Failing at every batch position also fails batches that opened a new segment.
    for (int failAt = 1; failAt <= 12; failAt++) {
      Map<String, String> listed = afterAFailedFsync(LISTED, failAt);
      Map<String, String> packed = afterAFailedFsync(PACKED, failAt);
      assertThat(packed).as("failAt=%d", failAt).isEqualTo(listed);
    }
  }

  /**
   * Appends batches of 7 until the one at {@code failAt} meets a failed fsync, checks that the
   * journal stops for good and that a process restart finds exactly the acknowledged batches, and
   * returns the files as the failure left them.
   */
  private static Map<String, String> afterAFailedFsync(Appender appender, int failAt)
      throws Exception {
    FaultyStorage storage = new FaultyStorage(failAt);
    long acknowledged = 7L * (failAt - 1);
    try (Journal journal = Journal.open(storage, SMALL)) {
      for (long next = 1; next <= acknowledged; next += 7) {
        appender.append(journal, next, batch(next, 7));
      }
      storage.failNextSyncs(1);
      long first = acknowledged + 1;
      assertThatThrownBy(() -> appender.append(journal, first, batch(first, 7)))
          .isInstanceOf(JournalFailedException.class)
          .hasMessageContaining(first + ".." + (first + 6))
          .hasRootCauseMessage("simulated fsync failure (EIO)");
      // The next fsync would succeed, but the journal must not try; a failure outranks a bad batch.
      assertThatThrownBy(() -> appender.append(journal, first, batch(first, 7)))
          .isInstanceOf(JournalFailedException.class);
      assertThatThrownBy(() -> appender.append(journal, first, List.of()))
          .isInstanceOf(JournalFailedException.class);
      assertThatThrownBy(() -> journal.append(first, batch(first, 1)))
          .isInstanceOf(JournalFailedException.class);
      assertThat(journal.lastSequence()).isEqualTo(acknowledged);
    }
    Map<String, String> files = contents(storage);
    try (Journal reopened = Journal.open(storage, SMALL)) { // no crash: a process restart
      assertThat(reopened.lastSequence()).isEqualTo(acknowledged);
      assertThat(readAll(reopened, 1)).containsExactlyElementsOf(batch(1, (int) acknowledged));
      appender.append(reopened, acknowledged + 1, batch(acknowledged + 1, 3));
    }
    return files;
  }

  /** Every file's bytes, in hex so that maps of them compare by content. */
  private static Map<String, String> contents(FaultyStorage storage) throws IOException {
    Map<String, String> files = new TreeMap<>();
    for (String name : storage.list()) {
      files.put(name, HexFormat.of().formatHex(storage.contents(name)));
    }
    return files;
  }
}
