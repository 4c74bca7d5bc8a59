package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExchangeTest {

  /** The check isJson replaced, kept here as its specification. */
  private static boolean byRegex(String type) {
    return type.toLowerCase(Locale.ROOT).trim().matches("application/json\\s*(;.*)?");
  }

  @Test
  void isJsonAcceptsExactlyWhatTheRegularExpressionDid() {
    String[] cases = {"application/json", "Application/JSON", " application/json ",
        "application/json;charset=utf-8", "application/json ; charset=UTF-8",
        "application/json\t;", "application/json;", "application/jsonx", "application/json x",
        "application/problem+json", "text/json", "application/js", "", " ", "application/",
        "APPLICATION/JSON;\u00ff", "application/json\u000b;", "application/json\u00a0",
        "application/jsoN\r\n", "\u00e1pplication/json"};
    for (String type : cases) {
      assertThat(Exchange.isJson(type)).as("'%s'", type).isEqualTo(byRegex(type));
    }
    assertThat(Exchange.isJson("application/json")).isTrue();
    assertThat(Exchange.isJson("application/jsonx")).isFalse();
  }

  @Test
  void isJsonAgreesWithTheRegularExpressionOnRandomVariants() {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    String alphabet = "application/json; \t\u000bAJSON=x\u00e9";
    for (int i = 0; i < 20_000; i++) {
      StringBuilder type = new StringBuilder(random.nextBoolean() ? "application/json" : "");
      int extra = random.nextInt(6);
      for (int j = 0; j < extra; j++) {
        int at = random.nextInt(type.length() + 1);
        type.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
      }
      String value = type.toString();
      assertThat(Exchange.isJson(value)).as("'%s' (seed %d)", value, seed)
          .isEqualTo(byRegex(value));
    }
  }
}
