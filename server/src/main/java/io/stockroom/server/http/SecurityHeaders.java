package io.stockroom.server.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

/**
 * The routing filter that puts security headers on every routed response, refusals included:
 * {@code X-Content-Type-Options: nosniff} (a browser must not guess a JSON body is a script),
 * {@code Referrer-Policy: no-referrer}, {@code Cache-Control: no-store} unless the route set its
 * own (item reads cache for a second), a strict {@code Content-Security-Policy} on HTML, and no
 * {@code Server} banner. Registered first, so it also covers 401, 403 and 429.
 *
 * <p>The headers are written in a before-send hook, not before the handler: the error handlers
 * reset a response's headers before writing a problem, and only at send time is the content type
 * (and whether the route chose its own caching) known. Answers Helidon gives before routing (a
 * too-large request head, a malformed request line) do not pass any filter and carry none of
 * these.
 */
public final class SecurityHeaders {

  /**
   * For the dashboard page: only same-origin scripts, styles, images and connections (the SSE
   * and WebSocket streams), no plugins, no framing, no base or form hijacking. Stricter than
   * {@code default-src 'self'}: what is not named here is not loaded at all.
   */
  public static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self';"
      + " style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none';"
      + " form-action 'self'; frame-ancestors 'none'";

  private static final HeaderName REFERRER_POLICY = HeaderNames.create("Referrer-Policy");
  private static final HeaderName CONTENT_SECURITY_POLICY_HEADER =
      HeaderNames.create("Content-Security-Policy");

  private SecurityHeaders() {}

  public static void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    response.beforeSend(() -> apply(response.headers()));
    chain.proceed();
  }

  static void apply(ServerResponseHeaders headers) {
    headers.set(HeaderValues.X_CONTENT_TYPE_OPTIONS_NOSNIFF);
    headers.set(REFERRER_POLICY, "no-referrer");
    if (!headers.contains(HeaderNames.CACHE_CONTROL)) {
      headers.set(HeaderNames.CACHE_CONTROL, "no-store");
    }
    // regionMatches, not toLowerCase: this runs for every response, and only HTML needs a CSP.
    boolean html = headers.first(HeaderNames.CONTENT_TYPE)
        .map(type -> type.regionMatches(true, 0, "text/html", 0, 9))
        .orElse(false);
    if (html) {
      headers.set(CONTENT_SECURITY_POLICY_HEADER, CONTENT_SECURITY_POLICY);
    }
    headers.remove(HeaderNames.SERVER); // no version banner to match against known flaws
  }
}
