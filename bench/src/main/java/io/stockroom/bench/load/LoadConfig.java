package io.stockroom.bench.load;

import java.net.URI;
import java.time.Duration;

/**
 * What to run, against what, for how long. Built with {@link #builder(Scenario)}; every value is
 * validated by {@link Builder#build()}, which refuses a bad one with a message naming it (nothing
 * is clamped). Defaults are in each builder method's comment.
 */
public final class LoadConfig {

  /** The workloads. */
  public enum Scenario {
    /**
     * One hot SKU with {@code units} units and {@code buyers} buyers, each trying once to
     * reserve one unit and confirming if it got one. Closed loop: every buyer at once
     * ({@code concurrency} is the number of buyers); open loop: buyers arrive at the rate.
     */
    FLASH_SALE,
    /**
     * A catalog of {@code skus} SKUs with {@code stockPerSku} units each; a session reserves 1-3
     * units of 1-2 SKUs, then confirms, releases or abandons the hold to expire after
     * {@code holdTtlSeconds}, in the configured shares.
     */
    CHECKOUT_MIX,
    /**
     * Stock reads ({@code GET /v1/items/{sku}}) over the catalog, {@code subscribers} SSE
     * subscribers on {@code /v1/stream}, and a {@code writeShare} of sessions that reserve and
     * release so that the subscribers have events to receive.
     */
    STOREFRONT,
    /** One {@code POST /v1/reservations} of one unit per session: the write path alone. */
    RESERVE,
    /** The trivial endpoint of {@link CeilingServer}: the web server and client alone. */
    CEILING,
    /**
     * The same endpoint, answering only once a group-committed {@code fdatasync} has covered a
     * record of the request ({@link GroupCommitStall}): the web server plus durability alone.
     */
    DURABLE_CEILING
  }

  /** How sessions are started. */
  public enum Loop {
    /** {@code concurrency} clients, each starting its next session when the last one ended. */
    CLOSED,
    /**
     * Sessions start at {@code ratePerSecond} on a fixed schedule whatever the answers; at most
     * {@code concurrency} in flight. Latency counts from the scheduled time.
     */
    OPEN
  }

  /** The HTTP client library. */
  public enum Client {
    /** Helidon WebClient 4.5 (HTTP/1.1, blocking, on virtual threads); the default. */
    HELIDON,
    /** The JDK's {@code java.net.http.HttpClient}. */
    JDK
  }

  final Scenario scenario;
  final URI url;
  final String key;
  final Loop loop;
  final Client client;
  final int concurrency;
  final int ratePerSecond;
  final Duration duration;
  final Duration warmup;
  final Duration hardTimeout;
  final Duration requestTimeout;
  final int units;
  final int skus;
  final long stockPerSku;
  final double confirmShare;
  final double releaseShare;
  final int holdTtlSeconds;
  final int subscribers;
  final double writeShare;
  final boolean withCeiling;
  final boolean audit;
  final long seed;

  private LoadConfig(Builder b) {
    scenario = b.scenario;
    url = b.url;
    key = b.key;
    loop = b.loop;
    client = b.client;
    concurrency = b.concurrency;
    ratePerSecond = b.ratePerSecond;
    duration = b.duration;
    warmup = b.warmup;
    hardTimeout = b.hardTimeout != null ? b.hardTimeout
        : duration.plus(warmup).multipliedBy(2).plusSeconds(60);
    requestTimeout = b.requestTimeout;
    units = b.units;
    skus = b.skus;
    stockPerSku = b.stockPerSku;
    confirmShare = b.confirmShare;
    releaseShare = b.releaseShare;
    holdTtlSeconds = b.holdTtlSeconds;
    subscribers = b.subscribers;
    writeShare = b.writeShare;
    withCeiling = b.withCeiling;
    audit = b.audit;
    seed = b.seed;
  }

  public static Builder builder(Scenario scenario) {
    return new Builder(scenario);
  }

