package io.stockroom.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, for requests a real client would refuse to send (bytes outside
 * ASCII in a path, huge or malformed headers) and for seeing exactly what the server answers,
 * including when it answers nothing. One request per connection.
 */
public final class RawHttp {

  /** Longest body read; answers here are small, a stream is not read past its head. */
  private static final int BODY_BYTES_MAX = 8 << 20;
  private static final int LINE_BYTES_MAX = 64 * 1024;

  private RawHttp() {}

  /**
   * One answer: status, headers (names lower-cased; a repeated header keeps its last value) and
   * body. {@code streaming} answers (SSE, WebSocket upgrade) are read up to their head only.
   */
  public record Answer(int status, Map<String, String> headers, byte[] body) {

    public String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String bodyText() {
      return new String(body, StandardCharsets.UTF_8);
    }

    public boolean streaming() {
      return status == 101 || String.valueOf(header("content-type")).startsWith(
          "text/event-stream");
    }
  }

  /** The server closed the connection (or went silent) without a status line. */
  public static final class NoAnswerException extends IOException {
    private static final long serialVersionUID = 1L;

    NoAnswerException(String message) {
      super(message);
    }
  }

  /**
   * Sends {@code request} (a whole request: line, headers, blank line, body) and reads the
   * answer; {@code head} says the request was a HEAD, whose answer has no body.
   */
  public static Answer exchange(int port, byte[] request, boolean head) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(20_000);
      OutputStream out = socket.getOutputStream();
      IOException unsent = null;
      try {
        out.write(request);
        out.flush();
      } catch (IOException e) {
        unsent = e; // the server may answer and close before reading all of what it refused
      }
      InputStream in = socket.getInputStream();
      String statusLine = line(in);
      if (statusLine == null || !statusLine.matches("HTTP/1\\.[01] \\d{3}( .*)?")) {
        throw new NoAnswerException("no status line, got: " + statusLine
            + (unsent == null ? "" : " (sending failed: " + unsent + ")"));
      }
      int status = Integer.parseInt(statusLine.substring(9, 12));
      Map<String, String> headers = new HashMap<>();
      for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
        int colon = header.indexOf(':');
        if (colon > 0) {
          headers.put(header.substring(0, colon).toLowerCase(Locale.ROOT),
              header.substring(colon + 1).trim());
        }
      }
      Answer headOnly = new Answer(status, headers, new byte[0]);
      if (head || headOnly.streaming() || status == 204 || status == 304) {
        return headOnly;
      }
      return new Answer(status, headers, body(in, headers));
    }
  }

  private static byte[] body(InputStream in, Map<String, String> headers) throws IOException {
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
      return chunked(in);
    }
    String length = headers.get("content-length");
    if (length != null) {
      int bytes = Integer.parseInt(length);
      if (bytes > BODY_BYTES_MAX) {
        throw new IOException("answer body of " + bytes + " bytes");
      }
      return in.readNBytes(bytes);
    }
    return in.readNBytes(BODY_BYTES_MAX); // to the end of the connection
  }

  private static byte[] chunked(InputStream in) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    for (int chunk = 0; chunk < 100_000; chunk++) {
      String size = line(in);
      if (size == null) {
        throw new IOException("chunked body ended early");
      }
      int semicolon = size.indexOf(';');
      int bytes = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(),
          16);
      if (bytes == 0) {
        return body.toByteArray();
      }
      if (body.size() + bytes > BODY_BYTES_MAX) {
        throw new IOException("answer body over " + BODY_BYTES_MAX + " bytes");
      }
      body.write(in.readNBytes(bytes));
      line(in);
    }
    throw new IOException("answer of more than 100,000 chunks");
  }

  /** One line without its CRLF, or null at the end of the stream; bounded. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int i = 0; i < LINE_BYTES_MAX; i++) {
      int c;
      try {
        c = in.read();
      } catch (java.net.SocketException e) {
        c = -1; // reset by the peer: the same as a close, for a reader of the answer
      }
      if (c < 0) {
        return i == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
      }
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        line.write(c);
      }
    }
    return line.toString(StandardCharsets.ISO_8859_1);
  }
}
