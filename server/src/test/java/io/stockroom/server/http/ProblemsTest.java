package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonGenerator;
import io.stockroom.engine.Result;
import io.stockroom.engine.Shortage;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProblemsTest {

  @Test
  void extraMembersAreWrittenAsTheObjectMapperWroteThem() throws Exception {
    ProblemException shortage = ProblemException.of(Result.insufficientStock(
        List.of(new Shortage("tee", "default", 3, 1), new Shortage("cap", "b\"2", 1, -2))));
    ProblemException mixed = new ProblemException(409, "x", "X", "d", Map.of("n", 5L, "flag",
        true, "none", List.of(), "nested", List.of(Map.of("deep", List.of(1, 2)))), 0);

    for (ProblemException problem : List.of(shortage, mixed)) {
      assertThat(new String(Problems.render(problem, "/v1/reservations")))
          .isEqualTo(byMapper(problem, "/v1/reservations"));
    }
    assertThat(new String(Problems.render(shortage, null))).contains("\"shortages\":[{\"sku\":"
        + "\"tee\",\"location\":\"default\",\"requested\":3,\"available\":1},");
  }

  /** What Problems wrote before: every extra member through the ObjectMapper. */
  private static String byMapper(ProblemException problem, String instance) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (JsonGenerator json = Json.FACTORY.createGenerator(bytes)) {
      json.writeStartObject();
      json.writeStringField("type", "urn:stockroom:problem:" + problem.slug());
      json.writeStringField("title", problem.title());
      json.writeNumberField("status", problem.status());
      json.writeStringField("detail", problem.getMessage());
      json.writeStringField("instance", instance);
      for (Map.Entry<String, Object> entry : problem.extra().entrySet()) {
        json.writeFieldName(entry.getKey());
        Json.MAPPER.writeValue(json, entry.getValue());
      }
      json.writeEndObject();
    }
    return bytes.toString();
  }
}