  public Scenario scenario() {
    return scenario;
  }

  /** True when the run starts its own Stockroom in-process (no {@code url} was given). */
  public boolean embedded() {
    return url == null;
  }

  /** The same configuration with another scenario (the ceiling run of a comparison). */
  LoadConfig as(Scenario other) {
    return builderOf(this, other).build();
  }

  private static Builder builderOf(LoadConfig c, Scenario other) {
    Builder b = new Builder(other);
    b.url = c.url;
    b.key = c.key;
    b.loop = c.loop;
    b.client = c.client;
    b.concurrency = c.concurrency;
    b.ratePerSecond = c.ratePerSecond;
    b.duration = c.duration;
    b.warmup = c.warmup;
    b.hardTimeout = c.hardTimeout;
    b.requestTimeout = c.requestTimeout;
    b.units = c.units;
    b.skus = c.skus;
    b.stockPerSku = c.stockPerSku;
    b.confirmShare = c.confirmShare;
    b.releaseShare = c.releaseShare;
    b.holdTtlSeconds = c.holdTtlSeconds;
    b.subscribers = c.subscribers;
    b.writeShare = c.writeShare;
    b.audit = c.audit;
    b.seed = c.seed;
    return b;
  }

  /** The same configuration measured for {@code other} long (the warm-up). */
  LoadConfig withDuration(Duration other) {
    Builder b = builderOf(this, scenario);
    b.duration = other;
    return b.build();
  }

  /** Builds a {@link LoadConfig}; each setter names its default. */
  public static final class Builder {
    private final Scenario scenario;
    private URI url;
    private String key;
    private Loop loop = Loop.CLOSED;
    private Client client = Client.HELIDON;
    private int concurrency = 64;
    private int ratePerSecond = 1_000;
    private Duration duration = Duration.ofSeconds(10);
    private Duration warmup = Duration.ZERO;
    private Duration hardTimeout;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private int units = 100;
    private int skus = 100;
    private long stockPerSku = 1_000_000;
    private double confirmShare = 0.6;
    private double releaseShare = 0.3;
    private int holdTtlSeconds = 5;
    private int subscribers = 50;
    private double writeShare = 0.05;
    private boolean withCeiling;
    private boolean audit = true;
    private long seed = 42;

    private Builder(Scenario scenario) {
      this.scenario = scenario;
    }

    /** A running Stockroom and an admin API key; default none: start one in-process. */
    public Builder target(URI url, String key) {
      this.url = url;
      this.key = key;
      return this;
    }

    /** Default {@link Loop#CLOSED}. */
    public Builder loop(Loop loop) {
      this.loop = loop;
      return this;
    }

    /** Default {@link Client#HELIDON}. */
    public Builder client(Client client) {
      this.client = client;
      return this;
    }

    /** Concurrent clients (closed) or in-flight bound (open), 1..100,000; default 64. */
    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    /** Open loop: sessions per second, 1..10,000,000; default 1,000. */
    public Builder ratePerSecond(int ratePerSecond) {
      this.ratePerSecond = ratePerSecond;
      return this;
    }

    /** The measured phase; default 10 s. A flash sale ends earlier when every buyer is done. */
    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    /** Reserve-and-release load on a separate SKU before measuring; default none. */
    public Builder warmup(Duration warmup) {
      this.warmup = warmup;
      return this;
    }

    /** The whole run ends by then whatever happens; default 2 x (duration + warmup) + 60 s. */
    public Builder hardTimeout(Duration hardTimeout) {
      this.hardTimeout = hardTimeout;
      return this;
    }

    /** One request's answer; default 10 s, then it counts as {@code timeout}. */
    public Builder requestTimeout(Duration requestTimeout) {
      this.requestTimeout = requestTimeout;
      return this;
    }

    /** Flash sale: units of the hot SKU; default 100. */
    public Builder units(int units) {
      this.units = units;
      return this;
    }

