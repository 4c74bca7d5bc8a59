package io.stockroom.bench.sidebyside;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The side-by-side table: per workload, each system's throughput, p50 and p99, and how many
 * times faster Stockroom in process was; as plain text, Markdown and JSON. A row that failed
 * (its system missing or broken) or whose store failed the check says so in place of figures.
 */
final class Report {

  /** A table row: a measurement, or why there is none. */
  record Row(String workload, String system, Measurement measurement, String failure) {}

  static final String BASELINE_PREFIX = "Stockroom in process";

  private final List<Row> rows = new ArrayList<>();

  void add(Row row) {
    rows.add(row);
  }

  List<Row> rows() {
    return rows;
  }

  boolean allCorrect() {
    return rows.stream().allMatch(r -> r.measurement() != null && r.measurement().correct());
  }

  /** Stockroom in process ÷ this row, for the same workload; NaN without a baseline. */
  double ratio(Row row) {
    if (row.measurement() == null) {
      return Double.NaN;
    }
    for (Row candidate : rows) {
      if (candidate.workload().equals(row.workload()) && candidate.measurement() != null
          && candidate.system().startsWith(BASELINE_PREFIX)) {
        return candidate.measurement().throughput() / row.measurement().throughput();
      }
    }
    return Double.NaN;
  }

  private static final String[] HEADER = {"workload", "system", "clients x in flight",
      "reservations/s", "p50 µs", "p99 µs", "Stockroom ÷ this", "server CPU µs/res",
      "accepted", "rejected", "check", "load"};

  private List<String[]> cells() {
    List<String[]> table = new ArrayList<>();
    for (Row row : rows) {
      Measurement m = row.measurement();
      if (m == null) {
        table.add(new String[] {row.workload(), row.system(), "", "", "", "", "", "", "", "",
            "failed: " + row.failure(), ""});
        continue;
      }
      table.add(new String[] {row.workload(), row.system(),
          m.clients() + " x " + m.pipelineDepth(), number(m.throughput()),
          String.format(Locale.ROOT, "%,.0f", m.p50Micros()),
          String.format(Locale.ROOT, "%,.0f", m.p99Micros()), ratioText(ratio(row)),
          cpuText(m.serverCpuMicrosPerReservation()), number(m.accepted()), number(m.rejected()),
          m.correct() ? "conserved" : "VIOLATED: " + String.join("; ", m.violations()),
          m.load()});
    }
    return table;
  }

  private static String cpuText(double micros) {
    return Double.isNaN(micros) ? "" : String.format(Locale.ROOT, "%.2f", micros);
  }

  private static String ratioText(double ratio) {
    return Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%,.1f×", ratio);
  }

  private static String number(double value) {
    return String.format(Locale.ROOT, "%,.0f", value);
  }

  String text() {
    List<String[]> table = cells();
    int[] widths = new int[HEADER.length];
    for (int c = 0; c < HEADER.length; c++) {
      widths[c] = HEADER[c].length();
      for (String[] line : table) {
        widths[c] = Math.max(widths[c], line[c].length());
      }
    }
    StringBuilder out = new StringBuilder();
    line(out, HEADER, widths);
    for (String[] line : table) {
      line(out, line, widths);
    }
    return out.toString();
  }

  private static void line(StringBuilder out, String[] cells, int[] widths) {
    for (int c = 0; c < cells.length; c++) {
      boolean numeric = c >= 3 && c <= 9;
      String format = "%" + (numeric ? "" : "-") + widths[c] + "s";
      out.append(String.format(Locale.ROOT, format, cells[c])).append(c + 1 < cells.length ? "  " : "");
    }
    out.append('\n');
  }

  String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("| ").append(String.join(" | ", HEADER)).append(" |\n|");
    for (int c = 0; c < HEADER.length; c++) {
      out.append(c >= 2 && c <= 9 ? " ---: |" : " --- |");
    }
    out.append('\n');
    for (String[] line : cells()) {
      out.append("| ").append(String.join(" | ", line).replace("\n", " ")).append(" |\n");
    }
    return out.toString();
  }

  String json(Map<String, Object> run) throws IOException {
    List<Map<String, Object>> list = new ArrayList<>();
    for (Row row : rows) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("workload", row.workload());
      entry.put("system", row.system());
      Measurement m = row.measurement();
      if (m == null) {
        entry.put("failure", row.failure());
      } else {
        entry.put("clients", m.clients());
        entry.put("inFlightPerClient", m.pipelineDepth());
        entry.put("seconds", m.seconds());
        entry.put("reservationsPerSecond", m.throughput());
        entry.put("accepted", m.accepted());
        entry.put("rejected", m.rejected());
        entry.put("acceptedTotalWithWarmup", m.acceptedTotal());
        entry.put("latencyMicros", percentiles(m));
        double cpu = m.serverCpuMicrosPerReservation();
        entry.put("serverCpuMicrosPerReservation", Double.isNaN(cpu) ? null : cpu);
        double ratio = ratio(row);
        entry.put("stockroomRatio", Double.isNaN(ratio) ? null : ratio);
        entry.put("violations", m.violations());
        entry.put("loadAverage", m.load());
      }
      list.add(entry);
    }
    Map<String, Object> document = new LinkedHashMap<>(run);
    document.put("rows", list);
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValueAsString(document);
  }

  private static Map<String, Object> percentiles(Measurement m) {
    Map<String, Object> p = new LinkedHashMap<>();
    for (double percentile : new double[] {50, 90, 99, 99.9}) {
      p.put("p" + (percentile == Math.floor(percentile) ? String.valueOf((int) percentile)
          : String.valueOf(percentile)), m.latencyNanos().getValueAtPercentile(percentile) / 1e3);
    }
    p.put("max", m.latencyNanos().getMaxValue() / 1e3);
    p.put("mean", m.latencyNanos().getMean() / 1e3);
    return p;
  }

  void write(Path directory, Map<String, Object> run) throws IOException {
    Files.createDirectories(directory);
    Files.writeString(directory.resolve("sidebyside.txt"), text());
    Files.writeString(directory.resolve("sidebyside.md"), markdown());
    Files.writeString(directory.resolve("sidebyside.json"), json(run));
  }
}
