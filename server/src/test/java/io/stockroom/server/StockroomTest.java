package io.stockroom.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.testing.Service;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StockroomTest {

  @TempDir
  Path first;
  @TempDir
  Path second;

  @Test
  void serviceThatCannotListenRefusesToStartAndReleasesItsDataDirectory() throws Exception {
    try (Service running = new Service(first)) {
      ServerConfig d = Service.config(second);
      ServerConfig samePort = new ServerConfig(second, d.host(), running.stockroom().port(),
          d.queueCapacity(), d.batchCommandsMax(), d.snapshotEveryEvents(),
          d.requestBodyBytesMax(), d.batchRequestCommandsMax(), d.listLimitMax(),
          d.eventsLimitMax(), d.holdTtlSecondsDefault(), d.readWaitMillisMax(),
          d.streamSubscribersMax(), d.streamBufferEventsMax(), d.streamHeartbeatMillis(),
          d.retryAfterSeconds(), d.limits(), d.journal(), null, null, d.rateLimits(), d.httpLimits(),
          d.streamTokenTtlSeconds());

      assertThatThrownBy(() -> Stockroom.start(samePort)).isInstanceOf(IOException.class)
          .hasMessageContaining("could not listen");
      // The lock was released: the directory can be used again.
      Stockroom.start(Service.config(second)).close();
    }
  }

  @Test
  void firstStartOnLoopbackCreatesOneAdminKey() throws Exception {
    Stockroom.start(Service.config(first)).close();
    Stockroom.start(Service.config(first)).close(); // the second start creates none

    var keys = io.stockroom.server.security.ApiKeys.open(first).list();
    org.assertj.core.api.Assertions.assertThat(keys).singleElement().satisfies(key -> {
      org.assertj.core.api.Assertions.assertThat(key.role())
          .isEqualTo(io.stockroom.server.security.Role.ADMIN);
      org.assertj.core.api.Assertions.assertThat(key.revoked()).isFalse();
    });
  }

  @Test
  void nonLoopbackBindWithoutAnyKeyRefusesToStart() {
    ServerConfig d = Service.config(first);
    ServerConfig exposed = new ServerConfig(first, "0.0.0.0", 0, d.queueCapacity(),
        d.batchCommandsMax(), d.snapshotEveryEvents(), d.requestBodyBytesMax(),
        d.batchRequestCommandsMax(), d.listLimitMax(), d.eventsLimitMax(),
        d.holdTtlSecondsDefault(), d.readWaitMillisMax(), d.streamSubscribersMax(),
        d.streamBufferEventsMax(), d.streamHeartbeatMillis(), d.retryAfterSeconds(), d.limits(),
        d.journal(), null, null, d.rateLimits(), d.httpLimits(), d.streamTokenTtlSeconds());

    assertThatThrownBy(() -> Stockroom.start(exposed)).isInstanceOf(IOException.class)
        .hasMessageContaining("with no API key");
  }
}
