package io.stockroom.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Claims are kept for an audited run, and only then. */
class OutcomesTest {

  private static Outcomes.Claim claim(String id) {
    return new Outcomes.Claim(id, Map.of("tee", 1L), 201);
  }

  @Test
  void anAuditedRunKeepsEveryClaimAndRefusesAnIdUsedTwice() {
    Outcomes outcomes = Outcomes.recorded();
    outcomes.add(claim("a"));
    outcomes.add(claim("b"));

    assertThat(outcomes.claims()).extracting(c -> c.id).containsExactlyInAnyOrder("a", "b");
    assertThatThrownBy(() -> outcomes.add(claim("a")))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("used twice");
  }

  @Test
  void aRunNobodyAuditsKeepsNothing() {
    Outcomes outcomes = Outcomes.discarded();
    outcomes.add(claim("a"));
    outcomes.add(claim("a"));

    assertThat(outcomes.claims()).isEmpty();
  }
}
