package io.stockroom.server.stream;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerResponse;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Server-Sent Events on a chunked HTTP response: {@code id}, {@code event} and one {@code data}
 * line per event (event JSON never holds a raw newline), comments for heartbeats.
 */
final class SseChannel implements Channel {

  static final String MEDIA_TYPE = "text/event-stream";
  /** Coalesces a burst of events into few chunks; flushed whenever the queue runs dry. */
  private static final int BUFFER_BYTES = 16 * 1024;
  private static final byte[] OPENED = ": ok\n\n".getBytes(US_ASCII);
  private static final byte[] HEARTBEAT = ": heartbeat\n\n".getBytes(US_ASCII);
  private static final byte[] END_OF_EVENT = "\n\n".getBytes(US_ASCII);

  private final ServerResponse response;
  private OutputStream out;
  private boolean broken;

  SseChannel(ServerResponse response) {
    this.response = response;
  }

  @Override
  public void start() throws IOException {
    response.status(Status.OK_200);
    response.header(HeaderNames.CONTENT_TYPE, MEDIA_TYPE);
    response.header(HeaderNames.CACHE_CONTROL, "no-cache");
    response.header("X-Accel-Buffering", "no"); // proxies such as nginx must not hold events
    out = new BufferedOutputStream(response.outputStream(), BUFFER_BYTES);
    write(OPENED); // sends the head now: once a client sees it, it is subscribed
    flush();
  }

  @Override
  public void event(long sequence, String type, byte[] json) throws IOException {
    write(("id: " + sequence + "\nevent: " + type + "\ndata: ").getBytes(US_ASCII));
    write(json);
    write(END_OF_EVENT);
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      broken = true;
      throw e;
    } catch (RuntimeException e) { // Helidon reports a lost connection unchecked
      broken = true;
      throw new IOException(e);
    }
  }

  @Override
  public void heartbeat() throws IOException {
    write(HEARTBEAT);
    flush();
  }

  @Override
  public void resync(Resync resync) throws IOException {
    // With an id, a browser's EventSource reconnects from the right place by itself. Without
    // one (reload), the client has to reload state first; the id would not help it.
    String head = resync.reload() ? "event: resync\ndata: "
        : "id: " + resync.lastSequence() + "\nevent: resync\ndata: ";
    write(head.getBytes(US_ASCII));
    write(Wire.resync(resync, false));
    write(END_OF_EVENT);
    flush();
  }

  private void write(byte[] bytes) throws IOException {
    try {
      out.write(bytes);
    } catch (IOException e) {
      broken = true;
      throw e;
    } catch (RuntimeException e) { // Helidon reports a lost connection unchecked
      broken = true;
      throw new IOException(e);
    }
  }

  /**
   * True after a failed write. The buffer then holds bytes that may have been half sent: they
   * must never be flushed again (a retry could repeat an event), and the response must not be
   * ended cleanly (a clean end would make a cut-off event look whole): the connection is dropped.
   */
  boolean broken() {
    return broken;
  }

  @Override
  public void end() {
    if (out == null || broken) {
      return;
    }
    try {
      out.close(); // ends the chunked response
    } catch (IOException | RuntimeException e) {
      // the client is gone already; nothing to end
    }
  }
}
