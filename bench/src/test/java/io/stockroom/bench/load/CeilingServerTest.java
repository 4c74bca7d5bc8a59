package io.stockroom.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.server.security.ApiKeys;
import io.stockroom.server.security.Role;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CeilingServerTest {

  @Test
  void theCeilingsKeyHasTheShapeAndLengthOfAStockroomKey(@TempDir Path data) throws Exception {
    String real = ApiKeys.open(data).create(Role.ADMIN, "x").token();

    assertThat(CeilingServer.KEY).hasSameSizeAs(real)
        .matches("sk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}");
  }
}
