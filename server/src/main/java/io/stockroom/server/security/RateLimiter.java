package io.stockroom.server.security;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stockroom.server.http.ProblemException;
import io.stockroom.server.http.Problems;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key rate limits: the routing filter after {@link Authentication} that takes one token from
 * the caller's bucket, or answers 429 problem+json ({@code rate-limited}) with a
 * {@code Retry-After} of the whole seconds until a token is back, before any handler runs (so a
 * refused request changes nothing). A key's bucket is sized by its role
 * ({@link RateLimitSettings}); all of a key's requests, reads and writes alike, draw from it.
 * Public routes carry no principal and are never limited.
 *
 * <p>Buckets live in a map keyed by key id, bounded by {@code bucketsMax}. Only authenticated
 * keys get a bucket, so the map cannot be grown by strangers; the bound is a backstop. A full
 * bucket (one idle long enough to refill) is equal to a new one, so evicting it loses nothing:
 * when the map is at its bound, full buckets are swept out; if none is, the request is refused
 * with 503 rather than the map growing.
 */
public final class RateLimiter {

  private final RateLimitSettings settings;
  private final TimeMeter time;
  private final Map<Role, Counter> limited = new EnumMap<>(Role.class);
  private final ConcurrentHashMap<String, Tracked> buckets = new ConcurrentHashMap<>();

  /** A key's bucket and its capacity, which tells a full (idle, evictable) bucket. */
  private record Tracked(Bucket bucket, long capacity) {}

  public RateLimiter(RateLimitSettings settings, MeterRegistry registry) {
    this(settings, registry, TimeMeter.SYSTEM_NANOTIME);
  }

  /** With {@code time} as the buckets' clock: tests pass a manual one. */
  RateLimiter(RateLimitSettings settings, MeterRegistry registry, TimeMeter time) {
    this.settings = settings;
    this.time = time;
    for (Role role : Role.values()) {
      // One series per role, never per key: ids are not secret, but an unbounded label set is.
      limited.put(role, Counter.builder("stockroom.rate.limited")
          .description("requests refused with 429 because the key's bucket was empty")
          .tag("role", role.name().toLowerCase(Locale.ROOT))
          .register(registry));
    }
  }

  public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    Optional<Principal> principal = request.context().get(Principal.class);
    if (principal.isEmpty()) {
      chain.proceed(); // a public route: Authentication let it through without a key
      return;
    }
    ProblemException refusal = admit(principal.get());
    if (refusal != null) {
      Problems.send(request, response, refusal);
      return;
    }
    chain.proceed();
  }

  /** Null when {@code principal} may make one more request now; else the problem to answer. */
  public ProblemException admit(Principal principal) {
    Bucket bucket = bucketOf(principal);
    if (bucket == null) {
      return ProblemException.unavailable("too many keys are active at once to track their"
          + " rate limits (bucketsMax " + settings.bucketsMax() + ")", 1);
    }
    ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
    if (probe.isConsumed()) {
      return null;
    }
    limited.get(principal.role()).increment();
    RateLimitSettings.Rate rate = settings.of(principal.role());
    int retryAfterSeconds = retryAfterSeconds(probe.getNanosToWaitForRefill());
    return new ProblemException(429, "rate-limited", "Too many requests",
        "key " + principal.id() + " (role " + principal.role().name().toLowerCase(Locale.ROOT)
            + ") may send " + rate.requestsPerSecond() + " requests per second, in bursts of up"
            + " to " + rate.burstRequests() + "; retry after " + retryAfterSeconds + " s",
        Map.of(), retryAfterSeconds);
  }

  /** Whole seconds, rounded up, at least 1: Retry-After has no finer unit; 0 invites a spin. */
  static int retryAfterSeconds(long nanosToWait) {
    long seconds = (nanosToWait + 999_999_999L) / 1_000_000_000L;
    return (int) Math.max(1, Math.min(seconds, Integer.MAX_VALUE));
  }

  /** How many buckets are kept now (for tests and, later, a gauge). */
  int bucketCount() {
    return buckets.size();
  }

  /** The key's bucket, made on first use; null when the map is at its bound and none is idle. */
  private Bucket bucketOf(Principal principal) {
    Tracked tracked = buckets.get(principal.id());
    if (tracked != null) {
      return tracked.bucket();
    }
    // The slow path, once per key per idle spell: serialised so the bound is exact.
    synchronized (buckets) {
      tracked = buckets.get(principal.id());
      if (tracked != null) {
        return tracked.bucket();
      }
      if (buckets.size() >= settings.bucketsMax()) {
        sweepFullBuckets();
        if (buckets.size() >= settings.bucketsMax()) {
          return null;
        }
      }
      RateLimitSettings.Rate rate = settings.of(principal.role());
      tracked = new Tracked(newBucket(rate), rate.burstRequests());
      buckets.put(principal.id(), tracked);
      return tracked.bucket();
    }
  }

  /**
   * Drops every bucket that has refilled to capacity: such a bucket is indistinguishable from a
   * new one. A request racing the removal may have its token forgotten, at most one per key:
   * harmless. Visits at most {@code bucketsMax} entries.
   */
  private void sweepFullBuckets() {
    buckets.values().removeIf(tracked -> tracked.bucket().getAvailableTokens()
        >= tracked.capacity());
  }

  private Bucket newBucket(RateLimitSettings.Rate rate) {
    return Bucket.builder()
        .addLimit(limit -> limit.capacity(rate.burstRequests())
            .refillGreedy(rate.requestsPerSecond(), Duration.ofSeconds(1)))
        .withCustomTimePrecision(time)
        .build();
  }
}
