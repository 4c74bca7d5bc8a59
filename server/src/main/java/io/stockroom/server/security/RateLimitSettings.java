package io.stockroom.server.security;

/**
 * How fast each API key may call: one token bucket per key, sized by the key's role, and a bound
 * on how many buckets are kept. Validated on construction, so a bad value refuses to start with a
 * message naming the setting; nothing is clamped. Documented in docs/SECURITY.md ("Rate limits
 * and request limits").
 *
 * @param read the bucket of a {@code read} key (default 20,000 requests/s, burst 40,000)
 * @param write the bucket of a {@code write} key (default 20,000 requests/s, burst 40,000)
 * @param admin the bucket of an {@code admin} key (default 2,000 requests/s, burst 4,000)
 * @param bucketsMax buckets kept at once, one per recently active key (default 100,000)
 */
public record RateLimitSettings(Rate read, Rate write, Rate admin, int bucketsMax) {

  /** Above any sane deployment: a key table this large is a mistake, not a plan. */
  static final int BUCKETS_MAX_LIMIT = 10_000_000;

  /**
   * One role's bucket: {@code requestsPerSecond} tokens are added steadily (greedily, not once a
   * second), and at most {@code burstRequests} are kept, so an idle key may send a burst that
   * large before it is held to the steady rate.
   *
   * @param requestsPerSecond the steady rate, requests per second, 1..1,000,000
   * @param burstRequests the bucket's capacity, requests, requestsPerSecond..10,000,000 (a
   *     burst below the rate would make the rate unreachable)
   */
  public record Rate(int requestsPerSecond, int burstRequests) {
    public Rate {
      require(requestsPerSecond >= 1 && requestsPerSecond <= 1_000_000,
          "requestsPerSecond must be 1..1000000, was " + requestsPerSecond);
      require(burstRequests >= requestsPerSecond && burstRequests <= 10_000_000,
          "burstRequests must be requestsPerSecond (" + requestsPerSecond + ")..10000000, was "
              + burstRequests);
    }
  }

  public static RateLimitSettings defaults() {
    return new RateLimitSettings(new Rate(20_000, 40_000), new Rate(20_000, 40_000),
        new Rate(2_000, 4_000), 100_000);
  }

  public RateLimitSettings {
    require(read != null && write != null && admin != null, "a rate for every role is required");
    require(bucketsMax >= 1 && bucketsMax <= BUCKETS_MAX_LIMIT,
        "bucketsMax must be 1.." + BUCKETS_MAX_LIMIT + ", was " + bucketsMax);
  }

  /** The bucket a key with {@code role} gets. */
  public Rate of(Role role) {
    return switch (role) {
      case READ -> read;
      case WRITE -> write;
      case ADMIN -> admin;
    };
  }

  private static void require(boolean valid, String message) {
    if (!valid) {
      throw new IllegalArgumentException("rate limits: " + message);
    }
  }
}
