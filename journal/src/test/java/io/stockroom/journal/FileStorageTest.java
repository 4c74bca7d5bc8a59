package io.stockroom.journal;

import static io.stockroom.journal.Fixtures.appendRecords;
import static io.stockroom.journal.Fixtures.payload;
import static io.stockroom.journal.Fixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStorageTest {

  private static final JournalConfig CONFIG = Fixtures.SMALL.withSegmentBytesMax(64 << 10);

  @Test
  void journalOnRealFilesRoundTripsRollsSnapshotsAndVerifies(@TempDir Path directory)
      throws Exception {
    FileStorage storage = FileStorage.open(directory.resolve("journal"));
    try (Journal journal = Journal.open(storage, CONFIG)) {
      appendRecords(journal, 3000, 64);
      journal.writeSnapshot("state".getBytes());
      appendRecords(journal, 100, 64);
    }
    try (Journal journal = Journal.open(storage, CONFIG)) {
      assertThat(journal.lastSequence()).isEqualTo(3100);
      assertThat(journal.recoveredSnapshot().orElseThrow().sequence()).isEqualTo(3000);
      List<byte[]> tail = readAll(journal, 3001);
      assertThat(tail).hasSize(100);
      assertThat(tail.get(99)).isEqualTo(payload(3100));
    }
    // Segments only the snapshot needed were retired; the snapshot file shows its sequence.
    assertThat(storage.list())
        .contains("00000000000000003000.snapshot")
        .noneMatch(n -> n.endsWith(".tmp"));
    assertThat(storage.list()).doesNotContain("00000000000000000001.log");
    assertThat(Journal.verify(storage, CONFIG).ok()).isTrue();
  }

  @Test
  void tornTailOnARealFileIsTruncatedAndReported(@TempDir Path directory) throws Exception {
    FileStorage storage = FileStorage.open(directory);
    try (Journal journal = Journal.open(storage, CONFIG)) {
      appendRecords(journal, 5, 5);
      appendRecords(journal, 5, 5);
    }
    Path segment = directory.resolve("00000000000000000001.log");
    long size = Files.size(segment);
    try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      channel.truncate(size - 7);
    }
    long secondBatchBytes = 0;
    for (int sequence = 6; sequence <= 10; sequence++) {
      secondBatchBytes += Format.RECORD_HEADER_BYTES + payload(sequence).length;
    }
    try (Journal journal = Journal.open(storage, CONFIG)) {
      // Records 6..9 are complete, but their batch is not: none of them is kept.
      assertThat(journal.lastSequence()).isEqualTo(5);
      assertThat(journal.recoveryReport().bytesTruncated()).isEqualTo(secondBatchBytes - 7);
      assertThat(journal.recoveryReport().recordsDropped()).isEqualTo(4);
    }
    assertThat(Files.size(segment)).isEqualTo(size - secondBatchBytes);
  }

  @Test
  void storageRenamesAtomicallyAndRefusesNamesOutsideItsDirectory(@TempDir Path directory)
      throws Exception {
    FileStorage storage = FileStorage.open(directory);
    try (StorageFile file = storage.create("a.tmp")) {
      file.write(java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}), 0);
      file.sync();
    }
    try (StorageFile file = storage.create("b")) {
      file.sync();
    }
    storage.rename("a.tmp", "b");
    storage.syncDirectory();
    assertThat(storage.list()).containsExactly("b");
    assertThat(Files.readAllBytes(directory.resolve("b"))).containsExactly(1, 2, 3);
    assertThatThrownBy(() -> storage.open("../escape"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> storage.create("b"))
        .isInstanceOf(java.nio.file.FileAlreadyExistsException.class);
  }
}
