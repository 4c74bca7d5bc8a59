package io.stockroom.server.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.stockroom.server.security.JwtSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;

/**
 * A stand-in for a shop's identity provider: an RSA key pair that signs real JWTs, and its
 * public key published as PEM or JWKS the way an operator would configure Stockroom.
 */
public final class TestIdentityProvider {

  public static final String ISSUER = "https://id.shop.example";
  public static final String AUDIENCE = "stockroom";

  private final KeyPair keys = generate();
  private final String keyId;

  public TestIdentityProvider(String keyId) {
    this.keyId = keyId;
  }

  private static KeyPair generate() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      return generator.generateKeyPair();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("RSA is part of every JDK", e);
    }
  }

  /** Writes the public key as a PEM {@code PUBLIC KEY} block to {@code file}. */
  public Path writePem(Path file) throws IOException {
    String base64 = Base64.getMimeEncoder(64, "\n".getBytes())
        .encodeToString(keys.getPublic().getEncoded());
    Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + base64
        + "\n-----END PUBLIC KEY-----\n");
    return file;
  }

  /** Writes the public key as a JWKS document to {@code file}. */
  public Path writeJwks(Path file) throws IOException {
    RSAKey jwk = new RSAKey.Builder((RSAPublicKey) keys.getPublic()).keyID(keyId).build();
    Files.writeString(file, new JWKSet(jwk).toString());
    return file;
  }

  public static JwtSettings settings(Path keysFile) {
    return new JwtSettings(keysFile, ISSUER, AUDIENCE, "roles", 30);
  }

  /** A token for {@code subject} with {@code roles}, valid for an hour. */
  public String token(String subject, List<String> roles) {
    return token(new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER).audience(AUDIENCE)
        .expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))))
        .claim("roles", roles).build());
  }

  /** A token otherwise valid that expired {@code ago}. */
  public String expiredToken(String subject, List<String> roles, Duration ago) {
    return token(new JWTClaimsSet.Builder().subject(subject).issuer(ISSUER).audience(AUDIENCE)
        .expirationTime(Date.from(Instant.now().minus(ago))).claim("roles", roles).build());
  }

  /** Signs {@code claims} with this provider's key (RS256). */
  public String token(JWTClaimsSet claims) {
    try {
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId)
          .build(), claims);
      jwt.sign(new RSASSASigner(keys.getPrivate()));
      return jwt.serialize();
    } catch (JOSEException e) {
      throw new IllegalStateException(e);
    }
  }

  public RSAPublicKey publicKey() {
    return (RSAPublicKey) keys.getPublic();
  }
}
