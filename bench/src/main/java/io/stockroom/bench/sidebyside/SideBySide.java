package io.stockroom.bench.sidebyside;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The side-by-side benchmark, one command: the same workloads against Stockroom in process and
 * the baselines, one after another on this machine in this run, then one table (text on stdout;
 * text, Markdown and JSON under {@code --out}). Every run ends with the store checked for
 * conservation; a violated check fails the command (exit 1). The whole run is bounded by
 * {@code --time-limit}: past it the process stops its servers and exits 3.
 *
 * <p>Rows 2 and 5 of the issue (Stockroom over HTTP, the HTTP ceiling) come from the HTTP load
 * generator ({@code io.stockroom.bench.load}) in the same run: see {@link HttpRows}.
 *
 * <p>Run: see docs/BENCHMARKS.md, "Side by side".
 */
@Command(name = "SideBySide", mixinStandardHelpOptions = true,
    description = "Stockroom vs Redis vs PostgreSQL on the same reservation workloads.")
public final class SideBySide implements Callable<Integer> {

  @Option(names = "--warmup", description = "Seconds of warm-up per run, not measured (default ${DEFAULT-VALUE}).")
  int warmupSeconds = 3;

  @Option(names = "--duration", description = "Measured seconds per run (default ${DEFAULT-VALUE}).")
  int durationSeconds = 10;

  @Option(names = "--time-limit", description = "Minutes the whole command may take (default ${DEFAULT-VALUE}).")
  int timeLimitMinutes = 10;

  @Option(names = "--workloads", split = ",", description = "flash-sale, uniform-catalog (default both).")
  List<String> workloads = List.of("flash-sale", "uniform-catalog");

  @Option(names = "--systems", split = ",", description = "stockroom, redis, postgres, http (default ${DEFAULT-VALUE}).")
  List<String> systems = List.of("stockroom", "redis", "postgres", "http");

  @Option(names = "--http-warmup", description = "Seconds of warm-up of each HTTP row (default"
      + " ${DEFAULT-VALUE}): the first HTTP run in the JVM needs longer than --warmup before the"
      + " web server's and client's code is compiled.")
  int httpWarmupSeconds = 15;

  @Option(names = "--http-clients", description = "Concurrent HTTP clients of the three HTTP rows (default ${DEFAULT-VALUE}).")
  int httpClients = 256;

  @Option(names = "--stockroom-clients", description = "Concurrent submitters, one virtual thread each (default ${DEFAULT-VALUE}).")
  int stockroomClients = 1024;

  @Option(names = "--stockroom-in-flight", description = "Commands each submitter keeps queued (default ${DEFAULT-VALUE}).")
  int stockroomInFlight = 16;

  @Option(names = "--stockroom-snapshot-every", description = "snapshotEveryEvents of the second"
      + " Stockroom row (default ${DEFAULT-VALUE}, the product default; 0: no second row). The"
      + " first row, the baseline of the ratios, takes no snapshots.")
  long snapshotEveryEvents = 1_000_000;

  @Option(names = "--stockroom-holds-max", description = "Engine holdsActiveMax: every hold of a run stays active (default ${DEFAULT-VALUE}).")
  int holdsActiveMax = 40_000_000;

  @Option(names = "--stockroom-batch", description = "batchCommandsMax (and journal"
      + " batchRecordsMax = 2x, queueCapacity = 8x) of the Stockroom rows (default"
      + " ${DEFAULT-VALUE}: the product defaults, 4096 / 8192 / 65536).")
  int stockroomBatch = 4_096;

  @Option(names = "--redis-clients", description = "Redis connections (default ${DEFAULT-VALUE}).")
  int redisClients = 32;

  @Option(names = "--redis-pipeline", description = "Requests per pipeline in the pipelined rows (default ${DEFAULT-VALUE}).")
  int redisPipeline = 32;

  @Option(names = "--postgres-clients", description = "PostgreSQL connections (default ${DEFAULT-VALUE}).")
  int postgresClients = 32;

  @Option(names = "--dir", description = "Where journals and server data go (default java.io.tmpdir).")
  Path dataParent = Path.of(System.getProperty("java.io.tmpdir"));

  @Option(names = "--out", description = "Directory for sidebyside.txt, .md, .json (default ${DEFAULT-VALUE}).")
  Path out = Path.of("bench/target/sidebyside");

  @Option(names = "--seed", description = "Seed of the SKU picks (default ${DEFAULT-VALUE}).")
  long seed = 20260101;

  /** One row to run: a system on a workload, with its own clients; the contender is made fresh. */
  private record Entry(String system, int clients, Callable<Contender> contender) {}

