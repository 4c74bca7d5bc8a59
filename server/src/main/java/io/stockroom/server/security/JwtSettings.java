package io.stockroom.server.security;

import java.nio.file.Path;

/**
 * Bearer JWTs from the shop's identity provider, accepted beside API keys when
 * {@code keysFile} is set (docs/SECURITY.md).
 *
 * @param keysFile the provider's public keys: a JWKS file ({@code {"keys":[...]}}) or PEM
 *     {@code -----BEGIN PUBLIC KEY-----} blocks (RSA or EC); null turns JWTs off (default null).
 *     Re-read when it changes, so keys rotate without a restart
 * @param issuer the {@code iss} every token must carry exactly (required with keysFile)
 * @param audience a value the token's {@code aud} must contain (required with keysFile)
 * @param rolesClaim the claim naming the caller's roles, a string ({@code "read write"}) or an
 *     array; the highest of {@code read}, {@code write}, {@code admin} counts (default
 *     {@code roles})
 * @param clockSkewSeconds how far {@code exp} and {@code nbf} may be off the service's clock,
 *     seconds (default 30)
 */
public record JwtSettings(Path keysFile, String issuer, String audience, String rolesClaim,
    int clockSkewSeconds) {

  public static JwtSettings defaults() {
    return new JwtSettings(null, null, null, "roles", 30);
  }

  public JwtSettings {
    if (rolesClaim == null || rolesClaim.isBlank()) {
      throw new IllegalArgumentException("invalid configuration: jwt.rolesClaim is required");
    }
    if (clockSkewSeconds < 0 || clockSkewSeconds > 300) {
      throw new IllegalArgumentException("invalid configuration: jwt.clockSkewSeconds must be"
          + " 0..300, was " + clockSkewSeconds);
    }
    if (keysFile != null && (blank(issuer) || blank(audience))) {
      // Without them any token the provider ever signed, for any application, would do.
      throw new IllegalArgumentException("invalid configuration: jwt.keysFile is set, so"
          + " jwt.issuer and jwt.audience are required too");
    }
  }

  public boolean enabled() {
    return keysFile != null;
  }

  private static boolean blank(String value) {
    return value == null || value.isBlank();
  }
}
