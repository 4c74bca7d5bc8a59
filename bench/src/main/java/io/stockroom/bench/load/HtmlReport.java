package io.stockroom.bench.load;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * The report as one self-contained HTML page: throughput and latency over time and latency by
 * percentile as inline SVG drawn here, then the figures as tables. Nothing is loaded from
 * anywhere, so the file can be mailed or attached to an issue as it is.
 */
final class HtmlReport {

  private static final int WIDTH = 760;
  private static final int HEIGHT = 260;
  private static final int LEFT = 64;
  private static final int RIGHT = 16;
  private static final int TOP = 28;
  private static final int BOTTOM = 36;
  private static final double[] PERCENTILES = {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.99, 100};
  private static final String[] PERCENTILE_LABELS = {"min", "50", "75", "90", "95", "99",
      "99.5", "99.9", "99.99", "max"};

  /** One line of a chart. */
  record Series(String name, String color, double[] x, double[] y) {}

  private HtmlReport() {}

  static void write(LoadReport report, Path file) throws IOException {
    Files.writeString(file, of(report), StandardCharsets.UTF_8);
  }

  static String of(LoadReport report) {
    StringBuilder html = new StringBuilder(32_768);
    html.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<title>Stockroom load test: ").append(escape(report.scenario()))
        .append("</title><style>")
        .append("body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;max-width:820px}")
        .append("h1{font-size:20px}h2{font-size:16px;margin-top:28px}")
        .append("table{border-collapse:collapse;margin:8px 0}td,th{padding:3px 10px;")
        .append("border-bottom:1px solid #ddd;text-align:right}th:first-child,td:first-child")
        .append("{text-align:left}.pass{color:#116611;font-weight:bold}.fail{color:#b00;")
        .append("font-weight:bold}svg{display:block;margin:8px 0}pre{white-space:pre-wrap}")
        .append("</style></head><body>");
    html.append("<h1>Stockroom load test: ").append(escape(report.scenario())).append("</h1>");
    html.append("<p>").append(escape(describe(report))).append("</p>");
    html.append(throughputChart(report));
    html.append(latencyChart(report));
    html.append(percentileChart(report));
    if (report.ceiling() != null) {
      html.append(String.format(Locale.ROOT, "<h2>Against the ceiling</h2><p>%s: %,.0f"
              + " requests/s; trivial endpoint: %,.0f requests/s; ratio <b>%.1f %%</b>.</p>",
          escape(report.scenario()), report.throughputPerSecond(),
          report.ceiling().throughputPerSecond(), 100 * report.ratioToCeiling()));
    }
    tables(html, report);
    if (report.ceiling() != null) {
      html.append("<h2>Ceiling run</h2><p>").append(escape(describe(report.ceiling())))
          .append("</p>");
      tables(html, report.ceiling());
    }
    html.append("<h2>Summary as text</h2><pre>").append(escape(TextSummary.of(report)))
        .append("</pre></body></html>\n");
    return html.toString();
  }

  private static String describe(LoadReport r) {
    return String.format(Locale.ROOT, "%s loop, %s client, %s; %,d requests in %.2f s ="
            + " %,.0f requests/s; errors %,d; unsent %,d.", r.loop(), r.client(),
        r.loop().equals("open") ? r.ratePerSecond() + " sessions/s, at most " + r.concurrency()
            + " in flight" : r.concurrency() + " concurrent clients", r.requests(),
        r.durationMillis() / 1000.0, r.throughputPerSecond(), r.errors(), r.unsent());
  }

  private static String throughputChart(LoadReport report) {
    List<Series> series = new ArrayList<>();
    series.add(rateSeries(report.scenario(), "#1f6fb2", report));
    if (report.ceiling() != null) {
      series.add(rateSeries("ceiling", "#999999", report.ceiling()));
    }
    return chart("Throughput (requests completed per second)", "seconds", "requests/s",
        series, false, null);
  }

  private static String latencyChart(LoadReport report) {
    return chart("Latency over time (ms, log scale)", "seconds", "ms", List.of(
        timelineSeries("p50", "#2a9d3a", report, LoadReport.Interval::p50),
        timelineSeries("p99", "#e08a00", report, LoadReport.Interval::p99),
        timelineSeries("max", "#c0392b", report, LoadReport.Interval::max)), true, null);
  }

