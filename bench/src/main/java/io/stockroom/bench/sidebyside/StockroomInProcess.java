package io.stockroom.bench.sidebyside;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.HoldState;
import io.stockroom.engine.Limits;
import io.stockroom.engine.Quantities;
import io.stockroom.engine.Rejection;
import io.stockroom.engine.Result;
import io.stockroom.journal.FileStorage;
import io.stockroom.journal.JournalConfig;
import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.sequencer.Ledger;
import io.stockroom.server.sequencer.Sequencer;
import io.stockroom.server.sequencer.SequencerMetrics;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Row 1: Stockroom's engine and journal in this process, no HTTP, built as {@code
 * Stockroom.start} builds them: a {@link Ledger} on a {@link FileStorage} journal (in a fresh
 * directory, product {@link JournalConfig#defaults()}), and the real {@link Sequencer} (bounded
 * queue, one writer thread, one fsync per batch) with the product's queue and batch limits.
 * Clients {@link Sequencer#submit} and wait for the durable outcome. No listeners: the server's
 * read view and streams are HTTP-side work.
 *
 * <p>The store is read back after the run from a second {@link Ledger#open} of the same
 * directory, so the check sees what recovery finds on disk, not what the writer remembers.
 */
final class StockroomInProcess implements Contender {

  /**
   * The writer's batch limits: {@code batchCommandsMax} and the journal's {@code batchRecordsMax}
   * (one event per reservation here). {@link #PRODUCT} are the defaults of docs/CONFIGURATION.md.
   */
  record Batching(int queueCapacity, int batchCommandsMax, int batchRecordsMax) {
    static final Batching PRODUCT = new Batching(65_536, 4_096, 8_192);
  }
  /**
   * The names {@link Sequencer} gives its two threads: the writer (applies batches to the
   * engine) and the syncer (writes and fsyncs them, then answers): the server side of this row.
   */
  private static final Set<String> SERVER_THREADS = Set.of("stockroom-writer", "stockroom-syncer");
  /** A snapshotEveryEvents no run reaches. */
  static final long SNAPSHOTS_OFF = Long.MAX_VALUE;
  /** Longer than any run, so no hold expires and gives its unit back during the check. */
  private static final long HOLD_TIMEOUT_MILLIS = 3_600_000;

  private final Path parent;
  private final int pipelineDepth;
  private final long snapshotEveryEvents;
  private final int holdsActiveMax;
  private final Batching batching;
  private final JournalConfig journalConfig;
  private Workload workload;
  private Path directory;
  private Ledger ledger;
  private Sequencer sequencer;
  private String[] skuNames;
  private long serverCpuAtOpen = -1;
  private long serverCpuAtClose = -1;

  /**
   * @param parent where the journal directory is made (and deleted again)
   * @param snapshotEveryEvents the server's {@code snapshotEveryEvents}
   * @param holdsActiveMax the engine limit: every hold of a run stays active, so it must exceed
   *     the reservations a run makes
   */
  StockroomInProcess(Path parent, int pipelineDepth, long snapshotEveryEvents,
      int holdsActiveMax, Batching batching) {
    this.parent = parent;
    this.batching = batching;
    this.journalConfig = JournalConfig.defaults().withBatchRecordsMax(batching.batchRecordsMax());
    this.pipelineDepth = pipelineDepth;
    this.snapshotEveryEvents = snapshotEveryEvents;
    this.holdsActiveMax = holdsActiveMax;
  }

  @Override
  public String name() {
    return "Stockroom in process (engine + journal, group commit)"
        + (batching.equals(Batching.PRODUCT) ? "" : String.format(java.util.Locale.ROOT,
            ", batches of %,d", batching.batchCommandsMax()))
        + (snapshotEveryEvents == SNAPSHOTS_OFF ? ", no snapshots"
            : String.format(java.util.Locale.ROOT, ", snapshot every %,d events",
                snapshotEveryEvents));
  }

  @Override
  public int pipelineDepth() {
    return pipelineDepth;
  }

  private Limits limits() {
    Limits d = Limits.DEFAULTS;
    return new Limits(d.identifierLengthMax(), d.nameLengthMax(), d.textLengthMax(),
        d.quantityMax(), d.linesPerHoldMax(), d.locationsPerItemMax(), d.itemsMax(),
        holdsActiveMax, d.holdsResolvedRetainedMax(), d.holdTimeoutMillisMin(),
        d.holdTimeoutMillisMax(), d.expiriesPerCommandMax(), d.idempotencyKeysMax(),
        d.idempotencyWindowMillis(), d.customerHoldsActiveMax(), d.customerUnitsHeldMax());
  }

  @Override
  public void setup(Workload workload) throws IOException {
    this.workload = workload;
    directory = Files.createTempDirectory(parent, "stockroom-sidebyside-");
    ledger = Ledger.open(FileStorage.open(directory), journalConfig, limits());
    skuNames = new String[workload.skus()];
    List<Event> events = new ArrayList<>();
    long time = System.currentTimeMillis();
    for (int i = 0; i < workload.skus(); i++) {
      skuNames[i] = Workload.sku(i);
      require(ledger.apply(time, new Command.DefineItem(skuNames[i], "", ""), events));
      if (workload.unitsPerSku() > 0) {
        require(ledger.apply(time, new Command.Receive(skuNames[i], Engine.DEFAULT_LOCATION,
            workload.unitsPerSku(), "initial-count"), events));
      }
      if (events.size() > ledger.batchEventsMax() - 2) {
        ledger.commit(events);
        events.clear();
      }
    }
    ledger.commit(events);
    sequencer = new Sequencer(ledger, System::currentTimeMillis,
        new Sequencer.Settings(batching.queueCapacity(), batching.batchCommandsMax(),
            snapshotEveryEvents, ServerConfig.defaults().batchLingerMicrosMax()),
        List.of(), SequencerMetrics.NONE, StockroomInProcess::halt);
    sequencer.start();
  }

  private static void halt(Thread thread, Throwable error) {
    error.printStackTrace();
    Runtime.getRuntime().halt(70); // as the server does: an invariant broke, nothing is safe
  }

  private static void require(Result result) {
    if (!result.accepted()) {
      throw new IllegalStateException("setup command rejected: " + result.rejection() + " "
          + result.detail());
    }
  }

  @Override
  public Session session(int client) {
    List<CompletableFuture<Sequencer.Outcome>> futures = new ArrayList<>(pipelineDepth);
    return (holdIds, skus, count, accepted) -> {
      futures.clear();
      for (int i = 0; i < count; i++) {
        futures.add(sequencer.submit(new Command.Reserve(holdIds[i],
            List.of(new HoldLine(skuNames[skus[i]], Engine.DEFAULT_LOCATION, Workload.QUANTITY)),
            null, null, HOLD_TIMEOUT_MILLIS)));
      }
      for (int i = 0; i < count; i++) {
        Result result = futures.get(i).get().result();
        accepted[i] = result.accepted();
        if (!accepted[i] && result.rejection() != Rejection.INSUFFICIENT_STOCK) {
          throw new IllegalStateException("reserve rejected: " + result.rejection() + " "
              + result.detail());
        }
      }
    };
  }

  @Override
  public void windowOpened() {
    serverCpuAtOpen = serverCpuNanos();
  }

  @Override
  public void windowClosed() {
    serverCpuAtClose = serverCpuNanos();
  }

  /** The CPU time of the sequencer's threads, the server side of this row. */
  @Override
  public long windowCpuNanos() {
    return serverCpuAtOpen < 0 || serverCpuAtClose < 0 ? -1 : serverCpuAtClose - serverCpuAtOpen;
  }

  private static long serverCpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long total = 0;
    int found = 0;
    for (ThreadInfo info : threads.dumpAllThreads(false, false, 0)) {
      if (SERVER_THREADS.contains(info.getThreadName())) {
        total += threads.getThreadCpuTime(info.getThreadId());
        found++;
      }
    }
    return found == SERVER_THREADS.size() ? total : -1;
  }

  /** Stops the writer, closes the journal, recovers it into a new engine and reads that. */
  @Override
  public StoreState storeState() throws Exception {
    if (sequencer != null) {
      sequencer.close();
      ledger.close();
      sequencer = null;
      ledger = null; // let the writer's engine go before the recovered one is built
    }
    try (Ledger recovered = Ledger.open(FileStorage.open(directory), journalConfig,
        limits())) {
      return read(recovered.engine());
    }
  }

  private StoreState read(Engine engine) {
    StoreState state = StoreState.empty(workload.skus());
    for (int i = 0; i < workload.skus(); i++) {
      Quantities level = engine.level(skuNames[i], Engine.DEFAULT_LOCATION);
      state.available()[i] = level.available();
    }
    engine.forEachHold(hold -> {
      if (hold.state() == HoldState.ACTIVE) {
        for (HoldLine line : hold.lines()) {
          int sku = Workload.index(line.sku());
          state.recordedCount()[sku]++;
          state.recordedUnits()[sku] += line.quantity();
        }
      }
    });
    return state;
  }

  @Override
  public void close() throws Exception {
    if (sequencer != null) {
      sequencer.close();
    }
    if (ledger != null) {
      ledger.close();
    }
    if (directory != null) {
      deleteRecursively(directory);
    }
  }

  static void deleteRecursively(Path directory) throws IOException {
    if (!Files.exists(directory)) {
      return;
    }
    try (var paths = Files.walk(directory)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
