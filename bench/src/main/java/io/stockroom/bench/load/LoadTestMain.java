package io.stockroom.bench.load;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./stockroom loadtest ...}: runs one {@link LoadTest} and prints its summary; exit code
 * 0 when the run completed and its audit (if any) passed, 1 when the audit failed or the run
 * could not be completed, 2 for a bad command line. See docs/BENCHMARKS.md "Load generator".
 */
@Command(name = "stockroom loadtest", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Drives a Stockroom (one started in-process, or --url/--key) and reports "
        + "throughput, latency percentiles, statuses and an audit of the final state.")
public final class LoadTestMain implements Callable<Integer> {

  @Option(names = "--scenario", defaultValue = "flash-sale",
      description = "flash-sale, checkout-mix, storefront, reserve, ceiling or durable-ceiling"
          + " (default flash-sale)",
      converter = ScenarioConverter.class)
  LoadConfig.Scenario scenario;

  @Option(names = "--url", description = "a running Stockroom (default: start one in-process)")
  URI url;

  @Option(names = "--key", description = "an admin API key of that Stockroom")
  String key;

  @Option(names = "--embedded", description = "start a Stockroom in-process (the default"
      + " without --url)")
  boolean embedded;

  @Option(names = "--loop", defaultValue = "closed", description = "closed or open (default"
      + " ${DEFAULT-VALUE})", converter = LoopConverter.class)
  LoadConfig.Loop loop;

  @Option(names = {"-c", "--concurrency"}, defaultValue = "64", description = "closed: concurrent"
      + " clients (flash sale: buyers); open: requests in flight at most (default ${DEFAULT-VALUE})")
  int concurrency;

  @Option(names = "--rate", defaultValue = "1000", description = "open loop: sessions per second"
      + " (default ${DEFAULT-VALUE})")
  int rate;

  @Option(names = {"-d", "--duration"}, defaultValue = "10s", converter = DurationConverter.class,
      description = "measured phase, e.g. 30s, 2m (default ${DEFAULT-VALUE})")
  Duration duration;

  @Option(names = "--warmup", defaultValue = "0s", converter = DurationConverter.class,
      description = "reserve/release load before measuring (default ${DEFAULT-VALUE})")
  Duration warmup;

  @Option(names = "--timeout", converter = DurationConverter.class, description = "hard bound"
      + " on the whole run (default 2 x (duration + warmup) + 60s)")
  Duration timeout;

  @Option(names = "--request-timeout", defaultValue = "10s", converter = DurationConverter.class,
      description = "per request (default ${DEFAULT-VALUE})")
  Duration requestTimeout;

  @Option(names = "--client", defaultValue = "helidon", converter = ClientConverter.class,
      description = "helidon or jdk (default ${DEFAULT-VALUE})")
  LoadConfig.Client client;

  @Option(names = "--units", defaultValue = "100", description = "flash sale: units of the hot"
      + " SKU (default ${DEFAULT-VALUE})")
  int units;

  @Option(names = "--skus", defaultValue = "100", description = "catalog size (default"
      + " ${DEFAULT-VALUE})")
  int skus;

  @Option(names = "--stock", defaultValue = "1000000", description = "units per catalog SKU"
      + " (default ${DEFAULT-VALUE})")
  long stock;

  @Option(names = "--confirm-share", defaultValue = "0.6", description = "checkout mix"
      + " (default ${DEFAULT-VALUE})")
  double confirmShare;

  @Option(names = "--release-share", defaultValue = "0.3", description = "checkout mix; the"
      + " rest abandon their hold to expire (default ${DEFAULT-VALUE})")
  double releaseShare;

  @Option(names = "--ttl", defaultValue = "5", description = "hold ttlSeconds (default"
      + " ${DEFAULT-VALUE})")
  int ttl;

  @Option(names = "--subscribers", defaultValue = "50", description = "storefront: SSE"
      + " subscribers (default ${DEFAULT-VALUE})")
  int subscribers;

  @Option(names = "--write-share", defaultValue = "0.05", description = "storefront: share of"
      + " reserve+release sessions (default ${DEFAULT-VALUE})")
  double writeShare;

  @Option(names = "--with-ceiling", description = "first drive the trivial endpoint with the"
      + " same settings and report the ratio (flash sale: the same burst of buyers, the"
      + " latency floor)")
  boolean withCeiling;

  @Option(names = "--no-audit",
      description = "skip the audit (and keep no record of the reservations for it)")
  boolean noAudit;