  private static String percentileChart(LoadReport report) {
    List<Series> series = new ArrayList<>();
    series.add(percentileSeries(report.scenario(), "#1f6fb2", report.histogram()));
    if (report.ceiling() != null) {
      series.add(percentileSeries("ceiling", "#999999", report.ceiling().histogram()));
    }
    return chart("Latency by percentile (ms, log scale)", "percentile", "ms", series, true,
        PERCENTILE_LABELS);
  }

  private static Series timelineSeries(String name, String color, LoadReport report,
      java.util.function.ToDoubleFunction<LoadReport.Interval> value) {
    List<LoadReport.Interval> rows = report.timeline();
    double[] x = new double[rows.size()];
    double[] y = new double[rows.size()];
    for (int i = 0; i < rows.size(); i++) {
      x[i] = rows.get(i).atMillis() / 1000.0;
      y[i] = value.applyAsDouble(rows.get(i));
    }
    return new Series(name, color, x, y);
  }

  /** Requests per second of each row (the last row may be shorter than a second). */
  private static Series rateSeries(String name, String color, LoadReport report) {
    List<LoadReport.Interval> rows = report.timeline();
    double[] x = new double[rows.size()];
    double[] y = new double[rows.size()];
    long previous = 0;
    for (int i = 0; i < rows.size(); i++) {
      long at = rows.get(i).atMillis();
      x[i] = at / 1000.0;
      y[i] = rows.get(i).requests() * 1000.0 / Math.max(1, at - previous);
      previous = at;
    }
    return new Series(name, color, x, y);
  }

  private static Series percentileSeries(String name, String color, Histogram histogram) {
    double[] x = new double[PERCENTILES.length];
    double[] y = new double[PERCENTILES.length];
    for (int i = 0; i < PERCENTILES.length; i++) {
      x[i] = i;
      long micros = PERCENTILES[i] == 0 ? histogram.getMinValue()
          : histogram.getValueAtPercentile(PERCENTILES[i]);
      y[i] = micros / 1000.0;
    }
    return new Series(name, color, x, y);
  }

