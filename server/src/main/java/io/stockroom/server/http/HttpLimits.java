package io.stockroom.server.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.RequestException;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.http1.Http1Config;

/**
 * How much of a request's head the HTTP/1 layer reads before giving up: a slow or huge head ties
 * up a connection and memory before any filter (authentication, rate limits) can see it. Helidon
 * refuses a request over either limit itself, before routing (400 for headers, 414 for the
 * request line), and closes the connection; {@link #problemAnswers} makes those refusals, like
 * every other answer, problem+json. Validated on construction; documented in docs/SECURITY.md
 * ("Rate limits and request limits").
 *
 * @param headersBytesMax all request header lines together, bytes (default 16 KiB, Helidon's own
 *     default, stated here so it is ours)
 * @param requestLineBytesMax the request line ({@code GET /path?query HTTP/1.1}), bytes (default
 *     8 KiB, twice Helidon's: a stream filter of 100 {@code sku=} values of up to ~70 characters
 *     each fits in the query)
 * @param connectionsMax TCP connections served at once, streams included (default 30,000); more
 *     wait in the listen backlog until one closes. Each costs buffers and a thread stack (about
 *     35 KiB of heap), so this is what bounds the heap when clients arrive faster than they are
 *     answered.
 * @param requestsInFlightMax requests being handled at once, streams, health and metrics
 *     excepted (default 2,048); more are answered 503 {@code overloaded} with Retry-After at once,
 *     before authentication or the body: see {@link InFlightLimit}
 */
public record HttpLimits(int headersBytesMax, int requestLineBytesMax, int connectionsMax,
    int requestsInFlightMax) {

  public static HttpLimits defaults() {
    return new HttpLimits(16 * 1024, 8 * 1024, 30_000, 2_048);
  }

  public HttpLimits {
    if (headersBytesMax < 1_024 || headersBytesMax > 1 << 20) {
      throw new IllegalArgumentException("headersBytesMax must be 1024..1048576 bytes, was "
          + headersBytesMax);
    }
    if (requestLineBytesMax < 256 || requestLineBytesMax > 1 << 20) {
      throw new IllegalArgumentException("requestLineBytesMax must be 256..1048576 bytes, was "
          + requestLineBytesMax);
    }
    if (connectionsMax < 2 || connectionsMax > 10_000_000) {
      throw new IllegalArgumentException("http connectionsMax must be 2..10000000, was "
          + connectionsMax);
    }
    if (requestsInFlightMax < 1 || requestsInFlightMax > connectionsMax) {
      throw new IllegalArgumentException("http requestsInFlightMax must be 1..connectionsMax ("
          + connectionsMax + "), was " + requestsInFlightMax);
    }
  }

  /** As these, with other connection and in-flight bounds. */
  public HttpLimits withConcurrency(int connectionsMax, int requestsInFlightMax) {
    return new HttpLimits(headersBytesMax, requestLineBytesMax, connectionsMax,
        requestsInFlightMax);
  }

  /**
   * Problem+json for the answers Helidon gives before routing (a head over these limits, a
   * malformed request line or header), for {@code WebServer.builder().directHandlers(..)}, with
   * the security headers. Helidon's message is not echoed: it may quote the request.
   */
  public DirectHandlers problemAnswers() {
    DirectHandler handler = new DirectHandler() {
      @Override
      public TransportResponse handle(TransportRequest request, EventType event, Status status,
          ServerResponseHeaders headers, String message) {
        return answer(status, headers, problemOf(status));
      }

      /** Our own refusals before routing (a refused WebSocket upgrade) keep their problem. */
      @Override
      public TransportResponse handle(TransportRequest request, EventType event, Status status,
          ServerResponseHeaders headers, Throwable thrown) {
        if (thrown instanceof RequestException refused
            && refused.getCause() instanceof ProblemException problem) {
          return answer(Status.create(problem.status()), headers, problem);
        }
        return handle(request, event, status, headers, (String) null);
      }

      @Override
      public TransportResponse handle(TransportRequest request, EventType event, Status status,
          ServerResponseHeaders headers, Throwable thrown, System.Logger logger) {
        return handle(request, event, status, headers, thrown);
      }
    };
    DirectHandlers.Builder handlers = DirectHandlers.builder();
    for (DirectHandler.EventType event : DirectHandler.EventType.values()) {
      handlers.addHandler(event, handler);
    }
    return handlers.build();
  }

  private static DirectHandler.TransportResponse answer(Status status,
      ServerResponseHeaders headers, ProblemException problem) {
    SecurityHeaders.apply(headers);
    headers.set(HeaderNames.CONTENT_TYPE, Problems.MEDIA_TYPE);
    return DirectHandler.TransportResponse.builder()
        .status(status)
        .headers(headers)
        .entity(Problems.render(problem, null))
        .build();
  }

  /**
   * A refusal of ours for a point before routing (a WebSocket upgrade): Helidon answers it through
   * the direct handlers, which render {@code problem} as it is.
   */
  public static RequestException refusal(ProblemException problem) {
    return RequestException.builder()
        .type(DirectHandler.EventType.BAD_REQUEST)
        .status(Status.create(problem.status()))
        .message(problem.getMessage())
        .safeMessage(true)
        .cause(problem)
        .build();
  }

  private ProblemException problemOf(Status status) {
    int code = status.code();
    return switch (code) {
      case 413 -> new ProblemException(code, "body-too-large", "The body is too large",
          "the request body is over the limit");
      case 414 -> new ProblemException(code, "request-line-too-long",
          "The request line is too long", "the request line (method, path and query) is over "
              + requestLineBytesMax + " bytes");
      case 431 -> new ProblemException(code, "headers-too-large", "The headers are too large",
          "the request headers are over " + headersBytesMax + " bytes");
      default -> code < 500
          ? new ProblemException(code, "invalid-request", "The request is invalid",
              "the request line or headers are malformed, or the headers are over "
                  + headersBytesMax + " bytes")
          : new ProblemException(code, "internal-error", "Internal error",
              "the server could not read the request");
    };
  }

  /** The HTTP/1 protocol settings for {@code WebServer.builder().addProtocol(..)}. */
  public Http1Config http1() {
    return Http1Config.builder()
        .maxHeadersSize(headersBytesMax)
        .maxPrologueLength(requestLineBytesMax)
        .build();
  }
}
