package io.stockroom.server.security;

/**
 * Who is calling: {@code id} is an API key's id (never its secret) or, for a JWT,
 * {@code jwt:<subject>}, so rate-limit buckets and events keep the two apart.
 */
public record Principal(String id, Role role) {

  private static final String JWT_PREFIX = "jwt:";

  /** The principal of a verified JWT with this subject. */
  public static Principal ofToken(String subject, Role role) {
    return new Principal(JWT_PREFIX + subject, role);
  }

  /** What the events this caller causes record: {@code key:<id>} or {@code jwt:<subject>}. */
  public String actor() {
    return id.startsWith(JWT_PREFIX) ? id : "key:" + id;
  }
}
