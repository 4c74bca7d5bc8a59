package io.stockroom.journal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * Seeded crash simulation on {@link FaultyStorage}: random batches of random payloads, snapshots,
 * power cuts after a random storage call, torn writes, failed fsyncs; recover and check.
 *
 * <p>Invariants checked after every recovery:
 *
 * <ul>
 *   <li>AcknowledgedSurvive: every record of every batch whose append returned is there, byte for
 *       byte;
 *   <li>NothingInvented: every record there was appended (acknowledged or not), in order;
 *   <li>GapFree: sequences run without gaps from the first readable one to the last;
 *   <li>BatchAtomic: the log ends exactly at the end of an appended batch: every batch is there
 *       whole or not at all (a batch cut by the crash loses its complete records too);
 *   <li>SnapshotMatches: the recovered snapshot is the state the model had at its sequence;
 *   <li>AppendsContinue: appending after recovery works and the next open sees it;
 *   <li>VerifyClean: {@link Journal#verify} finds nothing wrong after recovery.
 * </ul>
 *
 * Rerun one seed: {@code -Djournal.seed=123}; more seeds: {@code -Djournal.seeds=5000}.
 */
class CrashSimulationTest {

  private static final int SEEDS_DEFAULT = 500;
  private static final int ROUNDS = 6;
  private static final int STEPS_PER_ROUND = 25;

  /** What the runs actually exercised, so a vacuous simulation cannot pass unnoticed. */
  private static final class Coverage {
    long rounds;
    long failedAppends;
    long failedSyncs;
    long crashesDuringRecovery;
    long tornTailsTruncated;
    long snapshotsRecovered;
    long unacknowledgedRecordsSurvived;
    long incompleteBatchesDropped;

    @Override
    public String toString() {
      return rounds
          + " rounds, "
          + failedAppends
          + " failed appends, "
          + failedSyncs
          + " injected fsync failures, "
          + crashesDuringRecovery
          + " crashes during recovery, "
          + tornTailsTruncated
          + " torn tails truncated, "
          + snapshotsRecovered
          + " snapshots recovered, "
          + unacknowledgedRecordsSurvived
          + " recoveries kept unacknowledged records, "
          + incompleteBatchesDropped
          + " recoveries dropped complete records of an incomplete batch";
    }
  }

  @Test
  void crashesNeverLoseAcknowledgedRecordsNorInventAny() {
    Coverage coverage = new Coverage();
    long single = Long.getLong("journal.seed", -1);
    int seeds = Integer.getInteger("journal.seeds", SEEDS_DEFAULT);
    long first = single >= 0 ? single : 0;
    long end = single >= 0 ? single + 1 : seeds;
    for (long seed = first; seed < end; seed++) {
      try {
        new Simulation(seed, coverage).run();
      } catch (Throwable failure) {
        throw new AssertionError(
            "crash simulation failed for seed "
                + seed
                + " (rerun: -Djournal.seed="
                + seed
                + "): "
                + failure,
            failure);
      }
    }
    System.out.println("crash simulation, seeds " + first + ".." + (end - 1) + ": " + coverage);
    if (single < 0) {
      assertThat(coverage.tornTailsTruncated).isPositive();
      assertThat(coverage.failedSyncs).isPositive();
      assertThat(coverage.crashesDuringRecovery).isPositive();
      assertThat(coverage.snapshotsRecovered).isPositive();
      assertThat(coverage.unacknowledgedRecordsSurvived).isPositive();
      assertThat(coverage.incompleteBatchesDropped).isPositive();
    }
  }

  @Test
  void crashAfterEveryStorageCallOfAFixedWorkloadKeepsAcknowledgedRecords() throws Exception {
    for (int crashAfter = 1; crashAfter <= 120; crashAfter++) {
      try {
        Simulation simulation = new Simulation(crashAfter, new Coverage());
        simulation.roundCrashingAfter(crashAfter);
        simulation.recoverAndCheck();
      } catch (Throwable failure) {
        throw new AssertionError(
            "crash after storage call " + crashAfter + ": " + failure, failure);
      }
    }
  }

  /** One seeded run: a model of what was appended and acknowledged, and the journal under test. */
  private static final class Simulation {
    private final long seed;
    private final Random random;
    private final FaultyStorage storage;
    private final JournalConfig config;

    /** Every payload ever appended, acknowledged or not; index = sequence - 1. */
    private final List<byte[]> appended = new ArrayList<>();

    /** State hash after each prefix: stateHashes.get(n) covers sequences 1..n. */
    private final List<Long> stateHashes = new ArrayList<>(List.of(0L));

    /**
     * Last sequence of every batch appended (acknowledged or not), ascending; 0 stands for the
     * empty log.
     */
    private final List<Long> batchEnds = new ArrayList<>(List.of(0L));

    private final Coverage coverage;
    private long acknowledged;

    Simulation(long seed, Coverage coverage) {
      this.seed = seed;
      this.coverage = coverage;
      this.random = new Random(mix(seed));
      this.storage = new FaultyStorage(mix(seed + 1));
      int[] segmentSizes = {1024, 2048, 8192, 65536};
      this.config =
          JournalConfig.defaults()
              .withRecordPayloadBytesMax(300)
              .withBufferBytes(1024, 1024)
              .withBatchRecordsMax(16)
              .withSegmentBytesMax(segmentSizes[random.nextInt(segmentSizes.length)])
              .withSnapshotsRetained(1 + random.nextInt(3));
    }

    void run() throws Exception {
      for (int round = 0; round < ROUNDS; round++) {
        roundCrashingAfter(1 + random.nextInt(random.nextBoolean() ? 20 : 200));
        recoverAndCheck();
      }
      try (Journal journal = Journal.open(storage, config)) {
        appendBatch(journal);
      }
      assertThat(Journal.verify(storage, config).ok()).isTrue();
    }

    /** Opens, runs a random workload until the storage "loses power", then crashes the storage. */
    void roundCrashingAfter(long storageCalls) throws Exception {
      coverage.rounds++;
      Journal journal = Journal.open(storage, config);
      storage.crashAfterOperations(storageCalls);
      int failSyncAtStep = random.nextInt(4) == 0 ? random.nextInt(STEPS_PER_ROUND) : -1;
      try {
        for (int step = 0; step < STEPS_PER_ROUND; step++) {
          if (step == failSyncAtStep) {
            storage.failNextSyncs(1);
            coverage.failedSyncs++;
          }
          if (random.nextInt(10) == 0 && journal.lastSequence() > 0) {
            journal.writeSnapshot(state(journal.lastSequence()));
          } else {
            appendBatch(journal);
          }
        }
      } catch (JournalFailedException expected) {
        coverage.failedAppends++;
        assertThat(journal.lastSequence()).isEqualTo(acknowledged);
      }
      journal.close();
      storage.crash();
    }

    private void appendBatch(Journal journal) throws Exception {
      long first = journal.lastSequence() + 1;
      // A failed batch stays in the model as "may be there"; drop anything older than it.
      truncateModel(first - 1);
      int count = 1 + random.nextInt(config.batchRecordsMax());
      List<byte[]> batch = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] payload = new byte[random.nextInt(config.recordPayloadBytesMax() + 1)];
        random.nextBytes(payload);
        batch.add(payload);
        appended.add(payload);
        stateHashes.add(stateHashes.get(stateHashes.size() - 1) * 1_000_003 + crc(payload));
      }
      batchEnds.add(first + count - 1L);
      journal.append(first, batch);
      acknowledged = first + count - 1;
    }

    void recoverAndCheck() throws Exception {
      if (random.nextInt(3) == 0) {
        // The power goes again while recovery is truncating, deleting or syncing (or right after).
        storage.crashAfterOperations(1 + random.nextInt(3));
        try (Journal journal = Journal.open(storage, config)) {
          assertThat(journal.lastSequence()).isGreaterThanOrEqualTo(acknowledged);
          assertThat(batchEnds).as("BatchAtomic").contains(journal.lastSequence());
        } catch (JournalCorruptException corrupt) {
          throw corrupt;
        } catch (java.io.IOException powerLoss) {
          coverage.crashesDuringRecovery++;
        }
        storage.crash();
      }
      try (Journal journal = Journal.open(storage, config)) {
        long last = journal.lastSequence();
        assertThat(last)
            .as("AcknowledgedSurvive: last sequence")
            .isGreaterThanOrEqualTo(acknowledged);
        assertThat(last).as("NothingInvented: last sequence").isLessThanOrEqualTo(appended.size());
        assertThat(batchEnds).as("BatchAtomic: the log ends where a batch ended").contains(last);
        if (journal.recoveryReport().recordsDropped() > 0) {
          coverage.incompleteBatchesDropped++;
        }
        if (journal.recoveryReport().bytesTruncated() > 0) {
          coverage.tornTailsTruncated++;
        }
        if (last > acknowledged) {
          coverage.unacknowledgedRecordsSurvived++;
        }
        if (journal.recoveredSnapshot().isPresent()) {
          coverage.snapshotsRecovered++;
          Snapshot snapshot = journal.recoveredSnapshot().get();
          assertThat(snapshot.state()).as("SnapshotMatches").isEqualTo(state(snapshot.sequence()));
          assertThat(journal.firstSequence()).isLessThanOrEqualTo(snapshot.sequence() + 1);
        } else {
          assertThat(journal.firstSequence()).isEqualTo(1);
        }
        long expected = journal.firstSequence();
        try (JournalReader reader = journal.read(journal.firstSequence())) {
          while (reader.next()) {
            assertThat(reader.sequence()).as("GapFree").isEqualTo(expected);
            assertThat(reader.payload())
                .as("record %d byte for byte", expected)
                .isEqualTo(appended.get((int) (expected - 1)));
            expected++;
          }
        }
        assertThat(expected - 1).as("GapFree: reader reaches the last sequence").isEqualTo(last);
        // What survived is now durable; what did not is gone for good.
        truncateModel(last);
        acknowledged = last;
        assertThat(Journal.verify(storage, config).ok()).as("VerifyClean").isTrue();
        appendBatch(journal);
      }
      try (Journal journal = Journal.open(storage, config)) {
        assertThat(journal.lastSequence()).as("AppendsContinue").isEqualTo(acknowledged);
        assertThat(journal.recoveryReport().bytesTruncated()).isZero();
      }
    }

    private void truncateModel(long last) {
      if (appended.size() > last) {
        appended.subList((int) last, appended.size()).clear();
        stateHashes.subList((int) last + 1, stateHashes.size()).clear();
      }
      batchEnds.removeIf(end -> end > last);
    }

    private byte[] state(long sequence) {
      return ByteBuffer.allocate(16)
          .putLong(sequence)
          .putLong(stateHashes.get((int) sequence))
          .array();
    }

    /**
     * SplitMix64's finalizer: consecutive small seeds give java.util.Random correlated first draws.
     */
    private static long mix(long seed) {
      long z = seed * 0x9E3779B97F4A7C15L;
      z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
      z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
      return z ^ (z >>> 31);
    }

    private static long crc(byte[] payload) {
      CRC32C crc = new CRC32C();
      crc.update(payload);
      return crc.getValue();
    }

    @Override
    public String toString() {
      return "simulation seed " + seed;
    }
  }
}
