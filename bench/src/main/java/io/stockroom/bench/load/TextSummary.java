package io.stockroom.bench.load;

import java.util.Locale;
import java.util.Map;

/** The plain-text summary printed at the end of a run. */
final class TextSummary {

  private TextSummary() {}

  static String of(LoadReport report) {
    StringBuilder out = new StringBuilder();
    if (report.ceiling() != null) {
      section(out, report.ceiling());
      out.append('\n');
    }
    section(out, report);
    if (report.ceiling() != null) {
      out.append(String.format(Locale.ROOT, "%n%s vs %s: %.0f / %.0f requests/s = %.1f %%%n",
          report.scenario(), report.ceiling().scenario(), report.throughputPerSecond(),
          report.ceiling().throughputPerSecond(), 100 * report.ratioToCeiling()));
      // For a burst (the flash sale) the latency is the figure: the ceiling's is the floor.
      out.append(String.format(Locale.ROOT, "%s vs %s, latency p50 %.1f / %.1f ms, p99 %.1f /"
              + " %.1f ms%n", report.scenario(), report.ceiling().scenario(),
          report.latency().p50(), report.ceiling().latency().p50(), report.latency().p99(),
          report.ceiling().latency().p99()));
      Number cpu = report.figures().get("cpuMicrosPerRequest");
      Number ceilingCpu = report.ceiling().figures().get("cpuMicrosPerRequest");
      if (cpu != null && ceilingCpu != null) {
        // What the ratio would be if both runs had had the whole machine to themselves.
        out.append(String.format(Locale.ROOT, "%s vs %s, CPU per request: %.1f / %.1f µs"
                + " = %.1f %%%n", report.scenario(), report.ceiling().scenario(),
            cpu.doubleValue(), ceilingCpu.doubleValue(),
            100 * ceilingCpu.doubleValue() / cpu.doubleValue()));
      }
    }
    return out.toString();
  }

  private static void section(StringBuilder out, LoadReport r) {
    out.append(String.format(Locale.ROOT, "%s, %s loop, %s client, %s%n", r.scenario(),
        r.loop(), r.client(), r.loop().equals("open")
            ? r.ratePerSecond() + " sessions/s, at most " + r.concurrency() + " in flight"
            : r.concurrency() + " concurrent clients"));
    out.append(String.format(Locale.ROOT,
        "  %,d requests in %.2f s = %,.0f requests/s; errors %,d; unsent %,d%n",
        r.requests(), r.durationMillis() / 1000.0, r.throughputPerSecond(), r.errors(),
        r.unsent()));
    out.append(String.format(Locale.ROOT, "  %-10s %9s %9s %9s %9s %9s %9s %10s%n", "latency ms",
        "p50", "p90", "p99", "p99.9", "max", "mean", "count"));
    latency(out, "all", r.latency());
    r.operations().forEach((operation, latency) -> latency(out, operation, latency));
    out.append("  statuses:");
    r.statuses().forEach((status, count) -> out.append(' ').append(status).append('=')
        .append(count));
    out.append('\n');
    if (!r.figures().isEmpty()) {
      out.append("  figures:");
      for (Map.Entry<String, Number> figure : r.figures().entrySet()) {
        out.append(' ').append(figure.getKey()).append('=').append(figure.getValue());
      }
      out.append('\n');
    }
    audit(out, r.audit());
  }

  private static void latency(StringBuilder out, String name, LoadReport.Latency l) {
    out.append(String.format(Locale.ROOT, "  %-10s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %,10d%n",
        name, l.p50(), l.p90(), l.p99(), l.p999(), l.max(), l.mean(), l.count()));
  }

  private static void audit(StringBuilder out, AuditResult a) {
    if (a == null) {
      return;
    }
    out.append(String.format(Locale.ROOT,
        "  audit %s: oversold %d, undersold %s, units %s; reservations acknowledged %,d,"
            + " refused %,d, unknown %,d; acknowledged but missing %d, refused but present %d;"
            + " %,d events read%n",
        a.passed() ? "PASSED" : "FAILED", a.oversold(),
        a.undersold() < 0 ? "n/a" : Long.toString(a.undersold()),
        a.unitsConserved() ? "conserved" : "NOT conserved", a.acknowledged(), a.rejected(),
        a.unknown(), a.acknowledgedMissing(), a.rejectedPresent(), a.eventsRead()));
    a.violations().forEach(v -> out.append("    ").append(v).append('\n'));
  }
}
