package io.stockroom.server.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {

  @TempDir
  Path data;

  @Test
  void aTamperedSecretOrIdIsRefused() throws Exception {
    String token = ApiKeys.open(data).create(Role.READ, "x").token();
    ApiKeys keys = ApiKeys.open(data);
    char last = token.charAt(token.length() - 1);
    String tampered = token.substring(0, token.length() - 1) + (last == 'A' ? 'B' : 'A');

    assertThat(keys.authenticate(tampered)).isNull();
    assertThat(keys.authenticate("sk_zzzzzzzzzzzz" + token.substring(15))).isNull();
    assertThat(keys.authenticate(token + "x")).isNull();
    assertThat(keys.authenticate("")).isNull();
    assertThat(keys.authenticate(token)).isNotNull();
  }
}
