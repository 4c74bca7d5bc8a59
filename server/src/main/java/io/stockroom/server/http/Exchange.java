package io.stockroom.server.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stockroom.server.security.Principal;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import java.util.Set;

/** Request and response helpers shared by the routes: bodies, headers, JSON responses. */
final class Exchange {

  static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");
  static final HeaderName IDEMPOTENT_REPLAYED = HeaderNames.create("Idempotent-Replayed");
  static final HeaderName SEQUENCE = HeaderNames.create("Stockroom-Sequence");
  static final HeaderName MIN_SEQUENCE = HeaderNames.create("Stockroom-Min-Sequence");

  private final int bodyBytesMax;

  Exchange(int bodyBytesMax) {
    this.bodyBytesMax = bodyBytesMax;
  }

  /** The raw body: JSON content type required, at most {@code bodyBytesMax} bytes. */
  byte[] body(ServerRequest request) {
    Optional<String> type = request.headers().first(HeaderNames.CONTENT_TYPE);
    if (type.isEmpty() || !isJson(type.get())) {
      throw new ProblemException(415, "unsupported-media-type", "Unsupported media type",
          "the body must be application/json, was " + type.orElse("missing"));
    }
    long declared = request.headers().contentLength().orElse(-1);
    if (declared > bodyBytesMax) {
      throw tooLarge(declared);
    }
    try (InputStream in = request.content().inputStream()) {
      if (declared >= 0) {
        // The usual case: an array of exactly the declared size. InputStream.readNBytes(max)
        // would allocate a 16 KiB buffer per request (and zero it) to read a 100-byte body,
        // which was a fifth of the reservation path's garbage.
        byte[] bytes = new byte[(int) declared];
        int read = in.readNBytes(bytes, 0, bytes.length);
        if (read < bytes.length) {
          throw ProblemException.badRequest("the body ended after " + read + " of the "
              + declared + " bytes its Content-Length declared");
        }
        return bytes;
      }
      byte[] bytes = in.readNBytes(bodyBytesMax + 1); // chunked: no size known in advance
      if (bytes.length > bodyBytesMax) {
        throw tooLarge(bytes.length);
      }
      return bytes;
    } catch (IOException e) {
      throw ProblemException.badRequest("the body could not be read: " + e.getMessage());
    }
  }

  /**
   * {@code application/json}, in any ASCII case, alone or with parameters
   * ({@code ; charset=utf-8}). By hand rather than with a regular expression: String.matches
   * compiles its pattern on every call, and this runs on every write.
   */
  static boolean isJson(String contentType) {
    String type = contentType.trim();
    String json = "application/json";
    if (type.length() < json.length()) {
      return false;
    }
    for (int i = 0; i < json.length(); i++) {
      char c = type.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        c = (char) (c + ('a' - 'A'));
      }
      if (c != json.charAt(i)) {
        return false;
      }
    }
    int i = json.length();
    while (i < type.length() && isRegexSpace(type.charAt(i))) {
      i++;
    }
    return i == type.length() || type.charAt(i) == ';';
  }

  /** What {@code \s} matched in the expression this replaced: space, tab, LF, VT, FF, CR. */
  private static boolean isRegexSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
  }

  private ProblemException tooLarge(long size) {
    return new ProblemException(413, "body-too-large", "The body is too large",
        "the body has " + size + "+ bytes; the limit (requestBodyBytesMax) is " + bodyBytesMax);
  }

  ObjectNode object(ServerRequest request, byte[] body, Set<String> fields) {
    return Json.object(body, fields);
  }

  static String idempotencyKey(ServerRequest request) {
    return request.headers().first(IDEMPOTENCY_KEY).orElse(null);
  }

  /** Who the authenticated caller is, as events record it. */
  static String actor(ServerRequest request) {
    return request.context().get(Principal.class).orElseThrow(() -> new IllegalStateException(
        "authentication registers a principal before any write")).actor();
  }

  static String method(ServerRequest request) {
    return request.prologue().method().text();
  }

  static String path(ServerRequest request) {
    return request.path().rawPath();
  }

  static void json(ServerResponse response, int status, long sequence, Json.Body body) {
    response.status(Status.create(status));
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    if (sequence > 0) {
      response.header(SEQUENCE, Long.toString(sequence));
    }
    response.send(Json.render(body));
  }

  static void written(ServerResponse response, int status, Writes.Written written,
      Json.Body body) {
    if (written.replayed()) {
      response.header(IDEMPOTENT_REPLAYED, "true");
    }
    json(response, status, written.sequence(), body);
  }

  /** A query parameter, or null. */
  static String query(ServerRequest request, String name) {
    return request.query().contains(name) ? request.query().get(name) : null;
  }

  static long queryLong(ServerRequest request, String name, long fallback, long min, long max) {
    String value = query(request, name);
    if (value == null) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value);
      if (parsed < min || parsed > max) {
        throw ProblemException.badRequest(name + " must be between " + min + " and " + max
            + ", was " + value);
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw ProblemException.badRequest(name + " must be an integer, was '" + value + "'");
    }
  }
}
