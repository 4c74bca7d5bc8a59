package io.stockroom.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A test SSE client: parses the body line by line on its own thread into frames. */
public final class SseClient implements AutoCloseable {

  /** An event ({@code event} set), a comment ({@code comment} set) or the end of the body. */
  public record Frame(Long id, String event, String data, String comment, boolean end) {

    public boolean isEvent() {
      return event != null;
    }
  }

  private static final Frame END = new Frame(null, null, null, null, true);

  final HttpResponse<Stream<String>> response;
  private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final Thread reader;

  private SseClient(HttpResponse<Stream<String>> response) {
    this.response = response;
    this.reader = Thread.ofVirtual().start(this::read);
  }

  public static SseClient connect(HttpClient http, URI uri, String lastEventId) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET()
        .header("Accept", "text/event-stream");
    if (lastEventId != null) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Stream<String>> response = http.send(request.build(),
        HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("text/event-stream");
    return new SseClient(response);
  }

  private void read() {
    Long id = null;
    String event = null;
    StringBuilder data = null;
    try (Stream<String> lines = response.body()) {
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (line.isEmpty()) {
          if (event != null) {
            frames.add(new Frame(id, event, data == null ? null : data.toString(), null, false));
          }
          id = null;
          event = null;
          data = null;
        } else if (line.startsWith(":")) {
          frames.add(new Frame(null, null, null, line.substring(1).strip(), false));
        } else if (line.startsWith("id: ")) {
          id = Long.parseLong(line.substring(4));
        } else if (line.startsWith("event: ")) {
          event = line.substring(7);
        } else if (line.startsWith("data: ")) {
          data = data == null ? new StringBuilder() : data.append('\n');
          data.append(line.substring(6));
        } else {
          throw new IllegalStateException("unexpected SSE line: " + line);
        }
      }
    } catch (RuntimeException e) {
      // closed by the test, or by the server
    } finally {
      frames.add(END);
    }
  }

  /** The next frame; fails if none arrives in time. */
  public Frame next(Duration timeout) throws InterruptedException {
    Frame frame = frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(frame).as("a frame within %s", timeout).isNotNull();
    return frame;
  }

  /** The next {@code count} events (comments skipped); fails on end of stream or timeout. */
  public List<Frame> events(int count, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Frame> events = new ArrayList<>(count);
    while (events.size() < count) {
      Frame frame = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      assertThat(frame.end()).as("stream ended after %s events", events.size()).isFalse();
      if (frame.isEvent()) {
        events.add(frame);
      }
    }
    return events;
  }

  /** Events up to (not including) the next heartbeat comment. */
  public List<Frame> eventsUntilHeartbeat(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<Frame> events = new ArrayList<>();
    while (true) {
      Frame frame = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      assertThat(frame.end()).isFalse();
      if (frame.isEvent()) {
        events.add(frame);
      } else if ("heartbeat".equals(frame.comment())) {
        return events;
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    reader.interrupt();
    response.body().close();
    reader.join(5_000);
  }
}
