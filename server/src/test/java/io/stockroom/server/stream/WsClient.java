package io.stockroom.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A test WebSocket client that queues whole text messages. */
final class WsClient implements WebSocket.Listener, AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  final LinkedBlockingQueue<String> messages = new LinkedBlockingQueue<>();
  final AtomicInteger pings = new AtomicInteger();
  final CountDownLatch closed = new CountDownLatch(1);
  volatile int closeCode = -1;
  private final StringBuilder partial = new StringBuilder();
  WebSocket socket;

  static WsClient connect(HttpClient http, URI uri) throws Exception {
    WsClient client = new WsClient();
    client.socket = http.newWebSocketBuilder().buildAsync(uri, client).get(10, TimeUnit.SECONDS);
    return client;
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      messages.add(partial.toString());
      partial.setLength(0);
    }
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
    pings.incrementAndGet();
    webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closeCode = statusCode;
    closed.countDown();
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed.countDown();
  }

  JsonNode next(Duration timeout) throws Exception {
    String message = messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(message).as("a message within %s", timeout).isNotNull();
    return MAPPER.readTree(message);
  }

  List<String> raw(int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<String> received = new ArrayList<>(count);
    while (received.size() < count) {
      String message = messages.poll(Math.max(1, deadline - System.nanoTime()),
          TimeUnit.NANOSECONDS);
      assertThat(message).as("message %s of %s", received.size() + 1, count).isNotNull();
      received.add(message);
    }
    return received;
  }

  List<Long> sequences(int count, Duration timeout) throws Exception {
    List<Long> sequences = new ArrayList<>(count);
    for (String message : raw(count, timeout)) {
      sequences.add(MAPPER.readTree(message).get("sequence").asLong());
    }
    return sequences;
  }

  @Override
  public void close() {
    if (socket != null) {
      socket.abort();
    }
  }
}
