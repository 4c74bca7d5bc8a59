package io.stockroom.server.stream;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsSession;

/** One text frame per event (the event JSON), pings for heartbeats, a close after resync. */
final class WsChannel implements Channel {

  private final WsSession session;
  private Resync last;

  WsChannel(WsSession session) {
    this.session = session;
  }

  @Override
  public void start() {}

  @Override
  public void event(long sequence, String type, byte[] json) {
    session.send(new String(json, UTF_8), true);
  }

  @Override
  public void flush() {}

  @Override
  public void heartbeat() {
    session.ping(BufferData.empty());
  }

  @Override
  public void resync(Resync resync) {
    last = resync;
    session.send(new String(Wire.resync(resync, true), UTF_8), true);
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
