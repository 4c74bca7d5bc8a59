package io.stockroom.bench.load;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The load generator's entry point: {@code LoadTest.run(config)} drives a Stockroom (or the
 * trivial ceiling endpoint) as {@link LoadConfig} says and returns a {@link LoadReport}.
 *
 * <pre>{@code
 * LoadReport report = LoadTest.run(LoadConfig.builder(LoadConfig.Scenario.FLASH_SALE)
 *     .units(100).concurrency(1_000).build());
 * report.audit().passed();          // oversold 0, undersold 0, units conserved, log matches
 * report.latency().p99();           // ms
 * }</pre>
 *
 * <p>A run: start the target (in-process unless a URL is given), set it up through the API
 * (items, stock), optionally warm up, drive the measured phase, read back the final stock and
 * the event log and audit them, stop the target. With {@code withCeiling} the trivial endpoint
 * is driven first with the same settings, in the same process, and its report is attached. The
 * whole run ends by {@code hardTimeout} whatever happens: what still runs then is abandoned
 * and the audit is skipped.
 */
public final class LoadTest {

  private static final long TICK_MILLIS = 250;
  private static final int TICKS_PER_SAMPLE = 4; // one timeline row per second
  /** The longest wait after a warm-up for the JIT to catch up (it is counted in the hard bound). */
  private static final long SETTLE_MILLIS_MAX = 10_000;

  private LoadTest() {}

  public static LoadReport run(LoadConfig config) {
    return run(config, progress -> { });
  }

  /** Runs, telling {@code progress} how it goes about four times a second. */
  public static LoadReport run(LoadConfig config, Consumer<Progress> progress) {
    return run(config, progress, CeilingServer.Stall.NONE);
  }

