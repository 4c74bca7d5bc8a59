package io.stockroom.journal;

import static io.stockroom.journal.Fixtures.SMALL;
import static io.stockroom.journal.Fixtures.appendRecords;
import static io.stockroom.journal.Fixtures.payload;
import static io.stockroom.journal.Fixtures.readAll;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FailStopTest {

  /**
   * After a crash, exactly the acknowledged prefix must be there, plus possibly the failed batch,
   * whole.
   */
  private static void assertDurablePrefixIntact(
      FaultyStorage storage, long acknowledged, long attempted) throws Exception {
    storage.crash();
    try (Journal journal = Journal.open(storage, SMALL)) {
      assertThat(journal.lastSequence()).isIn(acknowledged, attempted);
      List<byte[]> read = readAll(journal, 1);
      for (int i = 0; i < read.size(); i++) {
        assertThat(read.get(i)).isEqualTo(payload(i + 1));
      }
      appendRecords(journal, 5, 5);
    }
  }

  @Test
  void fsyncFailureFailsTheAppendAndEveryLaterOne() throws Exception {
    FaultyStorage storage = new FaultyStorage(1);
    Journal journal = Journal.open(storage, SMALL);
    appendRecords(journal, 30, 10);
    storage.failNextSyncs(1);
    assertThatThrownBy(() -> journal.append(31, List.of(payload(31))))
        .isInstanceOf(JournalFailedException.class)
        .hasMessageContaining("31..31")
        .hasRootCauseMessage("simulated fsync failure (EIO)");
    // The next sync would succeed, but the journal must not try: the failed pages may be gone.
    assertThatThrownBy(() -> journal.append(31, List.of(payload(31))))
        .isInstanceOf(JournalFailedException.class);
    assertThatThrownBy(() -> journal.append(32, List.of(payload(32))))
        .isInstanceOf(JournalFailedException.class);
    assertThatThrownBy(() -> journal.writeSnapshot(new byte[1]))
        .isInstanceOf(JournalFailedException.class);
    assertThat(journal.lastSequence()).isEqualTo(30);
    journal.close();
    assertDurablePrefixIntact(storage, 30, 31);
  }

  @Test
  void fsyncFailureNeverReportsABatchDurable() throws Exception {
    for (int failAt = 1; failAt <= 20; failAt++) {
      FaultyStorage storage = new FaultyStorage(failAt);
      long acknowledged = 0;
      long attempted = 0;
      try (Journal journal = Journal.open(storage, SMALL)) {
        for (int batch = 1; batch <= 20; batch++) {
          if (batch == failAt) {
            storage.failNextSyncs(1);
          }
          attempted += 7;
          try {
            appendRecords(journal, 7, 7);
            acknowledged = attempted;
            assertThat(batch).as("batch with a failed fsync acknowledged").isNotEqualTo(failAt);
          } catch (JournalFailedException expected) {
            assertThat(batch).isGreaterThanOrEqualTo(failAt);
            attempted = Math.min(attempted, acknowledged + 7);
          }
        }
      }
      assertThat(acknowledged).isEqualTo((failAt - 1) * 7L);
      assertDurablePrefixIntact(storage, acknowledged, attempted);
    }
  }

  /**
   * A refused batch must not come back at a restart that was not a power loss: the kernel keeps
   * pages whose fsync failed readable, so without taking the batch back out of the file the
   * next start would recover a write its caller was told had failed. Failing at every batch
   * position also fails batches that opened a new segment.
   */
  @Test
  void refusedBatchIsNotThereAfterARestartWithoutPowerLoss() throws Exception {
    for (int failAt = 1; failAt <= 20; failAt++) {
      for (boolean diskFull : new boolean[] {false, true}) {
        FaultyStorage storage = new FaultyStorage(failAt);
        long acknowledged = 0;
        try (Journal journal = Journal.open(storage, SMALL)) {
          for (int batch = 1; batch < failAt; batch++) {
            appendRecords(journal, 7, 7);
            acknowledged += 7;
          }
          if (diskFull) {
            storage.fillUp(totalBytes(storage) + 50); // room for part of the batch only
          } else {
            storage.failNextSyncs(1);
          }
          assertThatThrownBy(() -> appendRecords(journal, 7, 7))
              .isInstanceOf(JournalFailedException.class);
        }
        storage.fillUp(Long.MAX_VALUE);
        try (Journal reopened = Journal.open(storage, SMALL)) { // no crash: a process restart
          assertThat(reopened.lastSequence()).as("failAt=%d diskFull=%s", failAt, diskFull)
              .isEqualTo(acknowledged);
          List<byte[]> read = readAll(reopened, 1);
          assertThat(read).hasSize((int) acknowledged);
          for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i)).isEqualTo(payload(i + 1));
          }
          appendRecords(reopened, 3, 3); // and the journal takes writes again
        }
      }
    }
  }

  private static long totalBytes(FaultyStorage storage) throws java.io.IOException {
    long total = 0;
    for (String name : storage.list()) {
      total += storage.contents(name).length;
    }
    return total;
  }

  @Test
  void directoryFsyncFailureOnANewSegmentFailsTheAppend() throws Exception {
    FaultyStorage storage = new FaultyStorage(2);
    Journal journal = Journal.open(storage, SMALL);
    storage.failNextDirectorySync();
    // The first batch creates the first segment, so its durability needs the directory entry.
    assertThatThrownBy(() -> journal.append(1, List.of(payload(1))))
        .isInstanceOf(JournalFailedException.class);
    assertThatThrownBy(() -> journal.append(1, List.of(payload(1))))
        .isInstanceOf(JournalFailedException.class);
    assertThat(journal.lastSequence()).isZero();
    journal.close();
    assertDurablePrefixIntact(storage, 0, 1);
  }

  @Test
  void diskFullFailsTheAppendAndKeepsWhatWasDurable() throws Exception {
    FaultyStorage storage = new FaultyStorage(3);
    Journal journal = Journal.open(storage, SMALL);
    appendRecords(journal, 40, 10);
    storage.fillUp(
        storage.list().stream()
                .mapToLong(
                    name -> {
                      try {
                        return storage.contents(name).length;
                      } catch (java.io.IOException e) {
                        throw new IllegalStateException(e);
                      }
                    })
                .sum()
            + 100);
    assertThatThrownBy(() -> appendRecords(journal, 10, 10))
        .isInstanceOf(JournalFailedException.class)
        .hasRootCauseMessage("No space left on device (simulated)");
    assertThatThrownBy(() -> appendRecords(journal, 1, 1))
        .isInstanceOf(JournalFailedException.class);
    journal.close();
    assertDurablePrefixIntact(storage, 40, 50);
  }

  @Test
  void snapshotFailureStopsTheJournal() throws Exception {
    FaultyStorage storage = new FaultyStorage(4);
    Journal journal = Journal.open(storage, SMALL);
    appendRecords(journal, 40, 10);
    storage.failNextSyncs(1);
    assertThatThrownBy(() -> journal.writeSnapshot(new byte[10]))
        .isInstanceOf(JournalFailedException.class);
    assertThatThrownBy(() -> appendRecords(journal, 1, 1))
        .isInstanceOf(JournalFailedException.class);
    journal.close();
    storage.crash();
    try (Journal reopened = Journal.open(storage, SMALL)) {
      assertThat(reopened.recoveredSnapshot()).isEmpty();
      assertThat(reopened.lastSequence()).isEqualTo(40);
    }
  }
}
