package io.stockroom.server.security;

import java.util.regex.Pattern;

/**
 * Which role each route needs, in one place. Health, the OpenAPI description and the storefront
 * availability feed are public (orchestrators, client generators and shoppers' browsers need
 * them without a key), and so are the dashboard page and its static assets (a browser loads
 * them before anyone signs in; they hold no data, and the page sends its key to the data routes
 * like any client); every other route needs at
 * least {@link Role#READ}, including unknown ones, so probing for routes without a key learns
 * nothing but 401.
 */
public final class AccessPolicy {

  /** The anonymous availability feed for storefronts (off by default). */
  private static final String PUBLIC_PREFIX = "/v1/public/";
  /**
   * A dashboard asset's path: one segment of a plain file name, so no encoded or dotted path can
   * pass as public and be routed elsewhere.
   */
  private static final Pattern DASHBOARD_ASSET =
      Pattern.compile("/assets/[A-Za-z0-9][A-Za-z0-9_.-]*");

  private AccessPolicy() {}

  /** The role {@code method path} needs, or null when it is public. */
  public static Role required(String method, String path) {
    if (method.equals("GET") && (path.equals("/health/live") || path.equals("/health/ready")
        || path.equals("/openapi.yaml") || path.equals("/") || path.startsWith(PUBLIC_PREFIX)
        || (DASHBOARD_ASSET.matcher(path).matches() && !path.contains("..")))) {
      return null; // the public feed shows buckets only, and answers 404 unless enabled
    }
    if (method.equals("GET") || method.equals("HEAD")) {
      return Role.READ;
    }
    if (method.equals("POST") && path.equals("/v1/stream-tokens")) {
      return Role.READ; // a read-only stream token: no more than the read the key has already
    }
    if (path.equals("/v1/reservations") || path.startsWith("/v1/reservations/")) {
      return Role.WRITE;
    }
    return Role.ADMIN; // items, stock commands, batch, and anything not listed
  }
}
