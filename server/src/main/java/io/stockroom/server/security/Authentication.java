package io.stockroom.server.security;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.stockroom.server.http.ProblemException;
import io.stockroom.server.http.Problems;
import java.io.IOException;
import java.util.Map;

/**
 * The routing filter that lets a request through only with a key whose role the route needs
 * ({@link AccessPolicy}): no or bad credentials -> 401 with {@code WWW-Authenticate}, too small a
 * role -> 403, both problem+json, before any handler runs (so nothing can change). Keys are only
 * accepted in the Authorization header, never in a URL.
 */
public final class Authentication {

  private final ApiKeys keys;

  public Authentication(ApiKeys keys) {
    this.keys = keys;
  }

  public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    Role required = AccessPolicy.required(request.prologue().method().text(),
        request.path().rawPath());
    if (required == null) {
      chain.proceed();
      return;
    }
    Principal principal;
    try {
      principal = principal(request.headers().first(HeaderNames.AUTHORIZATION).orElse(null),
          required);
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

  /** Null when {@code authorization} grants {@code required}; else the problem to answer. */
  public ProblemException check(String authorization, Role required) {
    try {
      principal(authorization, required);
      return null;
    } catch (ProblemException refusal) {
      return refusal;
    }
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
    Principal principal;
    try {
      principal = keys.authenticate(authorization.substring(7).trim());
    } catch (IOException e) {
      throw new ProblemException(503, "unavailable", "Service unavailable",
          "the key store could not be read", Map.of(), 1);
    }
    if (principal == null) {
      throw new ProblemException(401, "unauthenticated", "Authentication required",
          "the API key is not valid or was revoked");
    }
    if (!principal.role().includes(required)) {
      throw new ProblemException(403, "forbidden", "Not allowed",
          "key " + principal.id() + " has role " + principal.role().name().toLowerCase()
              + "; this needs " + required.name().toLowerCase());
    }
    return principal;
  }
}
