package io.stockroom.server.security;

/**
 * Which role each route needs, in one place. Health, the OpenAPI description and the storefront
 * availability feed are public (orchestrators, client generators and shoppers' browsers need
 * them without a key); every other route needs at
 * least {@link Role#READ}, including unknown ones, so probing for routes without a key learns
 * nothing but 401.
 */
public final class AccessPolicy {

  /** The anonymous availability feed for storefronts (off by default). */
  private static final String PUBLIC_PREFIX = "/v1/public/";

  private AccessPolicy() {}

  /** The role {@code method path} needs, or null when it is public. */
  public static Role required(String method, String path) {
    if (method.equals("GET") && (path.equals("/health/live") || path.equals("/health/ready")
        || path.equals("/openapi.yaml") || path.startsWith(PUBLIC_PREFIX))) {
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
