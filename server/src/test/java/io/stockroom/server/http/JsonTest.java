package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTest {

  /** What Json.tree replaced: the mapper's readTree, with its features. */
  private static String byMapper(String body) {
    try (JsonParser parser = Json.FACTORY.createParser(body.getBytes(StandardCharsets.UTF_8))) {
      JsonNode node = Json.MAPPER.readTree(parser);
      return node == null ? "null" : node.getClass().getSimpleName() + " " + node;
    } catch (IOException e) {
      return "refused";
    }
  }

  private static String byTree(String body) {
    try (JsonParser parser = Json.FACTORY.createParser(body.getBytes(StandardCharsets.UTF_8))) {
      JsonNode node = Json.tree(parser);
      return node == null ? "null" : node.getClass().getSimpleName() + " " + node;
    } catch (IOException e) {
      return "refused";
    }
  }

  @Test
  void treeReadsWhatTheMapperReadAndRefusesWhatItRefused() {
    String[] bodies = {"", " ", "{}", "[]", "5", "\"x\"", "null", "true", "{\"a\":1}",
        "{\"id\":\"r\",\"lines\":[{\"sku\":\"tee\",\"quantity\":1}],\"ttlSeconds\":5}",
        "{\"a\":1} x", "{\"a\":1}{}", "{\"a\":1} ", "[1,2] 3", "5 6", "{\"a\":", "{\"a\":1",
        "[1,[2,[3]]]", "{\"a\":1,\"a\":2}", "{\"q\":1.5}", "{\"q\":-0}", "{\"q\":1e3}",
        "{\"q\":123456789012345678901234567890}", "{\"q\":" + "9".repeat(41) + "}",
        "{\"a\":{\"b\":{\"c\":[null,false,true,\"\\u0000\"]}}}", "[" .repeat(16) + "]".repeat(16),
        "[".repeat(17) + "]".repeat(17), "{\"a\":[}", "{'a':1}", "{\"a\":NaN}", "[1,]",
        "{\"a\":1,}", "\"unterminated", "{\"x\":\"" + "y".repeat(70_000) + "\"}"};
    for (String body : bodies) {
      assertThat(byTree(body)).as(body.length() > 80 ? body.substring(0, 80) : body)
          .isEqualTo(byMapper(body));
    }
    assertThat(byTree("{\"q\":5}")).isEqualTo("ObjectNode {\"q\":5}");
  }

  @Test
  void treeAgreesWithTheMapperOnRandomlyDamagedReservations() {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    String valid = "{\"id\":\"r-1\",\"lines\":[{\"sku\":\"tee\",\"location\":\"a\",\"quantity\":"
        + "2},{\"sku\":\"cap\",\"quantity\":1}],\"ttlSeconds\":5,\"customer\":null}";
    String alphabet = "{}[],:\"0123456789.-eatrunl x\\";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder body = new StringBuilder(valid);
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        int at = random.nextInt(body.length());
        switch (random.nextInt(3)) {
          case 0 -> body.deleteCharAt(at);
          case 1 -> body.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
          default -> body.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
        }
      }
      String damaged = body.toString();
      assertThat(byTree(damaged)).as("%s (seed %d)", damaged, seed)
          .isEqualTo(byMapper(damaged));
    }
  }
}