  /** A line chart: axes with five ticks each, a legend, one polyline per series. */
  static String chart(String title, String xLabel, String yLabel, List<Series> series,
      boolean logY, String[] xTicks) {
    double xMax = 1e-9;
    double yMax = 1e-9;
    double yMin = Double.MAX_VALUE;
    for (Series s : series) {
      for (int i = 0; i < s.x.length; i++) {
        xMax = Math.max(xMax, s.x[i]);
        yMax = Math.max(yMax, s.y[i]);
        yMin = Math.min(yMin, s.y[i] > 0 ? s.y[i] : yMin);
      }
    }
    Scale y = logY ? Scale.log(Math.min(yMin, yMax), yMax) : Scale.linear(yMax * 1.1);
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"%s\">", WIDTH, HEIGHT,
        WIDTH, HEIGHT, escape(title)));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"16\" font-size=\"13\""
        + " font-weight=\"bold\">%s</text>", LEFT, escape(title)));
    int plotW = WIDTH - LEFT - RIGHT;
    int plotH = HEIGHT - TOP - BOTTOM;
    svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
        + " fill=\"#fafafa\" stroke=\"#ccc\"/>", LEFT, TOP, plotW, plotH));
    for (int t = 0; t <= 4; t++) {
      double fraction = t / 4.0;
      double py = TOP + plotH * (1 - fraction);
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\""
              + " stroke=\"#e4e4e4\"/><text x=\"%d\" y=\"%.1f\" font-size=\"11\""
              + " text-anchor=\"end\">%s</text>", LEFT, LEFT + plotW, py, py, LEFT - 6, py + 4,
          number(y.valueAt(fraction))));
      if (xTicks == null) {
        xTick(svg, LEFT + plotW * fraction, TOP + plotH + 14, number(xMax * fraction));
      }
    }
    for (int i = 0; xTicks != null && i < xTicks.length; i++) {
      xTick(svg, LEFT + plotW * (i / xMax), TOP + plotH + 14, xTicks[i]);
    }
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\""
        + " text-anchor=\"middle\">%s</text>", LEFT + plotW / 2, HEIGHT - 4, escape(xLabel)));
    svg.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%d\" font-size=\"11\""
        + " transform=\"rotate(-90 12 %d)\" text-anchor=\"middle\">%s</text>",
        TOP + plotH / 2, TOP + plotH / 2, escape(yLabel)));
    int legendX = LEFT + 8;
    for (Series s : series) {
      StringBuilder points = new StringBuilder();
      for (int i = 0; i < s.x.length; i++) {
        double px = LEFT + plotW * (s.x[i] / xMax);
        double py = TOP + plotH * (1 - y.fractionOf(s.y[i]));
        points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, py));
      }
      svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"").append(s.color)
          .append("\" points=\"").append(points).append("\"/>");
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"3\""
          + " fill=\"%s\"/><text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>", legendX,
          TOP + 10, s.color, legendX + 16, TOP + 14, escape(s.name)));
      legendX += 28 + 7 * s.name.length();
    }
    return svg.append("</svg>").toString();
  }

  private static void xTick(StringBuilder svg, double x, int y, String label) {
    svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\""
        + " text-anchor=\"middle\">%s</text>", x, y, escape(label)));
  }

  /** Maps values to the plot's height, linearly from 0 or logarithmically between two bounds. */
  private record Scale(boolean log, double low, double high) {
    static Scale linear(double max) {
      return new Scale(false, 0, max);
    }

    static Scale log(double min, double max) {
      double low = Math.pow(10, Math.floor(Math.log10(Math.max(min, 1e-3))));
      double high = Math.pow(10, Math.ceil(Math.log10(Math.max(max, low * 10))));
      return new Scale(true, low, high);
    }

    double fractionOf(double value) {
      if (!log) {
        return high == 0 ? 0 : value / high;
      }
      double v = Math.max(value, low);
      return (Math.log10(v) - Math.log10(low)) / (Math.log10(high) - Math.log10(low));
    }

    double valueAt(double fraction) {
      return log ? Math.pow(10, Math.log10(low) + fraction * (Math.log10(high) - Math.log10(low)))
          : high * fraction;
    }
  }

  private static void tables(StringBuilder html, LoadReport r) {
    html.append("<table><tr><th>latency ms</th><th>p50</th><th>p90</th><th>p99</th>")
        .append("<th>p99.9</th><th>max</th><th>mean</th><th>count</th></tr>");
    row(html, "all", r.latency());
    r.operations().forEach((operation, latency) -> row(html, operation, latency));
    html.append("</table><table><tr><th>status</th><th>count</th></tr>");
    r.statuses().forEach((status, count) -> html.append("<tr><td>").append(escape(status))
        .append("</td><td>").append(count).append("</td></tr>"));
    html.append("</table>");
    if (!r.figures().isEmpty()) {
      html.append("<table><tr><th>figure</th><th>value</th></tr>");
      for (Map.Entry<String, Number> f : r.figures().entrySet()) {
        html.append("<tr><td>").append(escape(f.getKey())).append("</td><td>")
            .append(f.getValue()).append("</td></tr>");
      }
      html.append("</table>");
    }
    AuditResult a = r.audit();
    if (a != null) {
      html.append("<h2>Audit: <span class=\"").append(a.passed() ? "pass\">passed" : "fail\">failed")
          .append("</span></h2><table>");
      auditRow(html, "oversold (units)", a.oversold());
      auditRow(html, "undersold (units)", a.undersold() < 0 ? "n/a" : a.undersold());
      auditRow(html, "units conserved", a.unitsConserved() ? "yes" : "NO");
      auditRow(html, "reservations acknowledged", a.acknowledged());
      auditRow(html, "reservations refused", a.rejected());
      auditRow(html, "outcome unknown to the client", a.unknown());
      auditRow(html, "acknowledged but missing from the log", a.acknowledgedMissing());
      auditRow(html, "refused but present in the log", a.rejectedPresent());
      auditRow(html, "events read", a.eventsRead());
      html.append("</table>");
      a.violations().forEach(v -> html.append("<p class=\"fail\">").append(escape(v))
          .append("</p>"));
    }
  }

  private static void row(StringBuilder html, String name, LoadReport.Latency l) {
    html.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.3f</td><td>%.3f</td>"
            + "<td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%.3f</td><td>%,d</td></tr>",
        escape(name), l.p50(), l.p90(), l.p99(), l.p999(), l.max(), l.mean(), l.count()));
  }

  private static void auditRow(StringBuilder html, String name, Object value) {
    html.append("<tr><td>").append(escape(name)).append("</td><td>").append(value)
        .append("</td></tr>");
  }

  private static String number(double value) {
    if (value == 0) {
      return "0";
    }
    if (value >= 100) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    return value >= 1 ? String.format(Locale.ROOT, "%.1f", value)
        : String.format(Locale.ROOT, "%.3f", value);
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
