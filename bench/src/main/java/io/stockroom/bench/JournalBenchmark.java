package io.stockroom.bench;

import io.stockroom.journal.FileStorage;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalConfig;
import io.stockroom.journal.JournalReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Journal throughput on the real disk ({@link FileStorage}, fdatasync per batch).
 *
 * <ul>
 *   <li>{@code append}: durable group commits of {@code batchSize} records of {@value #PAYLOAD_BYTES}-byte
 *       payloads. The primary score is batches (fsyncs) per second; the secondary score
 *       {@code append:records} is durable records per second.
 *   <li>{@code replay}: reading back {@value #REPLAY_RECORDS} records with full checks (CRC32C,
 *       sequence, hash chain) and a payload copy each; the score is records per second.
 * </ul>
 *
 * Run: {@code java -jar bench/target/benchmarks.jar JournalBenchmark -f 1 -wi 2 -i 3 -w 2s -r 3s}.
 * The journal lives in a fresh directory under {@code java.io.tmpdir}, or under
 * {@code -jvmArgsAppend -Djournal.bench.dir=/path} to measure another disk. Each measurement
 * iteration starts an empty journal, so disk use stays bounded.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class JournalBenchmark {

    static final int PAYLOAD_BYTES = 100;
    static final int REPLAY_RECORDS = 2_000_000;
    static final int BATCH_MAX = 8192;

    static final JournalConfig CONFIG = JournalConfig.defaults().withBatchRecordsMax(BATCH_MAX);

    @State(Scope.Thread)
    public static class AppendState {
        @Param({"1", "10", "100", "1000", "8192"})
        int batchSize;

        List<byte[]> batch;
        Path directory;
        Journal journal;

        @Setup(Level.Trial)
        public void payloads() {
            Random random = new Random(42);
            batch = new ArrayList<>(batchSize);
            for (int i = 0; i < batchSize; i++) {
                byte[] payload = new byte[PAYLOAD_BYTES];
                random.nextBytes(payload);
                batch.add(payload);
            }
        }

        @Setup(Level.Iteration)
        public void open() throws IOException {
            directory = freshDirectory("append");
            journal = Journal.open(FileStorage.open(directory), CONFIG);
        }

        @TearDown(Level.Iteration)
        public void close() throws IOException {
            journal.close();
            deleteRecursively(directory);
        }
    }

    /** Counts durable records, reported by JMH as {@code append:records} per second. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Records {
        public long records;

        @Setup(Level.Iteration)
        public void reset() {
            records = 0;
        }
    }

    @Benchmark
    public long append(AppendState state, Records counter) throws IOException {
        Journal journal = state.journal;
        journal.append(journal.lastSequence() + 1, state.batch);
        counter.records += state.batchSize;
        return journal.lastSequence();
    }

    @State(Scope.Benchmark)
    public static class ReplayState {
        Path directory;
        Journal journal;

        @Setup(Level.Trial)
        public void write() throws IOException {
            directory = freshDirectory("replay");
            journal = Journal.open(FileStorage.open(directory), CONFIG);
            Random random = new Random(7);
            List<byte[]> batch = new ArrayList<>(BATCH_MAX);
            for (int i = 0; i < BATCH_MAX; i++) {
                byte[] payload = new byte[PAYLOAD_BYTES];
                random.nextBytes(payload);
                batch.add(payload);
            }
            long written = 0;
            while (written < REPLAY_RECORDS) {
                int count = (int) Math.min(BATCH_MAX, REPLAY_RECORDS - written);
                journal.append(written + 1, count == BATCH_MAX ? batch : batch.subList(0, count));
                written += count;
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            journal.close();
            deleteRecursively(directory);
        }
    }

    @Benchmark
    @OperationsPerInvocation(REPLAY_RECORDS)
    public void replay(ReplayState state, Blackhole blackhole) throws IOException {
        long count = 0;
        try (JournalReader reader = state.journal.read(1)) {
            while (reader.next()) {
                blackhole.consume(reader.payload());
                count++;
            }
        }
        if (count != REPLAY_RECORDS) {
            throw new IllegalStateException("replayed " + count + " records, expected " + REPLAY_RECORDS);
        }
    }

    static Path freshDirectory(String purpose) throws IOException {
        Path parent = Path.of(System.getProperty("journal.bench.dir", System.getProperty("java.io.tmpdir")));
        Files.createDirectories(parent);
        return Files.createTempDirectory(parent, "stockroom-journal-" + purpose + "-");
    }

    static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