  public static void main(String[] args) {
    System.exit(new CommandLine(new SideBySide()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Instant started = Instant.now();
    startWatchdog();
    Report report = new Report();
    for (String workloadName : workloads) {
      Workload workload = workload(workloadName);
      for (Entry entry : entries(workload)) {
        report.add(runOne(workload, entry));
      }
      if (systems.contains("http")) {
        runHttp(workload).forEach(report::add);
      }
    }
    System.out.println();
    System.out.print(report.text());
    Map<String, Object> run = new LinkedHashMap<>();
    run.put("started", started.toString());
    run.put("finished", Instant.now().toString());
    run.put("warmupSeconds", warmupSeconds);
    run.put("durationSeconds", durationSeconds);
    run.put("seed", seed);
    run.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
    // The heap and collector settings move the Stockroom rows (docs/BENCHMARKS.md, "Runs 9 and
    // 10"), so a report says which ones it ran with.
    run.put("jvmOptions", java.lang.management.ManagementFactory.getRuntimeMXBean()
        .getInputArguments());
    run.put("processors", Runtime.getRuntime().availableProcessors());
    report.write(out, run);
    System.out.println("written: " + out.resolve("sidebyside.{txt,md,json}"));
    return report.allCorrect() ? 0 : 1;
  }

  private Workload workload(String name) {
    return switch (name) {
      case "flash-sale" -> Workload.flashSale(Workload.UNITS_PLENTY);
      case "uniform-catalog" -> Workload.uniformCatalog(Workload.UNITS_PLENTY);
      default -> throw new CommandLine.ParameterException(new CommandLine(this),
          "unknown workload " + name + " (flash-sale, uniform-catalog)");
    };
  }

  private List<Entry> entries(Workload workload) {
    List<Entry> entries = new ArrayList<>();
    for (String system : systems) {
      switch (system) {
        case "stockroom" -> {
          entries.add(new Entry("stockroom", stockroomClients,
              () -> new StockroomInProcess(dataParent, stockroomInFlight,
                  StockroomInProcess.SNAPSHOTS_OFF, holdsActiveMax, batching())));
          if (snapshotEveryEvents > 0) {
            entries.add(new Entry("stockroom", stockroomClients,
                () -> new StockroomInProcess(dataParent, stockroomInFlight, snapshotEveryEvents,
                    holdsActiveMax, batching())));
          }
        }
        case "redis" -> {
          for (String fsync : List.of("always", "everysec")) {
            entries.add(new Entry("redis", redisClients,
                () -> new RedisContender(dataParent, fsync, 1)));
            entries.add(new Entry("redis", redisClients,
                () -> new RedisContender(dataParent, fsync, redisPipeline)));
          }
        }
        case "postgres" -> entries.add(new Entry("postgres", postgresClients,
            () -> new PostgresContender(dataParent, postgresClients)));
        case "http" -> { } // not a Contender: the load generator drives it, see runHttp
        default -> throw new CommandLine.ParameterException(new CommandLine(this),
            "unknown system " + system + " (stockroom, redis, postgres, http)");
      }
    }
    return entries;
  }

  private StockroomInProcess.Batching batching() {
    return stockroomBatch == StockroomInProcess.Batching.PRODUCT.batchCommandsMax()
        ? StockroomInProcess.Batching.PRODUCT
        : new StockroomInProcess.Batching(8 * stockroomBatch, stockroomBatch, 2 * stockroomBatch);
  }

  /**
   * Stockroom over HTTP, the HTTP ceiling and the durable ceiling, measured back to back by the
   * load generator.
   */
  private List<Report.Row> runHttp(Workload workload) {
    System.out.printf("%s: Stockroom over HTTP and the two HTTP ceilings, %d clients ...%n",
        workload.name(), httpClients);
    try {
      List<Report.Row> rows = HttpRows.run(workload, httpClients,
          Duration.ofSeconds(httpWarmupSeconds), Duration.ofSeconds(durationSeconds), seed);
      for (Report.Row row : rows) {
        Measurement m = row.measurement();
        System.out.printf("  %s: %,.0f /s, p50 %,.0f µs, p99 %,.0f µs, %s, load %s%n",
            row.system(), m.throughput(), m.p50Micros(), m.p99Micros(),
            m.correct() ? "audit passed" : "VIOLATED " + m.violations(), m.load());
      }
      if (rows.size() == 3) { // Stockroom, the ceiling, the durable ceiling
        double stockroom = rows.get(0).measurement().throughput();
        System.out.printf("  Stockroom over HTTP reserves at %.0f %% of the ceiling's rate"
            + " (target: at least 60 %%) and at %.0f %% of the durable ceiling's%n",
            100 * stockroom / rows.get(1).measurement().throughput(),
            100 * stockroom / rows.get(2).measurement().throughput());
      }
      return rows;
    } catch (RuntimeException e) {
      System.out.printf("  failed: %s%n", e);
      e.printStackTrace();
      return List.of(new Report.Row(workload.name(), "Stockroom over HTTP", null,
          String.valueOf(e.getMessage())));
    }
  }

  private Report.Row runOne(Workload workload, Entry entry) {
    Trial.Settings settings = new Trial.Settings(entry.clients(),
        Duration.ofSeconds(warmupSeconds), Duration.ofSeconds(durationSeconds), false, seed);
    String name = entry.system();
    try (Contender contender = entry.contender().call()) {
      System.out.printf("%s: %s, %d clients ...%n", workload.name(), contender.name(),
          entry.clients());
      Measurement m = Trial.run(contender, workload, settings);
      name = contender.name();
      System.out.printf("  %,.0f reservations/s, p50 %,.0f µs, p99 %,.0f µs, %s, load %s%n",
          m.throughput(), m.p50Micros(), m.p99Micros(),
          m.correct() ? "store conserved" : "VIOLATED " + m.violations(), m.load());
      return new Report.Row(workload.name(), name, m, null);
    } catch (Exception e) {
      System.out.printf("  failed: %s%n", e);
      e.printStackTrace();
      return new Report.Row(workload.name(), name, null, String.valueOf(e.getMessage()));
    }
  }

  /** The hard bound: shutdown hooks stop the servers this run started. */
  private void startWatchdog() {
    Thread.ofPlatform().daemon().name("time-limit").start(() -> {
      try {
        Thread.sleep(Duration.ofMinutes(timeLimitMinutes));
        System.err.printf("time limit of %d minutes reached: stopping%n", timeLimitMinutes);
        System.exit(3);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }
}
