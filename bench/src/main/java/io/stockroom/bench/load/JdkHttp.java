package io.stockroom.bench.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** {@link Http} over the JDK's HttpClient (HTTP/1.1), called synchronously. */
final class JdkHttp implements Http {

  private final HttpClient client;
  private final URI base;
  private final String authorization;
  private final Duration requestTimeout;

  JdkHttp(URI base, String key, Duration requestTimeout) {
    this.base = base;
    this.authorization = key == null ? null : "Bearer " + key;
    this.requestTimeout = requestTimeout;
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(requestTimeout).build();
  }

  @Override
  public Response send(String method, String path, byte[] body) {
    HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
        .timeout(requestTimeout)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    try {
      HttpResponse<byte[]> response = client.send(request.build(),
          HttpResponse.BodyHandlers.ofByteArray());
      return new Response(response.statusCode(), response.body(),
          response.headers().firstValue("ETag").orElse(null));
    } catch (HttpTimeoutException e) {
      return new Response(STATUS_TIMEOUT, new byte[0]);
    } catch (IOException e) {
      return new Response(STATUS_IO, new byte[0]);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Response(STATUS_IO, new byte[0]);
    }
  }

  @Override
  public void close() {
    client.shutdownNow();
  }
}
