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

  @Test
  void aKeyThatWasAcceptedIsRefusedOnTheNextCallOnceAnotherProcessRevokesIt() throws Exception {
    ApiKeys service = ApiKeys.open(data);
    ApiKeys command = ApiKeys.open(data); // what "./stockroom keys revoke" opens
    ApiKeys.Created created = command.create(Role.WRITE, "checkout");
    // Twice: the second answer comes from the memory of tokens that checked out.
    assertThat(service.authenticate(created.token())).isEqualTo(
        new Principal(created.key().id(), Role.WRITE));
    assertThat(service.authenticate(created.token())).isEqualTo(
        new Principal(created.key().id(), Role.WRITE));

    assertThat(command.revoke(created.key().id())).isTrue();

    assertThat(service.authenticate(created.token())).isNull();
  }

  @Test
  void aWrongSecretIsRefusedAfterTheRightOneWasAccepted() throws Exception {
    String token = ApiKeys.open(data).create(Role.READ, "x").token();
    ApiKeys keys = ApiKeys.open(data);
    assertThat(keys.authenticate(token)).isNotNull();

    for (int i = 15; i < token.length(); i++) {
      char c = token.charAt(i);
      String tampered = token.substring(0, i) + (c == 'A' ? 'B' : 'A') + token.substring(i + 1);
      assertThat(keys.authenticate(tampered)).as("character %d changed", i).isNull();
    }
    assertThat(keys.authenticate(token.substring(0, token.length() - 1))).isNull();
    assertThat(keys.authenticate(token)).isNotNull();
  }

  @Test
  void aKeyAddedByAnotherProcessIsAcceptedOnTheNextCall() throws Exception {
    ApiKeys service = ApiKeys.open(data);
    String first = service.create(Role.READ, "first").token();
    assertThat(service.authenticate(first)).isNotNull();

    String second = ApiKeys.open(data).create(Role.ADMIN, "second").token();

    assertThat(service.authenticate(second).role()).isEqualTo(Role.ADMIN);
    assertThat(service.authenticate(first).role()).isEqualTo(Role.READ);
  }
}
