package io.stockroom.bench.load;

/** The {@link Workload} of each {@link LoadConfig.Scenario}. */
final class Workloads {

  private Workloads() {}

  static Workload of(LoadConfig config, String prefix) {
    return switch (config.scenario) {
      case FLASH_SALE -> new FlashSale(prefix, config.units, config.concurrency,
          // A buyer who got a unit confirms at once; the hold only has to outlive that.
          Math.max(config.holdTtlSeconds, 60));
      case CHECKOUT_MIX -> new CheckoutMix("checkout-mix", prefix, Catalog.of(prefix, config.skus),
          config.stockPerSku, config.confirmShare, config.releaseShare, config.holdTtlSeconds,
          false);
      case RESERVE -> new CheckoutMix("reserve", prefix, Catalog.of(prefix, config.skus),
          config.stockPerSku, 0, 0, config.holdTtlSeconds, true);
      case STOREFRONT -> new Storefront(prefix, Catalog.of(prefix, config.skus),
          config.stockPerSku, config.writeShare, config.holdTtlSeconds, config.subscribers);
      case CEILING -> new Ceiling();
      case DURABLE_CEILING -> Ceiling.durable();
    };
  }

  /**
   * The ceiling run that {@code config}'s scenario is compared with: the flash sale's burst of
   * buyers (same count, the winners' second request included), else the plain ceiling.
   */
  static Ceiling ceilingOf(LoadConfig config) {
    return config.scenario == LoadConfig.Scenario.FLASH_SALE
        ? Ceiling.burst(config.concurrency, config.units) : new Ceiling();
  }

  /** Before measuring: every kind of request, on SKUs of its own, to warm both sides. */
  static Workload warmup(String prefix, LoadConfig config) {
    return new WarmUp(prefix, config.holdTtlSeconds);
  }
}