  /** As above, with the ceiling endpoint stalling as {@code stall} says (tests). */
  static LoadReport run(LoadConfig config, Consumer<Progress> progress,
      CeilingServer.Stall stall) {
    long hardDeadline = System.nanoTime() + config.hardTimeout.toNanos();
    AtomicBoolean stop = new AtomicBoolean();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
        Thread.ofPlatform().daemon().name("loadtest-timer").factory());
    timer.schedule(() -> stop.set(true), config.hardTimeout.toNanos(), TimeUnit.NANOSECONDS);
    try {
      Run run = new Run(config, progress, timer, hardDeadline, stop);
      LoadReport ceiling = config.withCeiling
          ? run.ceiling(config.as(LoadConfig.Scenario.CEILING), Workloads.ceilingOf(config),
              CeilingServer.Stall.NONE) : null;
      LoadReport report = switch (config.scenario) {
        case CEILING -> run.ceiling(config, new Ceiling(), stall);
        case DURABLE_CEILING -> {
          try (GroupCommitStall durable = GroupCommitStall.open()) {
            yield run.ceiling(config, Ceiling.durable(), durable);
          }
        }
        default -> run.stockroom();
      };
      return ceiling == null ? report : report.withCeiling(ceiling);
    } finally {
      timer.shutdownNow();
    }
  }

  /** One invocation's shared state. */
  private record Run(LoadConfig config, Consumer<Progress> progress,
      ScheduledExecutorService timer, long hardDeadline, AtomicBoolean stop) {

    /** {@code workload} against the ceiling server, after a warm-up ({@link Ceiling#warmup}). */
    LoadReport ceiling(LoadConfig ceiling, Ceiling workload, CeilingServer.Stall stall) {
      try (CeilingServer server = CeilingServer.start(stall);
          Http http = Http.open(ceiling.client, server.uri(), CeilingServer.KEY,
              ceiling.concurrency,
              ceiling.requestTimeout)) {
        long settled = -1;
        if (!ceiling.warmup.isZero()) {
          measure("warmup", Ceiling.warmup(), http, ceiling.withDuration(ceiling.warmup),
              Outcomes.discarded());
          settled = settle();
        }
        return withFigure(measure("ceiling", workload, http, ceiling, Outcomes.discarded()),
            "jitSettleMillis", settled);
      }
    }

    LoadReport stockroom() {
      String prefix = "lt" + Long.toString(System.currentTimeMillis(), 36);
      Workload workload = Workloads.of(config, prefix);
      try (Target target = config.embedded() ? Target.embedded()
              : Target.remote(config.url, config.key);
          Http http = Http.open(config.client, target.uri(), target.key(),
              config.concurrency, config.requestTimeout)) {
        progress.accept(new Progress("setup", 0, 0, 0, 0, 0, 0));
        long settled = -1;
        long firstSequence = AuditReader.sequence(http);
        workload.setup(http);
        if (!config.warmup.isZero()) {
          Workload warmup = Workloads.warmup(prefix, config);
          warmup.setup(http);
          measure("warmup", warmup, http, config.as(LoadConfig.Scenario.RESERVE)
              .withDuration(config.warmup), Outcomes.discarded());
          settled = settle();
        }
        Outcomes outcomes = config.audit ? Outcomes.recorded() : Outcomes.discarded();
        workload.startBackground(target.uri(), target.key());
        LoadReport report;
        try {
          report = measure("run", workload, http, config, outcomes);
        } finally {
          workload.stopBackground();
        }
        AuditResult audit = null;
        if (config.audit && !workload.auditedSkus().isEmpty() && !stop.get()) {
          progress.accept(new Progress("audit", 0, report.requests(), report.errors(), 0, 0, 0));
          audit = AuditReader.audit(http, firstSequence, workload, outcomes);
        }
        return withAudit(withFigure(report, "jitSettleMillis", settled), audit, workload);
      }
    }

    /**
     * After a warm-up: lets the JIT finish compiling what the warm-up made hot, at most
     * {@link #SETTLE_MILLIS_MAX} (see {@link JitSettle}).
     */
    private long settle() {
      progress.accept(new Progress("settle", 0, 0, 0, 0, 0, 0));
      return JitSettle.await(SETTLE_MILLIS_MAX, stop);
    }

    /**
     * {@code report} with one more figure, unless {@code value} is negative (not measured). Its
     * figures are the map report() built for it here, not shared with anything else.
     */
    private static LoadReport withFigure(LoadReport report, String name, long value) {
      if (value >= 0) {
        report.figures().put(name, value);
      }
      return report;
    }

    private LoadReport measure(String phaseName, Workload workload, Http http, LoadConfig run,
        Outcomes outcomes) {
      Measurements measurements = new Measurements();
      Phase phase = new Phase(workload, http, measurements, outcomes, run, hardDeadline, stop);
      long[] ticks = {0, 0}; // ticks, requests at the last sample
      long started = System.nanoTime();
      var ticker = timer.scheduleAtFixedRate(() -> {
        long elapsed = (System.nanoTime() - started) / 1_000_000;
        if (++ticks[0] % TICKS_PER_SAMPLE == 0) {
          measurements.sample(elapsed);
        }
        long requests = measurements.requests();
        progress.accept(new Progress(phaseName, elapsed, requests, measurements.errors(),
            phase.inFlight(), phase.waiting(), rateOverLastSecond(measurements)));
      }, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
      Phase.Result result;
      long cpuStarted = processCpuNanos();
      try {
        result = phase.run(run.duration.toNanos());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("load test interrupted", e);
      } finally {
        ticker.cancel(false);
      }
      long cpuNanos = processCpuNanos() - cpuStarted;
      measurements.sample((System.nanoTime() - started) / 1_000_000);
      return report(workload, run, measurements, result, stop.get(), cpuNanos);
    }

    /**
     * CPU time this process (generator and, when embedded, the service) has used, or -1 where
     * the JVM cannot tell. Per request it is what a saturated machine divides its cores by, so
     * it compares two runs even when other processes took the CPU from one of them.
     */
    private static long processCpuNanos() {
      return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
          instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    private static double rateOverLastSecond(Measurements measurements) {
      var timeline = measurements.timeline();
      return timeline.isEmpty() ? 0 : timeline.get(timeline.size() - 1).requests();
    }

    private static LoadReport report(Workload workload, LoadConfig run, Measurements m,
        Phase.Result result, boolean stopped, long cpuNanos) {
      long durationNanos = Math.max(1, result.endNanos() - result.startNanos());
      Histogram all = m.all();
      Map<String, LoadReport.Latency> operations = new LinkedHashMap<>();
      m.byOperation().forEach((operation, h) -> operations.put(operation,
          LoadReport.Latency.of(h)));
      Map<String, Number> figures = new LinkedHashMap<>();
      figures.put("sessions", result.sessions());
      figures.putAll(workload.figures());
      if (cpuNanos >= 0 && all.getTotalCount() > 0) {
        // Rounded to 0.1 µs: enough for a ratio, and the JSON stays readable.
        figures.put("cpuMicrosPerRequest",
            Math.round(cpuNanos / 100.0 / all.getTotalCount()) / 10.0);
      }
      if (stopped) {
        figures.put("hardTimeoutReached", 1);
      }
      return new LoadReport(workload.name(), run.loop.name().toLowerCase(),
          run.client.name().toLowerCase(), run.concurrency,
          run.loop == LoadConfig.Loop.OPEN ? run.ratePerSecond : 0,
          durationNanos / 1_000_000, all.getTotalCount(),
          all.getTotalCount() * 1e9 / durationNanos, LoadReport.Latency.of(all), operations,
          m.statuses(), m.errors(), result.unsent(), figures, null, m.timeline(), null, all);
    }

    private static LoadReport withAudit(LoadReport r, AuditResult audit, Workload workload) {
      return new LoadReport(r.scenario(), r.loop(), r.client(), r.concurrency(),
          r.ratePerSecond(), r.durationMillis(), r.requests(), r.throughputPerSecond(),
          r.latency(), r.operations(), r.statuses(), r.errors(), r.unsent(), r.figures(), audit,
          r.timeline(), r.ceiling(), r.histogram());
    }
  }
}
