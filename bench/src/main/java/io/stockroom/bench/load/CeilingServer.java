package io.stockroom.bench.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stockroom.server.http.HttpLimits;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/**
 * The ceiling: the cheapest useful request the same web server can answer. A Helidon SE 4.5
 * {@link WebServer} built like Stockroom's (same HTTP/1 limits, loopback, virtual thread per
 * request) with one route, {@code POST /ceiling}, that parses a small JSON body with Jackson (a reservation's
 * shape) and answers a small JSON object. No authentication, no queue, no journal: what the generator gets
 * from it is the most requests per second this machine, this server and this client can do,
 * against which Stockroom's reservation throughput is compared in the same run.
 */
final class CeilingServer implements AutoCloseable {

  static final String PATH = "/ceiling";
  /**
   * What its clients send as their key: nothing checks it, but it has the shape and length of
   * a Stockroom API key ({@code sk_<12>_<43>}), so the ceiling's requests cost the client and
   * the server's header parsing what Stockroom's do.
   */
  static final String KEY = "sk_ceilingonly0_" + "c".repeat(43);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] ANSWER_TAIL = ",\"ok\":true}".getBytes(
      java.nio.charset.StandardCharsets.US_ASCII);

  private final WebServer server;

  /**
   * Starts on a free loopback port. {@code beforeAnswer} runs in each handler before it answers
   * (tests use it to stall the endpoint on purpose); {@code Stall.NONE} for the real ceiling.
   */
  static CeilingServer start(Stall beforeAnswer) {
    return new CeilingServer(beforeAnswer);
  }

  private CeilingServer(Stall beforeAnswer) {
    server = WebServer.builder()
        .host("127.0.0.1")
        .port(0)
        .addProtocol(HttpLimits.defaults().http1())
        .routing(routing -> routing.post(PATH, (request, response) ->
            answer(request, response, beforeAnswer)))
        .build()
        .start();
  }

  private static void answer(ServerRequest request, ServerResponse response, Stall stall)
      throws IOException {
    JsonNode body;
    try (InputStream in = request.content().inputStream()) {
      body = JSON.readTree(in);
    }
    stall.await();
    String id = body == null ? "" : body.path("id").asText();
    byte[] head = ("{\"id\":\"" + id + "\"").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] answer = new byte[head.length + ANSWER_TAIL.length];
    System.arraycopy(head, 0, answer, 0, head.length);
    System.arraycopy(ANSWER_TAIL, 0, answer, head.length, ANSWER_TAIL.length);
    response.status(Status.OK_200);
    response.header(HeaderNames.CONTENT_TYPE, "application/json");
    response.send(answer);
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.port());
  }

  @Override
  public void close() {
    server.stop();
  }

  /** What a handler does before it answers. */
  @FunctionalInterface
  interface Stall {
    Stall NONE = () -> { };

    void await();
  }
}