    /** Catalog size of checkout mix, storefront and reserve, 1..100,000; default 100. */
    public Builder skus(int skus) {
      this.skus = skus;
      return this;
    }

    /** Units received per catalog SKU; default 1,000,000. */
    public Builder stockPerSku(long stockPerSku) {
      this.stockPerSku = stockPerSku;
      return this;
    }

    /**
     * Checkout mix: shares of sessions that confirm and that release (defaults 0.6 and 0.3);
     * the rest abandon their hold to expire.
     */
    public Builder shares(double confirmShare, double releaseShare) {
      this.confirmShare = confirmShare;
      this.releaseShare = releaseShare;
      return this;
    }

    /** Checkout mix and storefront: each hold's ttlSeconds; default 5. */
    public Builder holdTtlSeconds(int holdTtlSeconds) {
      this.holdTtlSeconds = holdTtlSeconds;
      return this;
    }

    /** Storefront: SSE subscribers; default 50. */
    public Builder subscribers(int subscribers) {
      this.subscribers = subscribers;
      return this;
    }

    /** Storefront: share of sessions that reserve and release instead of reading; default 0.05. */
    public Builder writeShare(double writeShare) {
      this.writeShare = writeShare;
      return this;
    }

    /** Also drive the trivial endpoint with the same settings, first; default no. */
    public Builder withCeiling(boolean withCeiling) {
      this.withCeiling = withCeiling;
      return this;
    }

    /** Audit the final stock and the event log; default yes. */
    public Builder audit(boolean audit) {
      this.audit = audit;
      return this;
    }

    /** Seed of every random choice (SKUs, quantities, outcomes); default 42. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public LoadConfig build() {
      require(scenario != null, "scenario is required");
      require((url == null) == (key == null), "url and key go together (none: embedded)");
      require(loop != null && client != null, "loop and client are required");
      require(concurrency >= 1 && concurrency <= 100_000,
          "concurrency must be 1..100000, was " + concurrency);
      require(ratePerSecond >= 1 && ratePerSecond <= 10_000_000,
          "rate must be 1..10000000 per second, was " + ratePerSecond);
      require(positive(duration), "duration must be positive, was " + duration);
      require(warmup != null && !warmup.isNegative(), "warmup must be >= 0, was " + warmup);
      require(hardTimeout == null || positive(hardTimeout),
          "hardTimeout must be positive, was " + hardTimeout);
      require(positive(requestTimeout), "requestTimeout must be positive, was "
          + requestTimeout);
      require(units >= 1 && units <= 1_000_000_000, "units must be 1..1000000000, was " + units);
      require(skus >= 1 && skus <= 100_000, "skus must be 1..100000, was " + skus);
      require(stockPerSku >= 1 && stockPerSku <= 1_000_000_000,
          "stockPerSku must be 1..1000000000, was " + stockPerSku);
      require(confirmShare >= 0 && releaseShare >= 0 && confirmShare + releaseShare <= 1,
          "confirm and release shares must be >= 0 and add up to at most 1, were "
              + confirmShare + " and " + releaseShare);
      require(holdTtlSeconds >= 1 && holdTtlSeconds <= 3_600,
          "holdTtlSeconds must be 1..3600, was " + holdTtlSeconds);
      require(subscribers >= 0 && subscribers <= 10_000,
          "subscribers must be 0..10000, was " + subscribers);
      require(writeShare >= 0 && writeShare <= 1, "writeShare must be 0..1, was " + writeShare);
      require(!(withCeiling && (scenario == Scenario.CEILING
          || scenario == Scenario.DURABLE_CEILING)),
          "the ceiling scenarios have no ceiling of their own");
      return new LoadConfig(this);
    }

    private static boolean positive(Duration d) {
      return d != null && !d.isZero() && !d.isNegative();
    }

    private static void require(boolean valid, String message) {
      if (!valid) {
        throw new IllegalArgumentException("load test: " + message);
      }
    }
  }
}
