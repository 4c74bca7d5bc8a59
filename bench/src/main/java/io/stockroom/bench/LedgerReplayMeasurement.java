package io.stockroom.bench;

import io.stockroom.engine.Engine;
import io.stockroom.engine.EventCodec;
import io.stockroom.engine.Limits;
import io.stockroom.journal.FileStorage;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalConfig;
import io.stockroom.journal.JournalReader;
import io.stockroom.server.sequencer.Ledger;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Startup recovery speed: how fast {@link Ledger#open} rebuilds the engine from the journal.
 *
 * <ol>
 *   <li>Writes {@code --events} events (default 2,000,000) by driving a real engine through
 *       {@link Ledger#apply}/{@link Ledger#commit} with {@link LedgerWorkload} (10,000 SKUs), and
 *       closes it.
 *   <li><b>Restart, full replay</b>: {@code --repeats} times (default 5), a fresh JVM (cold JIT,
 *       as at a real restart; page cache warm) runs {@code Ledger.open} and reports its time.
 *   <li><b>Breakdown, warm JIT</b>: in this JVM, after one untimed pass each, the raw journal read
 *       (open + checks + payload copies), read + {@link EventCodec#decode}, and the full
 *       {@code Ledger.open}; and the invariant audit alone.
 *   <li><b>Snapshot</b>: {@code --repeats} snapshots of the resulting state, each after a short
 *       tail, with engine encode and journal write (fsync included) timed apart; then a
 *       {@code --tail}-event tail (default 10,000) and {@code --repeats} fresh-JVM restarts from
 *       the newest snapshot plus that tail.
 * </ol>
 *
 * Run: {@code java -cp bench/target/benchmarks.jar io.stockroom.bench.LedgerReplayMeasurement
 * [--dir /path] [--events N] [--tail N] [--repeats N] [--keep] [--generate-only]}. The data goes
 * to a fresh directory under {@code --dir} (default {@code java.io.tmpdir}) and is deleted at the
 * end unless {@code --keep} ({@code --generate-only} writes the journal, keeps it and stops: for
 * profiling {@code --open-once DIR}, one recovery). Limits and journal settings are the product
 * defaults.
 */
public final class LedgerReplayMeasurement {

  private static final Limits LIMITS = Limits.DEFAULTS;
  private static final JournalConfig CONFIG = JournalConfig.defaults();
  private static final int SKUS = 10_000;
  private static final long SEED = 20_260_101L;

  private LedgerReplayMeasurement() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 2 && args[0].equals("--open-once")) {
      openOnce(Path.of(args[1]));
      return;
    }
    Path parent = Path.of(option(args, "--dir", System.getProperty("java.io.tmpdir")));
    long eventsTotal = Long.parseLong(option(args, "--events", "2000000"));
    int tail = Integer.parseInt(option(args, "--tail", "10000"));
    int repeats = Integer.parseInt(option(args, "--repeats", "5"));
    boolean generateOnly = Arrays.asList(args).contains("--generate-only");
    boolean keep = generateOnly || Arrays.asList(args).contains("--keep");
    Files.createDirectories(parent);
    Path directory = Files.createTempDirectory(parent, "stockroom-ledger-replay-");
    System.out.printf("data directory %s, %s%n", directory, Runtime.version());
    try {
      long checksum = generate(directory, eventsTotal);
      if (generateOnly) {
        return;
      }
      restarts("full replay", directory, repeats, checksum);
      breakdown(directory, repeats);
      long tailChecksum = snapshots(directory, repeats, tail);
      restarts("snapshot + tail", directory, repeats, tailChecksum);
      snapshotBreakdown(directory, repeats);
    } finally {
      if (!keep) {
        JournalBenchmark.deleteRecursively(directory);
      }
    }
  }

  /** Writes the journal; returns the live engine's checksum, which every replay must match. */
  private static long generate(Path directory, long eventsTotal) throws IOException {
    long started = System.nanoTime();
    try (Ledger ledger = Ledger.open(FileStorage.open(directory), CONFIG, LIMITS)) {
      LedgerWorkload workload = new LedgerWorkload(ledger, SEED, "hold-", SKUS);
      workload.defineItems();
      workload.runUntil(eventsTotal);
      double seconds = seconds(System.nanoTime() - started);
      long events = ledger.engine().sequence();
      System.out.printf(Locale.ROOT, "generated %,d events from %,d commands in %,d batches in"
              + " %.1f s (%,.0f events/s, writer path with fsync per batch)%n", events,
          workload.commands(), workload.batches(), seconds, events / seconds);
      System.out.printf("  events by type: %s%n", workload.eventsByType());
      System.out.printf("  rejections: %s%n", workload.rejectionsByType());
      System.out.printf(Locale.ROOT, "  state: %,d items, %,d levels, %,d active holds, %,d"
              + " idempotency keys; simulated time %.1f min%n", ledger.engine().itemCount(),
          ledger.engine().levelCount(), ledger.engine().activeHoldCount(),
          ledger.engine().idempotencyKeyCount(),
          (workload.time() - LedgerWorkload.TIME_START) / 60_000.0);
      long checksum = ledger.engine().checksum();
      System.out.printf("  journal %s, engine checksum %016x%n", sizes(directory), checksum);
      return checksum;
    }
  }

  /** Recovers in fresh JVMs; checks each recovered engine against the live one. */
  private static void restarts(String what, Path directory, int repeats, long checksum)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    double[] openSeconds = new double[repeats];
    double[] processSeconds = new double[repeats];
    long replayed = 0;
    for (int r = 0; r < repeats; r++) {
      long started = System.nanoTime();
      Process process = new ProcessBuilder(java, "-XX:+ExitOnOutOfMemoryError", "-cp",
          System.getProperty("java.class.path"), LedgerReplayMeasurement.class.getName(),
          "--open-once", directory.toString()).redirectErrorStream(true).start();
      String result = null;
      try (BufferedReader out = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line = out.readLine(); line != null; line = out.readLine()) {
          if (line.startsWith("open ")) {
            result = line;
          } else {
            System.out.println("  child: " + line);
          }
        }
      }
      int exit = process.waitFor();
      processSeconds[r] = seconds(System.nanoTime() - started);
      if (exit != 0 || result == null) {
        throw new IllegalStateException("restart " + r + " failed with exit " + exit);
      }
      String[] fields = result.split(" ");
      openSeconds[r] = Double.parseDouble(fields[1]);
      replayed = Long.parseLong(fields[2]);
      if (Long.parseUnsignedLong(fields[3], 16) != checksum) {
        throw new IllegalStateException("recovered checksum " + fields[3] + " differs from the"
            + " live engine's " + Long.toHexString(checksum));
      }
    }
    System.out.printf(Locale.ROOT, "%s, fresh JVM per restart: %,d events replayed, checksum"
        + " matches the live engine%n", what, replayed);
    report("  Ledger.open", openSeconds, replayed);
    report("  whole process (JVM start to exit)", processSeconds, replayed);
  }

  /** The child of {@link #restarts}: one Ledger.open, printed as "open seconds replayed checksum". */
  private static void openOnce(Path directory) throws IOException {
    long started = System.nanoTime();
    try (Ledger ledger = Ledger.open(FileStorage.open(directory), CONFIG, LIMITS)) {
      double seconds = seconds(System.nanoTime() - started);
      System.out.printf(Locale.ROOT, "open %.6f %d %016x%n", seconds,
          ledger.recovered().eventsReplayed(), ledger.engine().checksum());
    }
  }

  /** Splits recovery into its parts, warm JIT, in this JVM. */
  private static void breakdown(Path directory, int repeats) throws IOException {
    System.out.println("breakdown in one JVM (warm JIT, one untimed pass first):");
    double[] read = new double[repeats];
    double[] decode = new double[repeats];
    double[] open = new double[repeats];
    double[] audit = new double[repeats];
    long events = 0;
    long payloadBytes = 0;
    for (int r = -1; r < repeats; r++) {
      long started = System.nanoTime();
      long[] counted = readAll(directory, false);
      long readNanos = System.nanoTime() - started;
      started = System.nanoTime();
      readAll(directory, true);
      long decodeNanos = System.nanoTime() - started;
      started = System.nanoTime();
      try (Ledger ledger = Ledger.open(FileStorage.open(directory), CONFIG, LIMITS)) {
        long openNanos = System.nanoTime() - started;
        started = System.nanoTime();
        ledger.engine().checkInvariants();
        long auditNanos = System.nanoTime() - started;
        if (r >= 0) {
          read[r] = seconds(readNanos);
          decode[r] = seconds(decodeNanos);
          open[r] = seconds(openNanos);
          audit[r] = seconds(auditNanos);
        }
      }
      events = counted[0];
      payloadBytes = counted[1];
    }
    System.out.printf(Locale.ROOT, "  %,d events, mean payload %.1f B, %,d B of payload%n",
        events, (double) payloadBytes / events, payloadBytes);
    report("  journal read (Journal.open + JournalReader, checks + payload copy)", read, events);
    report("  journal read + EventCodec.decode", decode, events);
    report("  Ledger.open (read + decode + Engine.replay + audit)", open, events);
    report("  of which Engine.checkInvariants (audit)", audit, events);
  }

  /** Reads every record; returns {records, payload bytes}. */
  private static long[] readAll(Path directory, boolean decode) throws IOException {
    long records = 0;
    long bytes = 0;
    long sink = 0;
    try (Journal journal = Journal.open(FileStorage.open(directory), CONFIG);
        JournalReader reader = journal.read(1)) {
      while (reader.next()) {
        records++;
        bytes += reader.payloadLength();
        if (decode) {
          sink += EventCodec.decode(reader.payload()).time();
        }
      }
    }
    if (sink == 42) {
      System.out.print(""); // keeps the decode from being optimised away
    }
    return new long[] {records, bytes};
  }

  /** Writes snapshots, each after a short tail; leaves the final tail; returns its checksum. */
  private static long snapshots(Path directory, int repeats, int tail) throws IOException {
    double[] encode = new double[repeats];
    double[] write = new double[repeats];
    int snapshotBytes = 0;
    try (Ledger ledger = Ledger.open(FileStorage.open(directory), CONFIG, LIMITS)) {
      LedgerWorkload workload = new LedgerWorkload(ledger, SEED + 1, "tail-hold-", SKUS);
      for (int r = 0; r < repeats; r++) {
        workload.runUntil(ledger.engine().sequence() + 2_000);
        long started = System.nanoTime();
        byte[] state = ledger.engine().snapshot();
        encode[r] = seconds(System.nanoTime() - started);
        started = System.nanoTime();
        // What Ledger.snapshot() does after its consistency check, with the encode timed apart.
        ledger.journal().writeSnapshot(state);
        write[r] = seconds(System.nanoTime() - started);
        snapshotBytes = state.length;
      }
      long sequence = ledger.engine().sequence();
      workload.runUntil(sequence + tail);
      System.out.printf(Locale.ROOT, "snapshot at sequence %,d: %,d B of state (%,d items, %,d"
              + " active holds); tail of %,d events after it%n", sequence, snapshotBytes,
          ledger.engine().itemCount(), ledger.engine().activeHoldCount(),
          ledger.engine().sequence() - sequence);
      report("  Engine.snapshot (encode)", encode, 0);
      report("  Journal.writeSnapshot (write, fsync, rename, dir fsync, retire)", write, 0);
      System.out.printf("  directory now %s%n", sizes(directory));
      return ledger.engine().checksum();
    }
  }

  /** Splits recovery from a snapshot into its parts, warm JIT, in this JVM. */
  private static void snapshotBreakdown(Path directory, int repeats) throws IOException {
    System.out.println("snapshot + tail breakdown in one JVM (warm JIT, one untimed pass first):");
    double[] journalOpen = new double[repeats];
    double[] restore = new double[repeats];
    double[] open = new double[repeats];
    long replayed = 0;
    for (int r = -1; r < repeats; r++) {
      long started = System.nanoTime();
      byte[] state;
      try (Journal journal = Journal.open(FileStorage.open(directory), CONFIG)) {
        state = journal.recoveredSnapshot().orElseThrow().state();
      }
      long journalNanos = System.nanoTime() - started;
      started = System.nanoTime();
      Engine.fromSnapshot(LIMITS, state);
      long restoreNanos = System.nanoTime() - started;
      started = System.nanoTime();
      try (Ledger ledger = Ledger.open(FileStorage.open(directory), CONFIG, LIMITS)) {
        long openNanos = System.nanoTime() - started;
        replayed = ledger.recovered().eventsReplayed();
        if (r >= 0) {
          journalOpen[r] = seconds(journalNanos);
          restore[r] = seconds(restoreNanos);
          open[r] = seconds(openNanos);
        }
      }
    }
    report("  Journal.open (reads and checks the snapshot, scans the tail)", journalOpen, 0);
    report("  Engine.fromSnapshot (decode)", restore, 0);
    report("  Ledger.open (all of it, " + replayed + " events replayed)", open, 0);
  }

  private static void report(String what, double[] seconds, long events) {
    double[] sorted = seconds.clone();
    Arrays.sort(sorted);
    double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
        : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
    StringBuilder all = new StringBuilder();
    for (double s : seconds) {
      all.append(all.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", s));
    }
    if (events > 0) {
      System.out.printf(Locale.ROOT, "%s: median %.3f s (min %.3f, max %.3f) = %,.0f events/s"
              + " (%,.0f .. %,.0f); runs [%s]%n", what, median, sorted[0],
          sorted[sorted.length - 1], events / median, events / sorted[sorted.length - 1],
          events / sorted[0], all);
    } else {
      System.out.printf(Locale.ROOT, "%s: median %.4f s (min %.4f, max %.4f); runs [%s]%n", what,
          median, sorted[0], sorted[sorted.length - 1], all);
    }
  }

  private static String sizes(Path directory) throws IOException {
    List<String> files = new ArrayList<>();
    long total = 0;
    try (Stream<Path> paths = Files.list(directory)) {
      for (Path path : paths.sorted().toList()) {
        long size = Files.size(path);
        total += size;
        files.add(path.getFileName() + "=" + size);
      }
    }
    return String.format(Locale.ROOT, "%d files, %,d B total: %s", files.size(), total,
        files.size() <= 6 ? files : files.subList(files.size() - 3, files.size()));
  }

  private static String option(String[] args, String name, String fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return args[i + 1];
      }
    }
    return fallback;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
