package io.stockroom.server.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stockroom.server.http.ProblemException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived, read-only, signed tokens for the streams, because a browser's EventSource cannot
 * set an Authorization header and a long-lived API key must never sit in a URL (URLs end up in
 * access logs, proxies and browser history). A token is
 * {@code st_<payload>.<signature>}: the payload is base64url JSON
 * {@code {"sub":<issuing key id>,"scope":"read","exp":<epoch ms>}}, the signature the base64url
 * HMAC-SHA256 of the payload's base64url text.
 *
 * <p>The secret is 256 random bits made at startup and kept only in memory: a restart ends every
 * outstanding token, which is fine for a token that lives minutes, and means there is no secret
 * on disk to leak or rotate. Tokens are not recorded, so revoking the issuing key does not end
 * them; they end by themselves within the TTL (docs/SECURITY.md).
 */
public final class StreamTokens {

  public static final String PREFIX = "st_";
  /**
   * Base64url characters of a payload: ours are about 70; a longer one is not ours and is
   * refused before any decoding or MAC work.
   */
  private static final int PAYLOAD_LENGTH_MAX = 200;
  /** base64url of a 32-byte HMAC-SHA256, unpadded. */
  private static final int SIGNATURE_LENGTH = 43;
  private static final Pattern FORMAT = Pattern.compile("st_([A-Za-z0-9_-]{1,"
      + PAYLOAD_LENGTH_MAX + "})\\.([A-Za-z0-9_-]{" + SIGNATURE_LENGTH + "})");
  /** What ApiKeys ids look like: the only subjects we ever sign. */
  private static final Pattern SUBJECT = Pattern.compile("[a-z0-9]{12}");
  private static final String SCOPE = "read";
  private static final String ALGORITHM = "HmacSHA256";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  /** A freshly issued token and when it stops being accepted (epoch ms). */
  public record Issued(String token, long expiresAtMillis) {}

  private final SecretKeySpec secret;
  private final long ttlMillis;
  private final LongSupplier clock;

  /** Tokens valid for {@code ttlSeconds}, signed with a fresh random secret, on the wall clock. */
  public StreamTokens(int ttlSeconds) {
    this(randomSecret(), ttlSeconds * 1_000L, System::currentTimeMillis);
  }

  /** With a given secret and clock (epoch ms): tests advance a fake one to reach expiry. */
  StreamTokens(byte[] secret, long ttlMillis, LongSupplier clock) {
    if (secret.length != 32) {
      throw new IllegalArgumentException("the stream token secret must be 32 bytes");
    }
    if (ttlMillis < 1) {
      throw new IllegalArgumentException("the stream token TTL must be positive");
    }
    this.secret = new SecretKeySpec(secret.clone(), ALGORITHM);
    this.ttlMillis = ttlMillis;
    this.clock = clock;
  }

  private static byte[] randomSecret() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return secret;
  }

  /** A read-only token for {@code issuer}: its key id, never its role, goes into the token. */
  public Issued issue(Principal issuer) {
    long expiresAt = clock.getAsLong() + ttlMillis;
    ObjectNode payload = JSON.createObjectNode();
    payload.put("sub", issuer.id());
    payload.put("scope", SCOPE);
    payload.put("exp", expiresAt);
    String encoded = ENCODER.encodeToString(payload.toString().getBytes(StandardCharsets.UTF_8));
    return new Issued(PREFIX + encoded + "." + sign(encoded), expiresAt);
  }

  /**
   * The principal a token stands for: the issuing key's id with role {@link Role#READ}, whatever
   * the issuer's role was.
   *
   * @throws ProblemException 401 {@code unauthenticated} when the token is malformed, was not
   *     signed by this process (tampered, or issued before a restart), or has expired
   */
  public Principal verify(String token) {
    Matcher match = token == null ? null : FORMAT.matcher(token);
    if (match == null || !match.matches()) {
      throw refused("the stream token is malformed");
    }
    // Compared as base64url text: decoding first would let the unused low bits of the last
    // character vary, so several texts would pass for one signature.
    byte[] expected = sign(match.group(1)).getBytes(StandardCharsets.US_ASCII);
    byte[] presented = match.group(2).getBytes(StandardCharsets.US_ASCII);
    if (!MessageDigest.isEqual(expected, presented)) {
      throw refused("the stream token's signature does not match (altered, or issued before the"
          + " service restarted)");
    }
    JsonNode payload = payload(match.group(1));
    long expiresAt = payload.get("exp").asLong();
    if (clock.getAsLong() >= expiresAt) {
      throw refused("the stream token expired at " + Instant.ofEpochMilli(expiresAt)
          + "; get a new one with POST /v1/stream-tokens");
    }
    return new Principal(payload.get("sub").asText(), Role.READ);
  }

  /** The signed payload, checked field by field: a signed but odd payload is still refused. */
  private static JsonNode payload(String encoded) {
    JsonNode node;
    try {
      node = JSON.readTree(Base64.getUrlDecoder().decode(encoded));
    } catch (Exception e) {
      throw refused("the stream token's payload is not readable");
    }
    if (node == null || !node.isObject() || node.size() != 3
        || !node.path("sub").isTextual() || !SUBJECT.matcher(node.get("sub").asText()).matches()
        || !SCOPE.equals(node.path("scope").asText(null))
        || !node.path("exp").isIntegralNumber() || !node.get("exp").canConvertToLong()) {
      throw refused("the stream token's payload is not valid");
    }
    return node;
  }

  private String sign(String encodedPayload) {
    try {
      // A Mac per call: they are not thread-safe, and one per stream connect is cheap.
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(secret);
      return ENCODER.encodeToString(mac.doFinal(
          encodedPayload.getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  private static ProblemException refused(String detail) {
    return new ProblemException(401, "unauthenticated", "Authentication required", detail);
  }
}
