package io.stockroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import io.stockroom.server.security.ApiKeys;
import io.stockroom.server.security.Principal;
import io.stockroom.server.security.Role;

class KeysCommandTest {

  @TempDir
  Path data;

  private String run(int expectedExit, String... args) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] full = new String[args.length + 2];
    System.arraycopy(args, 0, full, 0, args.length);
    full[args.length] = "--data";
    full[args.length + 1] = data.toString();
    int exit = Main.run(full, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(exit).as(out + " " + err).isEqualTo(expectedExit);
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  void createdKeyAuthenticatesListShowsNoSecretAndRevokeStopsIt() throws Exception {
    String created = run(0, "keys", "create", "--role", "write", "--name", "checkout");
    String token = created.lines().filter(l -> l.startsWith("sk_")).findFirst().orElseThrow();
    String id = token.substring(3, 15);
    ApiKeys keys = ApiKeys.open(data);

    assertThat(keys.authenticate(token)).isEqualTo(new Principal(id, Role.WRITE));
    String listed = run(0, "keys", "list");
    assertThat(listed).contains(id, "write", "active", "checkout")
        .doesNotContain(token.substring(16));
    assertThat(Files.readString(data.resolve(ApiKeys.FILE))).doesNotContain(token.substring(16));

    run(0, "keys", "revoke", id);

    assertThat(keys.authenticate(token)).isNull();
    assertThat(run(0, "keys", "list")).contains("REVOKED");
    run(1, "keys", "revoke", id);
  }
}
