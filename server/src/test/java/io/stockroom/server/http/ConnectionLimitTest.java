package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockroom.server.testing.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code http.connectionsMax} connections open, one more is not served (it waits in the
 * listen backlog, holding no heap in the service) until one of them closes. Raw sockets, so the
 * test decides which connection each request uses.
 */
class ConnectionLimitTest {

  private static final String REQUEST = "GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n";

  @TempDir
  Path data;

  @Test
  void connectionBeyondTheLimitWaitsUntilOneCloses() throws Exception {
    try (Service service = new Service(data, config -> config.withStreams(1, 10_000, 15_000)
            .withHttpLimits(config.httpLimits().withConcurrency(2, 2)), null)) {
      Socket first = new Socket("127.0.0.1", service.stockroom().port());
      try (Socket second = new Socket("127.0.0.1", service.stockroom().port());
          Socket third = new Socket("127.0.0.1", service.stockroom().port())) {
        connectionBeyondTheLimitWaitsUntilOneCloses(first, second, third);
      } finally {
        first.close();
      }
    }
  }

  /** With room for two connections, the third is served only once the first closes. */
  private static void connectionBeyondTheLimitWaitsUntilOneCloses(Socket first, Socket second,
      Socket third) throws IOException {
    // The first two are served, and stay open: every connection the service allows.
    assertThat(exchange(first, 30_000)).startsWith("HTTP/1.1 200");
    assertThat(exchange(second, 30_000)).startsWith("HTTP/1.1 200");

    // The kernel took the third, but the service does not read it while both are open. (A
    // bounded look: a service that wrongly served it would answer well within the second.)
    assertThatThrownBy(() -> exchange(third, 1_000)).isInstanceOf(SocketTimeoutException.class);

    first.close();
    third.setSoTimeout(30_000);
    assertThat(readResponse(third.getInputStream())).startsWith("HTTP/1.1 200");
    assertThat(exchange(second, 30_000)).as("the open one still served")
        .startsWith("HTTP/1.1 200");
  }

  /** Sends the request and reads the whole response (head and body) within {@code millis}. */
  private static String exchange(Socket socket, int millis) throws IOException {
    socket.setSoTimeout(millis);
    socket.getOutputStream().write(REQUEST.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    return readResponse(socket.getInputStream());
  }

  /** The head up to the blank line, then Content-Length bytes of body. */
  private static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed mid-response: " + head);
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String text = head.toString(StandardCharsets.US_ASCII);
    int length = 0;
    for (String line : text.split("\r\n")) {
      if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).strip());
      }
    }
    byte[] body = in.readNBytes(length);
    return text + new String(body, StandardCharsets.UTF_8);
  }
}
