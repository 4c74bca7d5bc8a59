package io.stockroom.server.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stockroom.engine.Command;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.journal.JournalConfig;
import io.stockroom.server.config.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamSseTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final String MAIN = "main";
  private static final String NORTH = "north";
  private static final Pattern EVENT =
      Pattern.compile("id: (\\d+)\nevent: (?!resync\n)[a-z-]+\ndata: \\{.*}\n\n");
  private static final Pattern RESYNC =
      Pattern.compile("id: (\\d+)\nevent: resync\ndata: (\\{.*})\n\n$");

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

  private StreamFixture start(ServerConfig config) throws Exception {
    fixture = StreamFixture.start(directory, config);
    return fixture;
  }

  private SseClient connect(String query, String lastEventId) throws Exception {
    SseClient client = SseClient.connect(fixture.http, fixture.uri("/v1/stream" + query),
        lastEventId);
    clients.add(client);
    return client;
  }

  private void stock(String sku, String category, int units) {
    fixture.run(new Command.DefineItem(sku, sku, category));
    fixture.run(new Command.Receive(sku, MAIN, units, null));
  }

  private static Command.Reserve reserve(String id, String sku, String location, int quantity) {
    return new Command.Reserve(id, List.of(new HoldLine(sku, location, quantity)), null, null,
        3_600_000);
  }

  /** Submits without waiting; the writer batches them. */
  private List<CompletableFuture<?>> reserveMany(String prefix, String sku, int count) {
    List<CompletableFuture<?>> futures = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      futures.add(fixture.sequencer.submit(reserve(prefix + i, sku, MAIN, 1)));
    }
    return futures;
  }

  private static List<Long> ids(List<SseClient.Frame> events) {
    return events.stream().map(SseClient.Frame::id).toList();
  }

  private static List<Long> range(long fromInclusive, long toInclusive) {
    List<Long> ids = new ArrayList<>();
    for (long id = fromInclusive; id <= toInclusive; id++) {
      ids.add(id);
    }
    return ids;
  }

  /** Each frame carries exactly the journal's event, in the shared schema. */
  private void assertSameAsJournal(List<SseClient.Frame> frames) throws Exception {
    List<Event> journal = fixture.journal(frames.get(0).id() - 1);
    for (int i = 0; i < frames.size(); i++) {
      Event event = journal.get(i);
      SseClient.Frame frame = frames.get(i);
      assertThat(frame.id()).isEqualTo(event.sequence());
      assertThat(frame.data()).isEqualTo(new String(Wire.json(event), StandardCharsets.UTF_8));
      assertThat(frame.event()).isEqualTo(MAPPER.readTree(frame.data()).get("type").asText());
    }
  }

  @Test
  void subscriberSeesEveryEventInOrderWithConsecutiveIds() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));
    stock("tee", "shirts", 1_000);
    long start = fixture.sequence();
    SseClient client = connect("", null);

    List<CompletableFuture<?>> acks = reserveMany("h", "tee", 500);
    fixture.run(new Command.Release("h7"));
    fixture.run(new Command.Confirm("h8"));
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    List<SseClient.Frame> events = client.events(502, WAIT);
    assertThat(ids(events)).isEqualTo(range(start + 1, start + 502));
    assertSameAsJournal(events);
    await().atMost(WAIT).until(() -> fixture.counter("stockroom.stream.events.sent", "sse")
        >= 502);
    assertThat(fixture.gauge("sse")).isEqualTo(1);
  }

  @Test
  void reconnectWithLastEventIdResumesWithNoGapAndNoDuplicate() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));
    stock("tee", "shirts", 1_000_000);
    SseClient first = connect("?after=0", null);
    CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> {
      for (int round = 0; round < 20; round++) {
        List<CompletableFuture<?>> acks = reserveMany("r" + round + "-", "tee", 100);
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
      }
    });

    List<SseClient.Frame> before = first.events(300, WAIT);
    first.close(); // a forced disconnect while events keep coming
    long lastSeen = before.get(before.size() - 1).id();
    SseClient second = connect("", Long.toString(lastSeen));
    producing.get(60, TimeUnit.SECONDS);
    long end = fixture.sequence();
    List<SseClient.Frame> after = second.events((int) (end - lastSeen), WAIT);

    List<SseClient.Frame> union = new ArrayList<>(before);
    union.addAll(after);
    assertThat(ids(union)).isEqualTo(range(1, end));
    assertSameAsJournal(union);
  }

  @Test
  void afterQueryParameterResumesToo() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));
    stock("tee", "shirts", 10);
    fixture.run(reserve("a", "tee", MAIN, 1));
    fixture.run(reserve("b", "tee", MAIN, 1));

    SseClient client = connect("?after=2", null);

    assertThat(ids(client.events(2, WAIT))).containsExactly(3L, 4L);
    fixture.run(reserve("c", "tee", MAIN, 1));
    assertThat(ids(client.events(1, WAIT))).containsExactly(5L);
  }

  @Test
  void filtersBySkuLocationAndCategoryCombineWithAnd() throws Exception {
    start(StreamFixture.config(100, 10_000, 200));
    fixture.run(new Command.DefineItem("A", "a", "shirts"));              // 1
    fixture.run(new Command.DefineItem("B", "b", "shoes"));               // 2
    fixture.run(new Command.Receive("A", MAIN, 10, null));                // 3
    fixture.run(new Command.Receive("A", NORTH, 5, null));                // 4
    fixture.run(new Command.Receive("B", MAIN, 7, null));                 // 5
    fixture.run(new Command.Receive("B", NORTH, 3, null));                // 6
    fixture.run(reserve("h1", "A", NORTH, 1));                            // 7
    fixture.run(new Command.Reserve("h2", List.of(new HoldLine("B", MAIN, 1),
        new HoldLine("A", MAIN, 1)), null, null, 3_600_000));             // 8
    fixture.run(new Command.Extend("h1", 7_200_000));                     // 9 (no SKU)
    fixture.run(new Command.Transfer("B", MAIN, NORTH, 2, null));         // 10

    // Replayed from the journal, then the first heartbeat proves nothing else is coming.
    assertThat(filtered("?after=0&sku=A")).containsExactly(1L, 3L, 4L, 7L, 8L, 9L);
    assertThat(filtered("?after=0&location=north")).containsExactly(4L, 6L, 7L, 9L, 10L);
    assertThat(filtered("?after=0&category=shoes")).containsExactly(2L, 5L, 6L, 8L, 10L);
    assertThat(filtered("?after=0&sku=A&location=north")).containsExactly(4L, 7L, 9L);
    assertThat(filtered("?after=0&sku=A&sku=B")).isEqualTo(range(1, 10));
    assertThat(filtered("?after=0&category=shoes&location=main")).containsExactly(5L, 8L, 10L);
    assertThat(filtered("?after=0&sku=nothing")).isEmpty();

    // Live events go through the same filter.
    SseClient north = connect("?location=north", null);
    fixture.run(new Command.Receive("A", MAIN, 1, null));                 // 11
    fixture.run(new Command.Receive("B", NORTH, 1, null));                // 12
    assertThat(ids(north.events(1, WAIT))).containsExactly(12L);
  }

  private List<Long> filtered(String query) throws Exception {
    SseClient client = connect(query, null);
    List<Long> ids = ids(client.eventsUntilHeartbeat(WAIT));
    client.close();
    clients.remove(client);
    return ids;
  }

  @Test
  void stalledSubscriberIsCutOffWhileReservationsKeepFlowing() throws Exception {
    start(StreamFixture.config(100, 16, 200));
    stock("tee", "shirts", 1_000_000);
    long start = fixture.sequence();
    try (Socket stalled = stalledSubscriber()) {
      long began = System.nanoTime();
      List<CompletableFuture<?>> acks = reserveMany("h", "tee", 5_000);
      CompletableFuture<Void> all = CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));

      await().atMost(WAIT).until(all::isDone);
      long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
      assertThat(all).isCompleted();
      assertThat(fixture.sequence()).isEqualTo(start + 5_000);
      System.out.printf("5000 reservations with a stalled subscriber: %d ms%n", tookMillis);

      await().atMost(WAIT).until(() -> fixture.counter("stockroom.stream.subscribers.cut",
          "sse") == 1);
      // Its stream ends: with a resync written into the socket buffers, or, if even that
      // cannot be written, by the watchdog closing the socket. Either way the slot is free.
      await().atMost(WAIT).until(() -> fixture.hub.subscriberCount() == 0);
      assertThat(fixture.gauge("sse")).isZero();
      String body = readToEnd(stalled);
      List<Long> ids = sseIds(body);
      assertThat(ids).isEqualTo(range(start + 1, start + ids.size()));
      Matcher resync = RESYNC.matcher(body);
      if (resync.find()) {
        assertThat(Long.parseLong(resync.group(1))).isEqualTo(start + ids.size());
      }
    }
  }

  @Test
  void subscriberThatNeverReadsIsDisconnectedWhenItCannotEvenTakeItsResync() throws Exception {
    start(StreamFixture.config(100, 16, 200));
    List<HoldLine> lines = new ArrayList<>();
    for (int i = 0; i < 40; i++) { // big events: megabytes beyond any socket buffer, quickly
      stock("sku-" + i, "shirts", 1_000_000);
      lines.add(new HoldLine("sku-" + i, MAIN, 1));
    }
    String text = "x".repeat(200);
    try (Socket stalled = stalledSubscriber()) {
      List<CompletableFuture<?>> acks = new ArrayList<>();
      for (int i = 0; i < 3_000; i++) {
        acks.add(fixture.sequencer.submit(new Command.Reserve("h" + i, lines, text.substring(10) + i, text,
            3_600_000)));
      }
      CompletableFuture<Void> all = CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new));

      await().atMost(WAIT).until(all::isDone);
      assertThat(all).isCompleted();
      await().atMost(WAIT).until(() -> fixture.counter("stockroom.stream.subscribers.cut",
          "sse") == 1);
      await().atMost(WAIT).until(() -> fixture.hub.subscriberCount() == 0);
      String body = readToEnd(stalled); // ends: the server closed the connection
      System.out.printf("never-reading subscriber got %d bytes, resync: %s%n", body.length(),
          RESYNC.matcher(body).find());
    }
  }

  @Test
  void slowSubscriberIsSentResyncAndResumesFromItWithoutGap() throws Exception {
    // A long heartbeat (the watchdog's grace) so the client drains before its socket is shut.
    start(StreamFixture.config(100, 16, 5_000));
    stock("tee", "shirts", 1_000_000);
    long start = fixture.sequence();
    Socket slow = stalledSubscriber();
    List<CompletableFuture<?>> acks = reserveMany("h", "tee", 5_000);
    await().atMost(WAIT).pollInterval(Duration.ofMillis(5))
        .until(() -> fixture.counter("stockroom.stream.subscribers.cut", "sse") == 1);

    String body = readToEnd(slow); // now it reads: its thread unblocks, sends resync, ends
    slow.close();

    Matcher resync = RESYNC.matcher(body);
    assertThat(resync.find()).as("ends with a resync: %s", tail(body)).isTrue();
    long lastSequence = Long.parseLong(resync.group(1));
    JsonNode data = MAPPER.readTree(resync.group(2));
    assertThat(data.get("lastSequence").asLong()).isEqualTo(lastSequence);
    assertThat(data.get("reason").asText()).isEqualTo("subscriber too slow");
    assertThat(data.get("reload").asBoolean()).isFalse();
    List<Long> before = sseIds(body.substring(0, resync.start()));
    assertThat(before).isEqualTo(range(start + 1, lastSequence));
    await().atMost(WAIT).until(() -> fixture.hub.subscriberCount() == 0);

    // Resume once the writes are done: with a 16-event buffer, a reader slowed by a busy machine
    // could be cut again while live events still pour in, which is not what this test is about.
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    SseClient again = connect("", Long.toString(lastSequence));
    List<SseClient.Frame> rest = again.events((int) (start + 5_000 - lastSequence), WAIT);
    assertThat(ids(rest)).isEqualTo(range(lastSequence + 1, start + 5_000));
  }

  /** Opens a stream on a socket with a tiny receive buffer, reads the head, then stops. */
  private Socket stalledSubscriber() throws Exception {
    Socket socket = new Socket();
    socket.setReceiveBufferSize(1_024);
    socket.connect(new InetSocketAddress("127.0.0.1", fixture.server.port()));
    socket.setSoTimeout((int) WAIT.toMillis());
    OutputStream out = socket.getOutputStream();
    out.write(("GET /v1/stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    await().atMost(WAIT).until(() -> fixture.hub.subscriberCount() == 1);
    return socket;
  }

  /** The de-chunked body up to the end of the response or of the connection. */
  private static String readToEnd(Socket socket) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[8192];
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        raw.write(buffer, 0, n);
        if (raw.size() >= 5 && endsWith(raw.toByteArray(), "\r\n0\r\n\r\n")) {
          break; // the last chunk
        }
      }
    } catch (SocketException e) {
      // reset by the server: what arrived before counts
    }
    return dechunk(raw.toString(StandardCharsets.UTF_8));
  }

  private static boolean endsWith(byte[] bytes, String suffix) {
    byte[] s = suffix.getBytes(StandardCharsets.US_ASCII);
    if (bytes.length < s.length) {
      return false;
    }
    for (int i = 0; i < s.length; i++) {
      if (bytes[bytes.length - s.length + i] != s[i]) {
        return false;
      }
    }
    return true;
  }

  private static String dechunk(String response) {
    int body = response.indexOf("\r\n\r\n");
    assertThat(body).as("a response head").isPositive();
    assertThat(response).startsWith("HTTP/1.1 200");
    StringBuilder out = new StringBuilder();
    int at = body + 4;
    while (at < response.length()) {
      int lineEnd = response.indexOf("\r\n", at);
      if (lineEnd < 0) {
        break; // cut mid-way
      }
      int size = Integer.parseInt(response.substring(at, lineEnd).strip(), 16);
      if (size == 0) {
        break;
      }
      int end = Math.min(lineEnd + 2 + size, response.length());
      out.append(response, lineEnd + 2, end);
      at = end + 2;
    }
    return out.toString();
  }

  /** The ids of the complete events in a raw SSE body. */
  private static List<Long> sseIds(String body) {
    List<Long> ids = new ArrayList<>();
    Matcher matcher = EVENT.matcher(body);
    while (matcher.find()) {
      ids.add(Long.parseLong(matcher.group(1)));
    }
    return ids;
  }

  private static String tail(String body) {
    return body.substring(Math.max(0, body.length() - 300));
  }

  @Test
  void idleStreamGetsHeartbeats() throws Exception {
    start(StreamFixture.config(100, 10_000, 200));
    SseClient client = connect("", null);

    assertThat(client.next(WAIT).comment()).isEqualTo("ok");
    SseClient.Frame frame = client.next(WAIT); // about 200 ms later: nothing else to send
    assertThat(frame.comment()).isEqualTo("heartbeat");
    assertThat(client.next(WAIT).comment()).isEqualTo("heartbeat");
  }

  @Test
  void invalidLastEventIdIsRefusedWithProblemBeforeAnyStream() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));
    stock("tee", "shirts", 10);

    for (String bad : List.of("abc", "-1", "1.5", "", "99999999999999999999", "3")) {
      HttpResponse<String> response = get("/v1/stream", "Last-Event-ID", bad);
      assertProblem(response, 400);
    }
    assertProblem(get("/v1/stream?after=x", null, null), 400);
    assertProblem(get("/v1/stream?after=1&after=2", null, null), 400);
    assertThat(fixture.hub.subscriberCount()).isZero();
  }

  @Test
  void subscribersBeyondTheLimitGet503WithRetryAfterAndSlotsAreFreedOnDisconnect()
      throws Exception {
    start(StreamFixture.config(1, 10_000, 200));
    SseClient first = connect("", null);

    HttpResponse<String> refused = get("/v1/stream", null, null);
    assertProblem(refused, 503);
    assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");

    first.close(); // found dead at the next heartbeat write at the latest
    clients.remove(first);
    await().atMost(WAIT).until(() -> fixture.hub.subscriberCount() == 0);
    assertThat(fixture.gauge("sse")).isZero();
    SseClient second = connect("", null);
    assertThat(second.next(WAIT).comment()).isEqualTo("ok");
  }

  @Test
  void resumingFromRetiredEventsAsksTheClientToReload() throws Exception {
    JournalConfig small = JournalConfig.defaults().withSegmentBytesMax(4_096);
    small = new JournalConfig(small.segmentBytesMax(), small.batchRecordsMax(),
        small.recordPayloadBytesMax(), small.writeBufferBytes(), small.readBufferBytes(), 1,
        small.snapshotBytesMax());
    fixture = StreamFixture.start(directory, StreamFixture.config(100, 10_000, 15_000), small,
        50);
    stock("tee", "shirts", 1_000);
    for (int i = 0; i < 300; i++) {
      fixture.run(reserve("h" + i, "tee", MAIN, 1));
    }
    long first = fixture.ledger.journal().firstSequence();
    assertThat(first).isGreaterThan(2);

    SseClient client = connect("", "1");
    SseClient.Frame resync = client.events(1, WAIT).get(0);
    assertThat(resync.event()).isEqualTo("resync");
    assertThat(resync.id()).isNull();
    JsonNode data = MAPPER.readTree(resync.data());
    assertThat(data.get("lastSequence").asLong()).isEqualTo(1);
    assertThat(data.get("reload").asBoolean()).isTrue();
    assertThat(client.next(WAIT).end()).isTrue();

    SseClient fromFirst = connect("", Long.toString(first - 1)); // still readable
    assertThat(fromFirst.events(1, WAIT).get(0).id()).isEqualTo(first);
  }

  @Test
  void closeEndsEveryStreamWithResync() throws Exception {
    start(StreamFixture.config(100, 10_000, 15_000));
    stock("tee", "shirts", 10);
    SseClient client = connect("", null);
    assertThat(client.next(WAIT).comment()).isEqualTo("ok");

    fixture.hub.close();

    SseClient.Frame resync = client.events(1, WAIT).get(0);
    assertThat(resync.event()).isEqualTo("resync");
    assertThat(resync.id()).isEqualTo(fixture.sequence());
    assertThat(MAPPER.readTree(resync.data()).get("reason").asText())
        .isEqualTo("server stopping");
    assertThat(client.next(WAIT).end()).isTrue();
    assertThat(fixture.hub.subscriberCount()).isZero();
    assertProblem(get("/v1/stream", null, null), 503);
  }

  private HttpResponse<String> get(String path, String header, String value) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(fixture.uri(path)).GET();
    if (header != null) {
      request.header(header, value);
    }
    return fixture.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void assertProblem(HttpResponse<String> response, int status)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("application/problem+json");
    JsonNode problem = MAPPER.readTree(response.body());
    assertThat(problem.get("status").asInt()).isEqualTo(status);
    for (String field : List.of("type", "title", "detail")) {
      assertThat(problem.hasNonNull(field)).as(field).isTrue();
    }
  }
}