  @Option(names = "--seed", defaultValue = "42", description = "default ${DEFAULT-VALUE}")
  long seed;

  @Option(names = "--json", description = "write the report as JSON to this file")
  Path json;

  @Option(names = "--html", description = "write the report as a self-contained HTML page")
  Path html;

  @Option(names = "--quiet", description = "no live status line")
  boolean quiet;

  /** Held so that its level sticks (java.util.logging keeps loggers weakly). */
  private static final java.util.logging.Logger HELIDON_LOG =
      java.util.logging.Logger.getLogger("io.helidon");

  public static void main(String[] args) {
    // Before any logger exists: the embedded service logs warnings only, to stderr, so that
    // stdout is the summary alone.
    System.setProperty("logback.configurationFile", "loadtest-logback.xml");
    org.slf4j.LoggerFactory.getILoggerFactory(); // now, on one thread: no replayed messages
    HELIDON_LOG.setLevel(java.util.logging.Level.WARNING); // the ceiling server's start lines
    CommandLine line = new CommandLine(new LoadTestMain());
    line.setParameterExceptionHandler((error, given) -> {
      error.getCommandLine().getErr().println("stockroom loadtest: " + error.getMessage()
          + " (see --help)");
      return 2;
    });
    line.setExecutionExceptionHandler((error, failed, parsed) -> {
      failed.getErr().println("\nstockroom loadtest: " + error.getMessage());
      return error instanceof IllegalArgumentException ? 2 : 1;
    });
    line.setErr(new PrintWriter(System.err, true));
    System.exit(line.execute(args));
  }

  @Override
  public Integer call() throws Exception {
    if (embedded && url != null) {
      throw new IllegalArgumentException("--embedded and --url exclude each other");
    }
    LoadConfig.Builder builder = LoadConfig.builder(scenario).loop(loop).client(client)
        .concurrency(concurrency).ratePerSecond(rate).duration(duration).warmup(warmup)
        .hardTimeout(timeout).requestTimeout(requestTimeout).units(units).skus(skus)
        .stockPerSku(stock).shares(confirmShare, releaseShare).holdTtlSeconds(ttl)
        .subscribers(subscribers).writeShare(writeShare).withCeiling(withCeiling)
        .audit(!noAudit).seed(seed);
    if (url != null || key != null) {
      builder.target(url, key);
    }
    LiveStatus status = new LiveStatus(System.err);
    LoadReport report;
    try {
      report = LoadTest.run(builder.build(), quiet ? p -> { } : status);
    } finally {
      status.finish();
    }
    System.out.print(TextSummary.of(report));
    if (json != null) {
      JsonReport.write(report, json);
    }
    if (html != null) {
      HtmlReport.write(report, html);
    }
    if (report.figures().containsKey("hardTimeoutReached")) {
      System.err.println("stockroom loadtest: the hard time bound (--timeout) ended the run;"
          + " what still ran was abandoned and the audit skipped");
      return 1;
    }
    return report.audit() == null || report.audit().passed() ? 0 : 1;
  }

  /** {@code 30s}, {@code 2m}, {@code 500ms} or ISO-8601 ({@code PT30S}). */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(java.util.Locale.ROOT);
      if (v.startsWith("pt")) {
        return Duration.parse(v);
      }
      if (v.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
      }
      long amount = Long.parseLong(v.substring(0, v.length() - 1));
      return switch (v.charAt(v.length() - 1)) {
        case 's' -> Duration.ofSeconds(amount);
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        default -> throw new CommandLine.TypeConversionException("not a duration: " + value
            + " (e.g. 30s, 2m, 500ms)");
      };
    }
  }

  static final class ScenarioConverter implements CommandLine.ITypeConverter<LoadConfig.Scenario> {
    @Override
    public LoadConfig.Scenario convert(String value) {
      return LoadConfig.Scenario.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT)
          .replace('-', '_'));
    }
  }

  static final class LoopConverter implements CommandLine.ITypeConverter<LoadConfig.Loop> {
    @Override
    public LoadConfig.Loop convert(String value) {
      return LoadConfig.Loop.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
    }
  }

  static final class ClientConverter implements CommandLine.ITypeConverter<LoadConfig.Client> {
    @Override
    public LoadConfig.Client convert(String value) {
      return LoadConfig.Client.valueOf(value.trim().toUpperCase(java.util.Locale.ROOT));
    }
  }
}
