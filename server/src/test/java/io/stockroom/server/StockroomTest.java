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
      ServerConfig samePort = d.withListener(second, d.host(), running.stockroom().port());

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
    ServerConfig exposed = d.withListener(first, "0.0.0.0", 0);

    assertThatThrownBy(() -> Stockroom.start(exposed)).isInstanceOf(IOException.class)
        .hasMessageContaining("with no API key");
  }
}
