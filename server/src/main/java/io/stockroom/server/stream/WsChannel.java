package io.stockroom.server.stream;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsSession;
import java.io.IOException;

/**
 * One text frame per event (the event JSON), pings for heartbeats, a close after resync. Sends
 * go through Helidon's per-session lock, so they never interleave with its pongs and closes.
 */
final class WsChannel implements Channel {

  private final WsSession session;
  private Resync last;

  WsChannel(WsSession session) {
    this.session = session;
  }

  @Override
  public void start() {}

  @Override
  public void event(long sequence, String type, byte[] json) throws IOException {
    try {
      session.send(new String(json, UTF_8), true);
    } catch (RuntimeException e) { // Helidon reports a lost connection unchecked
      throw new IOException(e);
    }
  }

  @Override
  public void flush() {}

  @Override
  public void heartbeat() throws IOException {
    try {
      session.ping(BufferData.empty());
    } catch (RuntimeException e) {
      throw new IOException(e);
    }
  }

  @Override
  public void resync(Resync resync) throws IOException {
    last = resync;
    try {
      session.send(new String(Wire.resync(resync, true), UTF_8), true);
    } catch (RuntimeException e) {
      throw new IOException(e);
    }
  }

  @Override
  public void end() {
    try {
      if (last != null && last.stopping()) {
        session.close(WsCloseCodes.GOING_AWAY, "server stopping");
      } else {
        session.close(WsCloseCodes.NORMAL_CLOSE, last != null ? "resync" : "");
      }
    } catch (RuntimeException e) {
      // the client is gone already; nothing to close
    }
  }
}
