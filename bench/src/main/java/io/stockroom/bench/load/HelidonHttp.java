package io.stockroom.bench.load;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;

/** {@link Http} over Helidon's HTTP/1.1 WebClient: a blocking call per virtual thread. */
final class HelidonHttp implements Http {

  /** Bodies up to this size are read in one array of their length. */
  private static final long BODY_BYTES_READ_AT_ONCE_MAX = 1 << 20;

  private final Http1Client client;
  private final String authorization;

  HelidonHttp(URI base, String key, int connections, Duration requestTimeout) {
    this.authorization = key == null ? null : "Bearer " + key;
    this.client = Http1Client.builder()
        .baseUri(base)
        // Its own cache, sized for every concurrent caller: a connection closed for want of a
        // cache slot would make the run measure TCP setup.
        .shareConnectionCache(false)
        .connectionCacheSize(Math.max(1, connections))
        .sendExpectContinue(false)
        .followRedirects(false)
        .servicesDiscoverServices(false)
        .connectTimeout(requestTimeout)
        .readTimeout(requestTimeout)
        .socketOptions(SocketOptions.builder().tcpNoDelay(true).build())
        .build();
  }

  @Override
  public Response send(String method, String path, byte[] body) {
    int query = path.indexOf('?');
    Http1ClientRequest request = client.method(io.helidon.http.Method.create(method))
        .path(query < 0 ? path : path.substring(0, query));
    if (query >= 0) {
      // .path() would encode the '?'; the generator's parameters need no decoding.
      for (String parameter : path.substring(query + 1).split("&")) {
        int equals = parameter.indexOf('=');
        request.queryParam(parameter.substring(0, equals), parameter.substring(equals + 1));
      }
    }
    if (authorization != null) {
      request.header(HeaderNames.AUTHORIZATION, authorization);
    }
    try (HttpClientResponse response = body == null ? request.request()
        : request.header(HeaderNames.CONTENT_TYPE, "application/json").submit(body)) {
      return new Response(response.status().code(), body(response),
          response.headers().first(HeaderNames.ETAG).orElse(null));
    } catch (IOException e) {
      return new Response(isTimeout(e) ? STATUS_TIMEOUT : STATUS_IO, new byte[0]);
    } catch (UncheckedIOException e) {
      return new Response(isTimeout(e) ? STATUS_TIMEOUT : STATUS_IO, new byte[0]);
    } catch (RuntimeException e) {
      // Helidon reports a closed or reset connection with several runtime types.
      return new Response(isTimeout(e) ? STATUS_TIMEOUT : STATUS_IO, new byte[0]);
    }
  }

  /**
   * The entity, read into an array of its Content-Length. {@code as(byte[].class)} reads through
   * InputStream.readAllBytes, which asks the connection for 16 KiB at a time: about 48 KiB of
   * garbage for a 150-byte answer, most of the generator's allocation and so of the GC work
   * that the service under test then pays for too.
   */
  private static byte[] body(HttpClientResponse response) throws IOException {
    long length = response.headers().contentLength().orElse(-1);
    if (length < 0 || length > BODY_BYTES_READ_AT_ONCE_MAX) {
      return response.as(byte[].class); // chunked, or large enough that the chunks pay off
    }
    try (InputStream in = response.inputStream()) {
      byte[] body = new byte[(int) length];
      int read = in.readNBytes(body, 0, body.length);
      // Reading on to the end is what marks the entity consumed and gives the connection back
      // to the cache; left unread, the connection would be closed and the next request would
      // measure a TCP handshake.
      if (read < body.length || in.read() != -1) {
        throw new IOException("the answer's body does not match its Content-Length of "
            + length);
      }
      return body;
    }
  }

  private static boolean isTimeout(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof java.net.SocketTimeoutException) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    client.closeResource();
  }
}
