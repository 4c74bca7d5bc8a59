package io.stockroom.server.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stockroom.engine.Command;
import io.stockroom.engine.HoldLine;
import io.stockroom.server.config.ServerConfig;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamWebSocketTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir
  Path directory;
  private StreamFixture fixture;
  private final List<AutoCloseable> clients = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable client : clients) {
      client.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  private void start(ServerConfig config) throws Exception {
    fixture = StreamFixture.start(directory, config);
    fixture.run(new Command.DefineItem("tee", "tee", "shirts"));
    fixture.run(new Command.Receive("tee", "main", 1_000, null));
  }

  private WsClient ws(String query) throws Exception {
    WsClient client = WsClient.connect(fixture.http, fixture.wsUri("/v1/stream/ws" + query));
    clients.add(client);
    return client;
  }

  private void reserve(String id) {
    fixture.run(new Command.Reserve(id, List.of(new HoldLine("tee", "main", 1)), null, null,
        3_600_000));
  }

  private static List<Long> range(long fromInclusive, long toInclusive) {
    List<Long> ids = new ArrayList<>();
    for (long id = fromInclusive; id <= toInclusive; id++) {
      ids.add(id);
    }
    return ids;
  }

  @Test
  void webSocketCarriesTheSameEventsAsSse() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));
    SseClient sse = SseClient.connect(fixture.http, fixture.uri("/v1/stream"), null);
    clients.add(sse);
    WsClient ws = ws("");
    await().atMost(WAIT).until(() -> fixture.hub.subscriberCount() == 2);
    long start = fixture.sequence();

    for (int i = 0; i < 50; i++) {
      reserve("h" + i);
    }
    fixture.run(new Command.Release("h3"));

    List<String> overSse = sse.events(51, WAIT).stream().map(SseClient.Frame::data).toList();
    List<String> overWs = ws.raw(51, WAIT);
    assertThat(overWs).isEqualTo(overSse);
    assertThat(overWs.get(0)).contains("\"sequence\":" + (start + 1));
    assertThat(fixture.gauge("ws")).isEqualTo(1);
    await().atMost(WAIT).until(() -> fixture.counter("stockroom.stream.events.sent", "ws")
        == 51);
  }

  @Test
  void webSocketResumesAfterTheGivenSequence() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));
    for (int i = 0; i < 5; i++) {
      reserve("h" + i); // 3..7
    }

    WsClient ws = ws("?after=4");

    assertThat(ws.sequences(3, WAIT)).isEqualTo(range(5, 7));
    reserve("live");
    assertThat(ws.sequences(1, WAIT)).containsExactly(8L);
  }

  @Test
  void webSocketResumesFromAFirstMessage() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));
    for (int i = 0; i < 5; i++) {
      reserve("h" + i); // 3..7
    }

    WsClient ws = ws("");
    ws.socket.sendText("{\"lastEventId\":2}", true).get(10, TimeUnit.SECONDS);

    assertThat(ws.sequences(5, WAIT)).isEqualTo(range(3, 7));
  }

  @Test
  void webSocketFiltersLikeSse() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));
    fixture.run(new Command.DefineItem("cap", "cap", "hats")); // 3
    reserve("h1"); // 4

    WsClient ws = ws("?after=0&category=hats");
    fixture.run(new Command.Receive("cap", "main", 5, null)); // 5

    assertThat(ws.sequences(2, WAIT)).containsExactly(3L, 5L);
  }

  @Test
  void badResumePointRefusesTheUpgrade() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));

    for (String query : List.of("?after=abc", "?after=-1", "?after=999")) {
      assertThatThrownBy(() -> ws(query)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(WebSocketHandshakeException.class)
          .satisfies(e -> assertThat(((WebSocketHandshakeException) e).getResponse()
              .statusCode()).isEqualTo(400));
    }
    assertThat(fixture.hub.subscriberCount()).isZero();
  }

  @Test
  void badFirstMessageClosesWithAProblem() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));
    WsClient ws = ws("");

    ws.socket.sendText("{\"lastEventId\":\"soon\"}", true).get(10, TimeUnit.SECONDS);

    JsonNode problem = ws.next(WAIT);
    assertThat(problem.get("status").asInt()).isEqualTo(400);
    assertThat(ws.closed.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ws.closeCode).isEqualTo(1008);
    await().atMost(WAIT).until(() -> fixture.hub.subscriberCount() == 0);
  }

  @Test
  void subscriberBeyondTheLimitIsClosedWithTryAgainLater() throws Exception {
    start(StreamFixture.config(1, 10_000, 15_000));
    ws("");

    WsClient refused = ws("");

    assertThat(refused.next(WAIT).get("status").asInt()).isEqualTo(503);
    assertThat(refused.closed.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(refused.closeCode).isEqualTo(1013);
    assertThat(fixture.hub.subscriberCount()).isEqualTo(1);
  }

  @Test
  void idleWebSocketIsPingedAndAClosedOneFreesItsSlot() throws Exception {
    start(StreamFixture.config(100, 10_000, 200));
    WsClient ws = ws("");

    await().atMost(WAIT).until(() -> ws.pings.get() >= 2);
    ws.socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(10, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> fixture.hub.subscriberCount() == 0);
    assertThat(fixture.gauge("ws")).isZero();
  }

  @Test
  void stoppingSendsResyncAndGoingAway() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));
    WsClient ws = ws("?after=2");
    await().atMost(WAIT).until(() -> fixture.hub.subscriberCount() == 1);

    fixture.hub.close();

    JsonNode resync = ws.next(WAIT);
    assertThat(resync.get("type").asText()).isEqualTo("resync");
    assertThat(resync.get("lastSequence").asLong()).isEqualTo(2);
    assertThat(resync.get("reason").asText()).isEqualTo("server stopping");
    assertThat(ws.closed.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(ws.closeCode).isEqualTo(1001);
  }
}
