package io.stockroom.server.storefront;

import java.net.URI;
import java.util.List;

/**
 * The anonymous availability feed for storefronts (docs/API.md, "Public availability").
 *
 * @param enabled whether {@code /v1/public/...} is served at all (default false)
 * @param lowStockUnits at most this many units available (and more than 0) is {@code low}
 *     (default 5 units)
 * @param corsOrigins browser origins allowed to read the feed from their pages, exact
 *     ({@code https://shop.example}), or {@code *} for any; empty: none (default empty)
 * @param requestsPerSecond requests and new subscriptions per second all anonymous callers
 *     share, also the burst (default 1,000)
 * @param subscribersMax concurrent anonymous stream subscribers (default 10,000)
 */
public record PublicFeedSettings(boolean enabled, int lowStockUnits, List<String> corsOrigins,
    int requestsPerSecond, int subscribersMax) {

  public static PublicFeedSettings defaults() {
    return new PublicFeedSettings(false, 5, List.of(), 1_000, 10_000);
  }

  public PublicFeedSettings {
    corsOrigins = List.copyOf(corsOrigins);
    require(lowStockUnits >= 0 && lowStockUnits <= 1_000_000,
        "publicFeed.lowStockUnits must be 0..1000000, was " + lowStockUnits);
    require(requestsPerSecond >= 1 && requestsPerSecond <= 1_000_000,
        "publicFeed.requestsPerSecond must be 1..1000000, was " + requestsPerSecond);
    require(subscribersMax >= 1 && subscribersMax <= 1_000_000,
        "publicFeed.subscribersMax must be 1..1000000, was " + subscribersMax);
    for (String origin : corsOrigins) {
      require(origin.equals("*") || isOrigin(origin), "publicFeed.corsOrigins entry '" + origin
          + "' is not an origin such as https://shop.example (scheme, host, optional port,"
          + " nothing else) or *");
    }
  }

  /** The {@code Access-Control-Allow-Origin} for a request from {@code origin}, or null. */
  public String allowedOrigin(String origin) {
    if (origin == null) {
      return null;
    }
    if (corsOrigins.contains("*")) {
      return "*";
    }
    return corsOrigins.contains(origin) ? origin : null;
  }

  private static boolean isOrigin(String text) {
    try {
      URI uri = new URI(text);
      return (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          && uri.getHost() != null && uri.getRawPath().isEmpty() && uri.getRawQuery() == null
          && uri.getRawFragment() == null && uri.getRawUserInfo() == null);
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("invalid configuration: " + message);
    }
  }
}
