package io.stockroom.server.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.stockroom.server.Stockroom;
import io.stockroom.server.storefront.PublicFeedSettings;
import io.stockroom.server.testing.Service;
import io.stockroom.server.testing.TestIdentityProvider;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer JWTs from a shop's identity provider, checked end to end against a real server. */
class JwtTest {

  @TempDir
  Path data;
  @TempDir
  Path config;

  private final TestIdentityProvider provider = new TestIdentityProvider("k1");
  private final TestIdentityProvider stranger = new TestIdentityProvider("k1");

  private Service service(Path keysFile) throws Exception {
    return new Service(data, c -> c.withAccess(TestIdentityProvider.settings(keysFile),
        PublicFeedSettings.defaults()), null);
  }

  @Test
  void validTokensActWithTheirRoleAndEveryEventRecordsTheSubject() throws Exception {
    try (Service service = service(provider.writePem(config.resolve("idp.pem")))) {
      String admin = provider.token("ops@shop.example", List.of("admin"));
      String writer = provider.token("checkout-7", List.of("read", "write"));
      String reader = provider.token("dashboard", List.of("read"));

      assertThat(status(service, admin, "PUT", "/v1/items/tee", "{\"name\":\"T\"}"))
          .isEqualTo(200);
      assertThat(status(service, admin, "POST", "/v1/items/tee/receive", "{\"quantity\":3}"))
          .isEqualTo(200);
      assertThat(status(service, writer, "POST", "/v1/reservations",
          "{\"id\":\"r1\",\"lines\":[{\"sku\":\"tee\",\"quantity\":1}]}")).isEqualTo(201);
      assertThat(status(service, reader, "GET", "/v1/items/tee", null)).isEqualTo(200);
      assertThat(status(service, reader, "POST", "/v1/reservations/r1/release", null))
          .isEqualTo(403);

      JsonNode events = Service.json(service.get("/v1/events?after=0")).get("events");
      Map<String, String> actors = new LinkedHashMap<>();
      events.forEach(e -> actors.put(e.get("type").asText(), e.get("actor").asText()));
      assertThat(actors).containsExactly(
          Map.entry("item-defined", "jwt:ops@shop.example"),
          Map.entry("stock-received", "jwt:ops@shop.example"),
          Map.entry("hold-reserved", "jwt:checkout-7"));
    }
  }

  @Test
  void tokensThatDoNotVerifyAreRefusedWithTheReasonAndChangeNothing() throws Exception {
    try (Service service = service(provider.writePem(config.resolve("idp.pem")))) {
      JWTClaimsSet.Builder valid = new JWTClaimsSet.Builder().subject("eve")
          .issuer(TestIdentityProvider.ISSUER).audience(TestIdentityProvider.AUDIENCE)
          .expirationTime(Date.from(Instant.now().plusSeconds(600))).claim("roles", "admin");
      Map<String, String> refused = new LinkedHashMap<>();
      refused.put(provider.expiredToken("eve", List.of("admin"), Duration.ofMinutes(5)),
          "expired");
      refused.put(stranger.token("eve", List.of("admin")), "signature");
      refused.put(provider.token(valid.issuer("https://evil.example").build()), "issuer");
      refused.put(provider.token(valid.issuer(TestIdentityProvider.ISSUER)
          .audience("another-app").build()), "audience");
      refused.put(provider.token(valid.audience(TestIdentityProvider.AUDIENCE).subject(null)
          .build()), "required claim");
      refused.put(provider.token(valid.subject("eve").expirationTime(null).build()),
          "required claim");
      refused.put(new PlainJWT(valid.expirationTime(Date.from(Instant.now().plusSeconds(600)))
          .build()).serialize(), "algorithm");
      // Algorithm confusion: the public key used as an HMAC secret must never verify.
      SignedJWT confused = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), valid.build());
      confused.sign(new MACSigner(provider.publicKey().getEncoded()));
      refused.put(confused.serialize(), "algorithm");
      refused.put("eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln", "neither an API key nor");

      long before = service.sequence();
      for (Map.Entry<String, String> token : refused.entrySet()) {
        HttpResponse<String> response = send(service, token.getKey(), "PUT", "/v1/items/x",
            "{\"name\":\"X\"}");
        assertThat(response.statusCode()).as(token.getValue()).isEqualTo(401);
        assertThat(Service.json(response).get("detail").asText()).as(token.getValue())
            .contains(token.getValue()).doesNotContain(token.getKey());
        assertThat(response.headers().firstValue("WWW-Authenticate")).isPresent();
      }
      HttpResponse<String> noRole = send(service, provider.token("eve", List.of("shopper")),
          "GET", "/v1/items", null);
      assertThat(noRole.statusCode()).isEqualTo(403);
      assertThat(Service.json(noRole).get("detail").asText()).contains("grants none");
      assertThat(service.sequence()).isEqualTo(before);
    }
  }

  @Test
  void jwksKeysRotateWithoutARestart() throws Exception {
    Path jwks = provider.writeJwks(config.resolve("idp.jwks"));
    try (Service service = service(jwks)) {
      String next = stranger.token("ops", List.of("read"));
      assertThat(status(service, provider.token("ops", List.of("read")), "GET", "/v1/items",
          null)).isEqualTo(200);
      assertThat(status(service, next, "GET", "/v1/items", null)).isEqualTo(401);

      stranger.writeJwks(jwks);
      Files.setLastModifiedTime(jwks, FileTime.from(Instant.now().plusSeconds(5)));

      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
          .until(() -> status(service, next, "GET", "/v1/items", null) == 200);
    }
  }

  @Test
  void aKeysFileThatHoldsNoPublicKeyRefusesToStart() throws Exception {
    Path bad = Files.writeString(config.resolve("bad.pem"),
        "-----BEGIN CERTIFICATE-----\nAA==\n");
    assertThatThrownBy(() -> Stockroom.start(Service.config(data)
        .withAccess(TestIdentityProvider.settings(bad), PublicFeedSettings.defaults())))
        .hasMessageContaining("jwt.keysFile").hasMessageContaining("PUBLIC KEY");
    assertThatThrownBy(() -> new JwtSettings(bad, null, "stockroom", "roles", 30))
        .hasMessageContaining("jwt.issuer and jwt.audience are required");
  }

  private static int status(Service service, String token, String method, String path,
      String body) {
    return send(service, token, method, path, body).statusCode();
  }

  private static HttpResponse<String> send(Service service, String token, String method,
      String path, String body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(service.uri(path));
    if (body == null) {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      request.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return service.sendAs(token, request);
  }
}
