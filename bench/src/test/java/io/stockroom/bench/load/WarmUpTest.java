package io.stockroom.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The warm-up against a real Stockroom started in-process on a random port. */
class WarmUpTest {

  @Test
  void warmUpSendsEveryKindOfRequestTheScenariosSendIncludingARefusal() {
    try (Target target = Target.embedded();
        Http http = Http.open(LoadConfig.Client.HELIDON, target.uri(), target.key(), 1,
            Duration.ofSeconds(10))) {
      WarmUp warmUp = new WarmUp("wu", 5);
      warmUp.setup(http);
      Measurements measurements = new Measurements();
      Outcomes outcomes = Outcomes.recorded();
      for (long index = 0; index < 8; index++) {
        warmUp.run(index, new Session(http, measurements, outcomes, 42, index,
            System.nanoTime()));
      }

      // Two rounds of four: the sold-out SKU's one unit goes to the first round's buyer.
      assertThat(measurements.statuses()).containsEntry("reserve 201", 5L)
          .containsEntry("reserve 409", 1L).containsEntry("confirm 200", 3L)
          .containsEntry("release 200", 2L).containsEntry("read 200", 2L);
    }
  }
}
