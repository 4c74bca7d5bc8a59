package io.stockroom.bench;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.EventCodec;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.Limits;
import io.stockroom.engine.Result;
import io.stockroom.journal.FileStorage;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalConfig;
import io.stockroom.server.sequencer.Ledger;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable appends of real engine events on the real disk ({@link FileStorage}, one fdatasync per
 * batch), with the encoding inside the measured path, as the writer does it. Primary score:
 * batches (fsyncs) per second; secondary {@code :events}: durable events per second.
 *
 * <ul>
 *   <li>{@code encodeAppend}: what {@link Ledger#commit} did with a batch when the issue 3
 *       figures were taken: {@link EventCodec#encode} each event into its own array, then one
 *       {@link Journal#append(long, java.util.List)}. {@code Ledger#commit} now encodes the
 *       batch into one reused array and appends it packed, which saves one allocation and one
 *       copy per event, so this is an upper bound on today's cost. The events are
 *       {@code batchSize} single-line {@link Event.HoldReserved} events made by a real engine
 *       (SKU {@code SKU-000001}.., location {@code default}, a customer, 1 unit), built once per
 *       trial and encoded again on every invocation. Their own sequence fields are stale after
 *       the first batch (the journal does not look inside payloads), which changes no byte count
 *       and no work.
 *   <li>{@code applyCommit}: the whole writer path without the queue and HTTP: {@code batchSize}
 *       commands through {@link Ledger#apply}, then {@link Ledger#commit}. The commands
 *       alternate a single-line reserve of 1 unit and the release of that hold (fresh hold-id
 *       strings, no customer), so every command makes exactly one event and stock never runs
 *       out; half the events are {@code HoldReserved}, half {@code HoldReleased}.
 * </ul>
 *
 * Run: {@code java -jar bench/target/benchmarks.jar 'LedgerAppendBenchmark|JournalBenchmark.append'
 * -f 1 -wi 2 -i 3 -w 2s -r 3s} (the second pattern is the 100-byte raw journal baseline). Each
 * iteration starts an empty journal in a fresh directory under {@code java.io.tmpdir} (or
 * {@code -jvmArgsAppend -Djournal.bench.dir=/path}), so disk use stays bounded.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class LedgerAppendBenchmark {

  static final JournalConfig CONFIG = JournalConfig.defaults(); // batchRecordsMax 8,192
  static final int SKUS = 1000;
  static final long TIMEOUT_MILLIS = 15 * 60_000L;

  /** Counts durable events, reported by JMH as {@code <benchmark>:events} per second. */
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  @State(Scope.Thread)
  public static class Events {
    public long events;

    @Setup(Level.Iteration)
    public void reset() {
      events = 0;
    }
  }

  @State(Scope.Thread)
  public static class EncodeAppendState {
    @Param({"1", "10", "100", "1000", "8192"})
    int batchSize;

    List<Event> batch;
    List<byte[]> payloads;
    Path directory;
    Journal journal;

    @Setup(Level.Trial)
    public void events() {
      Engine engine = new Engine(Limits.DEFAULTS);
      List<Event> out = new ArrayList<>();
      for (int i = 0; i < SKUS; i++) {
        String sku = String.format("SKU-%06d", i + 1);
        require(engine.apply(0, new Command.DefineItem(sku, "", ""), out));
        require(engine.apply(0, new Command.Receive(sku, Engine.DEFAULT_LOCATION, 1_000_000,
            "initial-count"), out));
      }
      out.clear();
      for (int i = 0; i < batchSize; i++) {
        String sku = String.format("SKU-%06d", i % SKUS + 1);
        require(engine.apply(LedgerWorkload.TIME_START, new Command.Reserve("hold-" + (1_000_000 + i),
            List.of(new HoldLine(sku, Engine.DEFAULT_LOCATION, 1)), "customer-" + (100_000 + i),
            null, TIMEOUT_MILLIS), out));
      }
      batch = List.copyOf(out);
      payloads = new ArrayList<>(batchSize);
      long bytes = 0;
      for (Event event : batch) {
        bytes += EventCodec.encode(event).length;
      }
      System.out.printf("%n%d HoldReserved events, mean encoded size %.1f B%n", batchSize,
          (double) bytes / batchSize);
    }

    @Setup(Level.Iteration)
    public void open() throws IOException {
      directory = JournalBenchmark.freshDirectory("ledger-append");
      journal = Journal.open(FileStorage.open(directory), CONFIG);
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
      journal.close();
      JournalBenchmark.deleteRecursively(directory);
    }
  }

  /** Ledger.commit's work on a batch of real events: encode each, append with one fsync. */
  @Benchmark
  public long encodeAppend(EncodeAppendState state, Events counter) throws IOException {
    List<byte[]> payloads = state.payloads;
    payloads.clear();
    for (Event event : state.batch) {
      payloads.add(EventCodec.encode(event));
    }
    Journal journal = state.journal;
    journal.append(journal.lastSequence() + 1, payloads);
    counter.events += payloads.size();
    return journal.lastSequence();
  }

  @State(Scope.Thread)
  public static class ApplyCommitState {
    @Param({"1", "10", "100", "1000", "8192"})
    int batchSize;

    Path directory;
    Ledger ledger;
    final List<Event> events = new ArrayList<>(8192);
    final String[] skus = new String[SKUS];
    long commands;
    long time;

    @Setup(Level.Iteration)
    public void open() throws IOException {
      directory = JournalBenchmark.freshDirectory("ledger-commit");
      ledger = Ledger.open(FileStorage.open(directory), CONFIG, Limits.DEFAULTS);
      time = LedgerWorkload.TIME_START;
      for (int i = 0; i < SKUS; i++) {
        skus[i] = String.format("SKU-%06d", i + 1);
        require(ledger.apply(time, new Command.DefineItem(skus[i], "", ""), events));
        require(ledger.apply(time, new Command.Receive(skus[i], Engine.DEFAULT_LOCATION,
            1_000_000, "initial-count"), events));
      }
      ledger.commit(events);
      events.clear();
      commands = 0;
    }

    @TearDown(Level.Iteration)
    public void close() throws IOException {
      ledger.close();
      JournalBenchmark.deleteRecursively(directory);
    }
  }

  /** The writer: apply a batch of commands to the engine, then make their events durable. */
  @Benchmark
  public long applyCommit(ApplyCommitState state, Events counter) throws IOException {
    List<Event> events = state.events;
    Ledger ledger = state.ledger;
    long time = ++state.time;
    for (int i = 0; i < state.batchSize; i++) {
      long command = state.commands++;
      String holdId = "hold-" + (command >>> 1);
      if ((command & 1) == 0) {
        String sku = state.skus[(int) ((command >>> 1) % SKUS)];
        require(ledger.apply(time, new Command.Reserve(holdId,
            List.of(new HoldLine(sku, Engine.DEFAULT_LOCATION, 1)), null, null, TIMEOUT_MILLIS),
            events));
      } else {
        require(ledger.apply(time, new Command.Release(holdId), events));
      }
    }
    ledger.commit(events);
    counter.events += events.size();
    events.clear();
    return ledger.engine().sequence();
  }

  private static void require(Result result) {
    if (!result.accepted()) {
      throw new IllegalStateException("benchmark command rejected: " + result);
    }
  }
}
