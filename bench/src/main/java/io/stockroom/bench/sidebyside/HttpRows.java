package io.stockroom.bench.sidebyside;

import io.stockroom.bench.load.LoadConfig;
import io.stockroom.bench.load.LoadReport;
import io.stockroom.bench.load.LoadTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Rows 2 and 5 of the side-by-side table: Stockroom over HTTP (a real service on a random port,
 * one-unit {@code POST /v1/reservations}) and the HTTP ceiling (a trivial endpoint on the same
 * web server, same settings), both driven by the load generator in one call, so the ratio
 * between them is taken on the same machine at the same moment; then the durable ceiling (the
 * same endpoint answering after a group-committed {@code fdatasync}), which says how much of
 * the gap between the two is durability itself. The load generator's own audit
 * (nothing oversold, every acknowledged reservation in the event log, every refused one absent)
 * is this row's correctness check.
 */
final class HttpRows {

  private HttpRows() {}

  static List<Report.Row> run(Workload workload, int clients, Duration warmup, Duration measured,
      long seed) {
    LoadConfig config = LoadConfig.builder(LoadConfig.Scenario.RESERVE)
        .concurrency(clients)
        .skus(workload.skus())
        .stockPerSku(Workload.UNITS_PLENTY)
        .holdTtlSeconds(3_600) // nothing expires inside the window
        .warmup(warmup)
        .duration(measured)
        .withCeiling(true)
        .audit(true)
        .seed(seed)
        .build();
    LoadReport stockroom = LoadTest.run(config);
    List<Report.Row> rows = new ArrayList<>();
    rows.add(row(workload, "Stockroom over HTTP (" + stockroom.client() + " client)", clients,
        stockroom, "reserve 201", violations(stockroom)));
    LoadReport ceiling = stockroom.ceiling();
    if (ceiling != null) {
      rows.add(row(workload, "HTTP ceiling: trivial endpoint, same web server", clients, ceiling,
          null, List.of()));
    }
    LoadReport durable = LoadTest.run(LoadConfig.builder(LoadConfig.Scenario.DURABLE_CEILING)
        .concurrency(clients).warmup(warmup).duration(measured).audit(false).seed(seed)
        .build());
    rows.add(row(workload, "HTTP durable ceiling: the same endpoint after a group-committed"
        + " fdatasync", clients, durable, null, failures(durable)));
    return rows;
  }

  private static List<String> violations(LoadReport report) {
    List<String> violations = new ArrayList<>();
    if (report.audit() == null) {
      violations.add("the load generator's audit did not run");
    } else if (!report.audit().passed()) {
      violations.addAll(report.audit().violations());
    }
    violations.addAll(failures(report));
    return violations;
  }

  private static List<String> failures(LoadReport report) {
    return report.errors() == 0 ? List.of() : List.of(report.errors()
        + " requests failed or got an unexpected status: " + report.statuses());
  }

  /** {@code acceptedStatus}: the status key that counts as a success; null: every request. */
  private static Report.Row row(Workload workload, String name, int clients, LoadReport report,
      String acceptedStatus, List<String> violations) {
    long accepted = acceptedStatus == null ? report.requests()
        : report.statuses().getOrDefault(acceptedStatus, 0L);
    double seconds = Math.max(1, report.durationMillis()) / 1e3;
    Measurement measurement = new Measurement(name, workload.name(), clients, 1, seconds,
        accepted, report.requests() - accepted, nanos(report.histogram()), accepted, -1,
        violations, Trial.loadAverage());
    return new Report.Row(workload.name(), name, measurement, null);
  }

  /** The load generator records microseconds; the table's histograms are in nanoseconds. */
  private static Histogram nanos(Histogram micros) {
    Histogram nanos = new Histogram(3);
    for (HistogramIterationValue value : micros.recordedValues()) {
      nanos.recordValueWithCount(value.getValueIteratedTo() * 1_000,
          value.getCountAtValueIteratedTo());
    }
    return nanos;
  }
}
