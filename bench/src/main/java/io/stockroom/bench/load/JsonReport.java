package io.stockroom.bench.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;

/** The report as JSON: every component of {@link LoadReport} but the raw histogram. */
final class JsonReport {

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(SerializationFeature.INDENT_OUTPUT);

  private JsonReport() {}

  static ObjectNode of(LoadReport report) {
    ObjectNode node = JSON.createObjectNode();
    for (RecordComponent component : LoadReport.class.getRecordComponents()) {
      String name = component.getName();
      if (name.equals("histogram") || name.equals("ceiling")) {
        continue; // the histogram is raw data; the ceiling is written below as a report
      }
      node.set(name, JSON.valueToTree(value(component, report)));
    }
    if (report.ceiling() != null) {
      node.set("ceiling", of(report.ceiling()));
      node.put("ratioToCeiling", report.ratioToCeiling());
    }
    return node;
  }

  private static Object value(RecordComponent component, LoadReport report) {
    try {
      return component.getAccessor().invoke(report);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot read " + component.getName(), e);
    }
  }

  static void write(LoadReport report, Path file) throws IOException {
    JSON.writeValue(file.toFile(), of(report));
  }
}
