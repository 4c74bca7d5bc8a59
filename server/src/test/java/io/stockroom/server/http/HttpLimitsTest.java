package io.stockroom.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockroom.server.testing.Service;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The request head limits, over a raw socket (an HTTP client would refuse to send some of these
 * or hide the answer): over a limit is a 4xx problem+json and the server keeps serving; under
 * it, even above Helidon's own defaults, is served.
 */
class HttpLimitsTest {

  private static final HttpLimits LIMITS = HttpLimits.defaults();

  @TempDir
  Path data;

  @Test
  void headersOverTheLimitGet4xxAndTheServerKeepsServing() throws Exception {
    try (Service service = new Service(data)) {
      String filler = "X-Filler: " + "a".repeat(LIMITS.headersBytesMax()) + "\r\n";

      Answer answer = send(service, "GET /health/live HTTP/1.1", filler);

      assertThat(answer.status()).isBetween(400, 499); // Helidon says 400
      assertProblem(answer, "invalid-request");
      assertThat(service.get("/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void requestLineOverTheLimitGets4xxAndTheServerKeepsServing() throws Exception {
    try (Service service = new Service(data)) {
      String path = "/health/live?pad=" + "a".repeat(LIMITS.requestLineBytesMax());

      Answer answer = send(service, "GET " + path + " HTTP/1.1", "");

      assertThat(answer.status()).isEqualTo(414);
      assertProblem(answer, "request-line-too-long");
      assertThat(service.get("/health/live").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void headsUnderTheLimitsAreServedEvenAboveHelidonsDefaultRequestLine() throws Exception {
    try (Service service = new Service(data)) {
      String path = "/health/live?pad=" + "a".repeat(6 * 1024); // Helidon's default is 4 KiB
      String filler = "X-Filler: " + "a".repeat(12 * 1024) + "\r\n";

      assertThat(send(service, "GET " + path + " HTTP/1.1", filler).status()).isEqualTo(200);
    }
  }

  /** Refused before routing, yet problem+json with the security headers like any answer. */
  private static void assertProblem(Answer answer, String slug) throws IOException {
    assertThat(answer.headers()).containsEntry("content-type", Problems.MEDIA_TYPE)
        .containsEntry("x-content-type-options", "nosniff")
        .containsEntry("cache-control", "no-store");
    JsonNode problem = Service.JSON.readTree(answer.body());
    assertThat(problem.get("type").asText()).isEqualTo("urn:stockroom:problem:" + slug);
    assertThat(problem.get("status").asInt()).isEqualTo(answer.status());
    assertThat(answer.body()).doesNotContain("aaaa"); // the request is not echoed
  }

  @Test
  void invalidLimitsRefuseRatherThanClamp() {
    assertThatThrownBy(() -> new HttpLimits(100, 8192, 30_000, 2_048)).hasMessageContaining("headersBytesMax");
    assertThatThrownBy(() -> new HttpLimits(16384, 10, 30_000, 2_048)).hasMessageContaining("requestLineBytesMax");
  }

  /** One answer read off the socket: status, headers (names lower-cased) and body. */
  private record Answer(int status, Map<String, String> headers, String body) {}

  /** Sends one request head and reads the answer. */
  private static Answer send(Service service, String requestLine, String extraHeaders)
      throws IOException {
    try (Socket socket = new Socket("127.0.0.1", service.stockroom().port())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write((requestLine + "\r\nHost: 127.0.0.1\r\n" + extraHeaders
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String statusLine = line(in);
      assertThat(statusLine).as("a status line").startsWith("HTTP/1.1 ");
      Map<String, String> headers = new HashMap<>();
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        int colon = header.indexOf(':');
        headers.put(header.substring(0, colon).toLowerCase(Locale.ROOT),
            header.substring(colon + 1).trim());
      }
      int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
      String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      return new Answer(Integer.parseInt(statusLine.substring(9, 12)), headers, body);
    }
  }

  /** One CRLF-terminated line; bounded, as the answers here are small. */
  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < 8_192; i++) {
      int c = in.read();
      if (c < 0 || c == '\n') {
        break;
      }
      if (c != '\r') {
        line.append((char) c);
      }
    }
    return line.toString();
  }
}
