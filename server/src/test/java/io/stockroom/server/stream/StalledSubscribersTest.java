package io.stockroom.server.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stockroom.server.security.Role;
import io.stockroom.server.testing.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole service, over HTTP: an SSE and a WebSocket subscriber open their streams and then
 * never read again (sockets open, tiny receive windows), while thousands of reservations are
 * made through the API with events big enough to fill every socket buffer many times over. The
 * reservations must all be acknowledged while both subscribers are still stalled, and both must
 * be cut off (told to resync if that can still be written, their connections closed otherwise),
 * freeing their slots. StreamSseTest covers the resync contents with the hub alone; this is the
 * end-to-end, both-transports version.
 */
class StalledSubscribersTest {

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int RESERVATIONS = 1_000;
  /** Lines per reservation: each HoldReserved event is about 12 KB of JSON, 12 MB in all. */
  private static final int LINES = 40;

  @TempDir
  Path data;

  @Test
  void stalledSseAndWebSocketSubscribersNeverSlowReservationsAndAreCutOff() throws Exception {
    try (Service service = new Service(data,
        config -> config.withStreams(100, 16, 200), null)) {
      StringBuilder lines = new StringBuilder();
      for (int i = 0; i < LINES; i++) {
        String sku = "sku-" + i;
        assertThat(service.put("/v1/items/" + sku, "{\"name\":\"" + sku + "\"}").statusCode())
            .isEqualTo(200);
        assertThat(service.post("/v1/items/" + sku + "/receive", "{\"quantity\":1000000}")
            .statusCode()).isEqualTo(200);
        lines.append(i == 0 ? "" : ",").append("{\"sku\":\"").append(sku)
            .append("\",\"quantity\":1}");
      }
      String writer = service.createKey(Role.WRITE);
      try (Socket sse = stalled(service,
              "GET /v1/stream?after=0 HTTP/1.1\r\nAccept: text/event-stream\r\n");
          Socket ws = stalled(service, webSocketUpgrade())) {
        await().atMost(WAIT).until(() -> subscribers(service, "sse") == 1
            && subscribers(service, "ws") == 1);

        long began = System.nanoTime();
        List<Integer> statuses = reserveMany(service, writer, lines.toString());
        System.out.printf("%,d reservations of %d lines over HTTP with a stalled SSE and a"
            + " stalled WebSocket subscriber: %,d ms%n", RESERVATIONS, LINES,
            java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began));

        // Acknowledged while the subscribers never read a byte more.
        assertThat(statuses).hasSize(RESERVATIONS).containsOnly(201);
        assertThat(sse.isClosed() || ws.isClosed()).isFalse();
        await().atMost(WAIT).until(() -> cuts(service, "sse") == 1 && cuts(service, "ws") == 1);
        await().atMost(WAIT).until(() -> subscribers(service, "sse") == 0
            && subscribers(service, "ws") == 0);
        assertEndsWithResyncOrClose(readToEnd(sse), "event: resync");
        assertEndsWithResyncOrClose(readToEnd(ws), "\"type\":\"resync\"");
      }
    }
  }

  private static List<Integer> reserveMany(Service service, String key, String lines)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    List<Future<List<Integer>>> clients = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < 8; c++) {
        clients.add(pool.submit(() -> {
          List<Integer> statuses = new ArrayList<>();
          for (int i = next.getAndIncrement(); i < RESERVATIONS; i = next.getAndIncrement()) {
            statuses.add(service.sendAs(key, HttpRequest.newBuilder(service.uri(
                    "/v1/reservations")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"h" + i + "\",\"lines\":["
                    + lines + "],\"ttlSeconds\":3600}"))).statusCode());
          }
          return statuses;
        }));
      }
      List<Integer> all = new ArrayList<>();
      for (Future<List<Integer>> client : clients) {
        all.addAll(client.get(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS));
      }
      return all;
    }
  }

  private static String webSocketUpgrade() {
    byte[] nonce = new byte[16];
    new java.util.Random(7).nextBytes(nonce);
    // A resume point in the URL: the stream goes live at once (without one it would wait for a
    // first message, queueing live events meanwhile, and could be cut in that wait instead).
    return "GET /v1/stream/ws?after=0 HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        + Base64.getEncoder().encodeToString(nonce) + "\r\n";
  }

  /** Sends the request head, reads the response head, then never reads again. */
  private static Socket stalled(Service service, String requestHead) throws IOException {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(1_024); // before connect: the window the server sees
    socket.connect(new InetSocketAddress("127.0.0.1", service.stockroom().port()));
    socket.setSoTimeout((int) WAIT.toMillis());
    socket.getOutputStream().write((requestHead + "Host: localhost\r\nAuthorization: Bearer "
        + service.adminKey() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    String head = readHead(socket.getInputStream());
    assertThat(head).matches("(?s)HTTP/1.1 (200|101) .*");
    return socket;
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) { // bounded by the socket timeout
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed in the response head: " + head);
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** Everything the server still sends, until it closes the connection. */
  private static String readToEnd(Socket socket) throws IOException {
    socket.setReceiveBufferSize(1 << 20); // reading now: no need to crawl through 1 KB windows
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    byte[] buffer = new byte[64 * 1024];
    InputStream in = socket.getInputStream();
    try {
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        raw.write(buffer, 0, n);
        if (endsWith(raw, "\r\n0\r\n\r\n") || endsWithCloseFrame(raw)) {
          break; // the last SSE chunk, or a WebSocket close frame: the server is done
        }
      }
    } catch (SocketException e) {
      // reset by the server: what arrived before counts
    }
    return raw.toString(StandardCharsets.ISO_8859_1);
  }

  private static boolean endsWith(ByteArrayOutputStream raw, String suffix) {
    return raw.toString(StandardCharsets.ISO_8859_1).endsWith(suffix);
  }

  /** A server's close frame: 0x88, a short length, and at most 125 bytes of status/reason. */
  private static boolean endsWithCloseFrame(ByteArrayOutputStream raw) {
    byte[] bytes = raw.toByteArray();
    for (int at = Math.max(0, bytes.length - 127); at < bytes.length - 1; at++) {
      if ((bytes[at] & 0xff) == 0x88 && (bytes[at + 1] & 0xff) == bytes.length - at - 2) {
        return true;
      }
    }
    return false;
  }

  /**
   * The stream ended: with a resync notice as its last message, when the subscriber's thread
   * could still write one, or without (the watchdog closed a socket too full to take it).
   */
  private static void assertEndsWithResyncOrClose(String received, String resyncMarker) {
    int resync = received.lastIndexOf(resyncMarker);
    if (resync >= 0) {
      assertThat(received.substring(resync)).contains("subscriber too slow");
    }
    System.out.printf("stalled subscriber got %,d bytes before it was cut off, resync: %s%n",
        received.length(), resync >= 0);
  }

  private static double cuts(Service service, String transport) {
    return metric(service, "stockroom_stream_subscribers_cut_total{transport=\"" + transport
        + "\"}");
  }

  private static double subscribers(Service service, String transport) {
    return metric(service, "stockroom_stream_subscribers{transport=\"" + transport + "\"}");
  }

  private static double metric(Service service, String name) {
    return service.get("/metrics").body().lines().filter(line -> line.startsWith(name + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .findFirst().orElse(-1);
  }
}
