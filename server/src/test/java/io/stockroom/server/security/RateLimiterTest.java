package io.stockroom.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stockroom.server.http.ProblemException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bucket arithmetic and the bound on buckets, on a clock the test moves by hand. */
class RateLimiterTest {

  /** Time as an input: only the test advances it. */
  private static final class ManualTime implements TimeMeter {
    private long nanos = 1_000_000_000L;

    @Override
    public long currentTimeNanos() {
      return nanos;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }

    void advance(long amount, TimeUnit unit) {
      nanos += unit.toNanos(amount);
    }
  }

  private static final RateLimitSettings.Rate TWO_A_SECOND = new RateLimitSettings.Rate(2, 4);

  private final ManualTime time = new ManualTime();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private RateLimiter limiter(int bucketsMax) {
    return new RateLimiter(new RateLimitSettings(TWO_A_SECOND, TWO_A_SECOND,
        new RateLimitSettings.Rate(100, 100), bucketsMax), registry, time);
  }

  @Test
  void burstPassesThenTheSteadyRateHoldsAndRetryAfterIsTheRefillRoundedUp() {
    RateLimiter limiter = limiter(10);
    Principal key = new Principal("aaaaaaaaaaaa", Role.READ);
    for (int i = 0; i < 4; i++) {
      assertThat(limiter.admit(key)).as("request %d of the burst", i).isNull();
    }

    ProblemException refused = limiter.admit(key);

    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.slug()).isEqualTo("rate-limited");
    assertThat(refused.retryAfterSeconds()).isEqualTo(1); // 0.5 s to the next token, rounded up
    time.advance(499, TimeUnit.MILLISECONDS);
    assertThat(limiter.admit(key)).isNotNull();
    time.advance(1, TimeUnit.MILLISECONDS);
    assertThat(limiter.admit(key)).isNull();
    assertThat(limiter.admit(key)).isNotNull();
    assertThat(registry.get("stockroom.rate.limited").tag("role", "read").counter().count())
        .isEqualTo(3);
    assertThat(registry.get("stockroom.rate.limited").tag("role", "admin").counter().count())
        .isZero();
  }

  @Test
  void eachKeyHasItsOwnBucketSizedByItsRole() {
    RateLimiter limiter = limiter(10);
    Principal reader = new Principal("aaaaaaaaaaaa", Role.READ);
    Principal admin = new Principal("bbbbbbbbbbbb", Role.ADMIN);
    for (int i = 0; i < 4; i++) {
      limiter.admit(reader);
    }

    assertThat(limiter.admit(reader)).isNotNull();
    for (int i = 0; i < 100; i++) {
      assertThat(limiter.admit(admin)).as("admin request %d", i).isNull();
    }
    assertThat(limiter.admit(admin)).isNotNull();
  }

  @Test
  void atTheBoundIdleBucketsAreDroppedAndBusyOnesRefuseNewKeysWith503() {
    RateLimiter limiter = limiter(2);
    Principal first = new Principal("aaaaaaaaaaaa", Role.READ);
    Principal second = new Principal("bbbbbbbbbbbb", Role.READ);
    Principal third = new Principal("cccccccccccc", Role.READ);
    limiter.admit(first);
    limiter.admit(second);

    ProblemException full = limiter.admit(third);

    assertThat(full.status()).isEqualTo(503);
    assertThat(full.retryAfterSeconds()).isEqualTo(1);
    assertThat(limiter.bucketCount()).isEqualTo(2);
    time.advance(500, TimeUnit.MILLISECONDS); // one token back: both buckets full again
    assertThat(limiter.admit(third)).isNull();
    assertThat(limiter.bucketCount()).isEqualTo(1); // the two idle ones were swept out
  }

  @Test
  void retryAfterIsWholeSecondsAndAtLeastOne() {
    assertThat(RateLimiter.retryAfterSeconds(0)).isEqualTo(1);
    assertThat(RateLimiter.retryAfterSeconds(1)).isEqualTo(1);
    assertThat(RateLimiter.retryAfterSeconds(1_000_000_000L)).isEqualTo(1);
    assertThat(RateLimiter.retryAfterSeconds(1_000_000_001L)).isEqualTo(2);
  }

  @Test
  void invalidSettingsRefuseRatherThanClamp() {
    assertThatThrownBy(() -> new RateLimitSettings.Rate(0, 10))
        .hasMessageContaining("requestsPerSecond");
    assertThatThrownBy(() -> new RateLimitSettings.Rate(10, 5))
        .hasMessageContaining("burstRequests");
    assertThatThrownBy(() -> new RateLimitSettings(TWO_A_SECOND, TWO_A_SECOND, TWO_A_SECOND, 0))
        .hasMessageContaining("bucketsMax");
    assertThat(RateLimitSettings.defaults().of(Role.READ).requestsPerSecond()).isEqualTo(20_000);
  }
}
