package io.stockroom.bench.load;

import io.helidon.common.socket.SocketOptions;
import io.helidon.http.HeaderNames;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.http1.Http1Client;
import io.helidon.webclient.http1.Http1ClientRequest;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;

/** {@link Http} over Helidon's HTTP/1.1 WebClient: a blocking call per virtual thread. */
final class HelidonHttp implements Http {

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
      return new Response(response.status().code(), response.as(byte[].class),
          response.headers().first(HeaderNames.ETAG).orElse(null));
    } catch (UncheckedIOException e) {
      return new Response(isTimeout(e) ? STATUS_TIMEOUT : STATUS_IO, new byte[0]);
    } catch (RuntimeException e) {
      // Helidon reports a closed or reset connection with several runtime types.
      return new Response(isTimeout(e) ? STATUS_TIMEOUT : STATUS_IO, new byte[0]);
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
