package io.stockroom.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockroom.server.http.ProblemException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Stream tokens on their own, on a fake clock: what they grant, when they expire, tampering. */
class StreamTokensTest {

  private static final long TTL_MILLIS = 300_000;
  private static final long START = 1_700_000_000_000L;
  private static final Principal ADMIN = new Principal("abcdefghij12", Role.ADMIN);

  private final AtomicLong now = new AtomicLong(START);
  private final StreamTokens tokens = new StreamTokens(secret(1), TTL_MILLIS, now::get);

  private static byte[] secret(int fill) {
    byte[] secret = new byte[32];
    java.util.Arrays.fill(secret, (byte) fill);
    return secret;
  }

  @Test
  void tokenGrantsOnlyReadAsTheIssuingKeyEvenWhenTheIssuerIsAdmin() {
    StreamTokens.Issued issued = tokens.issue(ADMIN);

    assertThat(issued.token()).startsWith("st_").matches("st_[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}");
    assertThat(issued.expiresAtMillis()).isEqualTo(START + TTL_MILLIS);
    assertThat(tokens.verify(issued.token())).isEqualTo(new Principal("abcdefghij12", Role.READ));
  }

  @Test
  void payloadCarriesTheActorTheReadScopeAndTheExpiry() {
    String token = tokens.issue(ADMIN).token();
    String payload = new String(Base64.getUrlDecoder().decode(
        token.substring(3, token.indexOf('.'))), StandardCharsets.UTF_8);

    assertThat(payload).isEqualTo("{\"sub\":\"abcdefghij12\",\"scope\":\"read\",\"exp\":"
        + (START + TTL_MILLIS) + "}");
  }

  @Test
  void tokenIsAcceptedUntilItsExpiryAndRefusedFromThatMillisecondOn() {
    String token = tokens.issue(ADMIN).token();

    now.set(START + TTL_MILLIS - 1);
    assertThat(tokens.verify(token).id()).isEqualTo("abcdefghij12");
    now.set(START + TTL_MILLIS);
    assertThatThrownBy(() -> tokens.verify(token))
        .isInstanceOfSatisfying(ProblemException.class, refusal -> {
          assertThat(refusal.status()).isEqualTo(401);
          assertThat(refusal.slug()).isEqualTo("unauthenticated");
        })
        .hasMessageContaining("expired at 2023-11-14T22:18:20Z")
        .hasMessageContaining("POST /v1/stream-tokens");
  }

  @Test
  void changingAnyCharacterOfTheTokenIsRefused() {
    String token = tokens.issue(ADMIN).token();

    // Every position past the prefix, payload, separator and signature alike.
    for (int i = 3; i < token.length(); i++) {
      char flipped = token.charAt(i) == 'A' ? 'B' : 'A';
      String tampered = token.substring(0, i) + flipped + token.substring(i + 1);
      assertThatThrownBy(() -> tokens.verify(tampered)).as("position %d", i)
          .isInstanceOfSatisfying(ProblemException.class,
              refusal -> assertThat(refusal.status()).isEqualTo(401));
    }
  }

  @Test
  void forgedPayloadWithAValidSignatureOfAnotherPayloadIsRefused() {
    String token = tokens.issue(ADMIN).token();
    String signature = token.substring(token.indexOf('.'));
    String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"sub\":\"abcdefghij12\",\"scope\":\"read\",\"exp\":" + Long.MAX_VALUE + "}")
            .getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(() -> tokens.verify("st_" + forged + signature))
        .isInstanceOf(ProblemException.class).hasMessageContaining("signature");
  }

  @Test
  void tokenFromBeforeARestartIsRefused() {
    String token = tokens.issue(ADMIN).token();
    StreamTokens restarted = new StreamTokens(secret(2), TTL_MILLIS, now::get);

    assertThatThrownBy(() -> restarted.verify(token))
        .isInstanceOf(ProblemException.class).hasMessageContaining("restarted");
  }

  @Test
  void malformedTokensAreRefusedWithoutVerifying() {
    String valid = tokens.issue(ADMIN).token();
    for (String malformed : new String[] {null, "", "st_", "st_.", valid.replace(".", ""),
        valid + "A", "xt_" + valid.substring(3), "st_" + "A".repeat(201) + "." + "A".repeat(43),
        "sk_abcdefghij12_" + "A".repeat(43)}) {
      assertThatThrownBy(() -> tokens.verify(malformed)).as(String.valueOf(malformed))
          .isInstanceOf(ProblemException.class).hasMessageContaining("malformed");
    }
  }

  @Test
  void defaultConstructorSignsWithAFreshSecretEachTime() {
    String token = new StreamTokens(300).issue(ADMIN).token();

    assertThat(new StreamTokens(300).issue(ADMIN).token()).isNotEqualTo(token);
    assertThatThrownBy(() -> new StreamTokens(300).verify(token))
        .isInstanceOf(ProblemException.class);
  }
}
