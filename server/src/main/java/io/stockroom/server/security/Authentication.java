package io.stockroom.server.security;

import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.stockroom.server.http.ProblemException;
import io.stockroom.server.http.Problems;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The routing filter that lets a request through only with a key (or, when configured, a JWT
 * from the shop's identity provider: {@link JwtVerifier}) whose role the route needs
 * ({@link AccessPolicy}): no or bad credentials -> 401 with {@code WWW-Authenticate}, too small a
 * role -> 403, both problem+json, before any handler runs (so nothing can change). Keys are only
 * accepted in the Authorization header, never in a URL. The one credential a URL may carry is a
 * short-lived read-only stream token ({@link StreamTokens}), as {@code ?token=}, and only on the
 * streams ({@code GET /v1/stream} and the WebSocket upgrade), because a browser's EventSource
 * cannot set headers; there, when {@code ?token=} is present it is the only credential looked at.
 */
public final class Authentication {

  /** The query parameter of a stream token. */
  private static final String TOKEN_PARAMETER = "token";
  /**
   * Where a stream token is accepted. The WebSocket upgrade is here too: Helidon passes it
   * through the routing filters before {@code WsEndpoint.onHttpUpgrade}, which checks again.
   */
  private static final Set<String> STREAM_PATHS = Set.of("/v1/stream", "/v1/stream/ws");

  private final ApiKeys keys;
  private final StreamTokens streamTokens;
  private final JwtVerifier jwts;

  public Authentication(ApiKeys keys, StreamTokens streamTokens) {
    this(keys, streamTokens, null);
  }

  /** With {@code jwts} (null: API keys only) for bearer tokens that are not API keys. */
  public Authentication(ApiKeys keys, StreamTokens streamTokens, JwtVerifier jwts) {
    this.keys = keys;
    this.streamTokens = streamTokens;
    this.jwts = jwts;
  }

  public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    String method = request.prologue().method().text();
    String path = request.path().rawPath();
    Role required = AccessPolicy.required(method, path);
    if (required == null) {
      chain.proceed();
      return;
    }
    String authorization = request.headers().first(HeaderNames.AUTHORIZATION).orElse(null);
    Principal principal;
    try {
      if (method.equals("GET") && STREAM_PATHS.contains(path)) {
        principal = streamPrincipal(request.query(), authorization);
      } else if (authorization == null && request.query().contains(TOKEN_PARAMETER)) {
        throw unauthenticated("a stream token (?token=) is accepted only on GET /v1/stream and"
            + " /v1/stream/ws; send an API key as 'Authorization: Bearer <key>'");
      } else {
        principal = principal(authorization, required);
      }
    } catch (ProblemException refusal) {
      if (refusal.status() == 401) {
        response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"stockroom\"");
      }
      Problems.send(request, response, refusal);
      return;
    }
    // Later filters (the RateLimiter) key on who is calling; public routes register nobody.
    request.context().register(principal);
    chain.proceed();
  }

  /**
   * Null when a stream subscription with {@code query} and {@code authorization} may read; else
   * the problem to answer. For the WebSocket upgrade's own check, which holds also when the hub
   * is served without this filter.
   */
  public ProblemException checkStream(Parameters query, String authorization) {
    try {
      streamPrincipal(query, authorization);
      return null;
    } catch (ProblemException refusal) {
      return refusal;
    }
  }

  /**
   * Who may read a stream: the stream token in {@code ?token=} when there is one (and then only
   * it), else the API key in {@code authorization}.
   */
  private Principal streamPrincipal(Parameters query, String authorization) {
    if (!query.contains(TOKEN_PARAMETER)) {
      return principal(authorization, Role.READ);
    }
    List<String> given = query.all(TOKEN_PARAMETER);
    if (given.size() != 1) {
      throw unauthenticated("give one stream token (?token=), not " + given.size());
    }
    if (!given.get(0).startsWith(StreamTokens.PREFIX)) {
      // Most likely an API key: refused even when valid, or it would end up in logs and proxies.
      throw unauthenticated("?token= takes only a stream token (st_...) from POST"
          + " /v1/stream-tokens; API keys are never accepted in a URL");
    }
    return streamTokens.verify(given.get(0));
  }

  private static ProblemException unauthenticated(String detail) {
    return new ProblemException(401, "unauthenticated", "Authentication required", detail);
  }

  /**
   * Who {@code authorization} stands for, when it grants {@code required}.
   *
   * @throws ProblemException the refusal to answer (401, 403, or 503 when keys cannot be read)
   */
  private Principal principal(String authorization, Role required) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      throw new ProblemException(401, "unauthenticated", "Authentication required",
          "send an API key as 'Authorization: Bearer <key>'");
    }
    String token = authorization.substring(7).trim();
    Principal principal;
    try {
      principal = jwts != null && isJwt(token) ? jwts.verify(token) : keys.authenticate(token);
    } catch (IOException e) {
      throw new ProblemException(503, "unavailable", "Service unavailable",
          "the key store could not be read", Map.of(), 1);
    }
    if (principal == null && token.startsWith(StreamTokens.PREFIX)) {
      throw unauthenticated("a stream token is accepted only as ?token= on GET /v1/stream and"
          + " /v1/stream/ws, never in the Authorization header");
    }
    if (principal == null) {
      throw new ProblemException(401, "unauthenticated", "Authentication required",
          "the API key is not valid or was revoked");
    }
    if (!principal.role().includes(required)) {
      throw new ProblemException(403, "forbidden", "Not allowed",
          principal.actor() + " has role " + principal.role().name().toLowerCase()
              + "; this needs " + required.name().toLowerCase());
    }
    return principal;
  }

  /** A JWT is three base64url parts; API keys ({@code sk_...}) have no dots. */
  private static boolean isJwt(String token) {
    int first = token.indexOf('.');
    return first > 0 && token.indexOf('.', first + 1) > first + 1;
  }
}
