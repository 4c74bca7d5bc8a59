package io.stockroom.server;

import io.stockroom.server.security.ApiKeys;
import io.stockroom.server.security.Role;
import java.io.IOException;
import java.io.PrintStream;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code stockroom keys create|list|revoke}: manages the API keys in {@code DATA/keys.json}. Runs
 * while the service runs (the file is rewritten atomically under its own lock, and the service
 * picks up changes on the next request), so a revocation needs no restart.
 */
final class KeysCommand {

  private KeysCommand() {}

  static CommandLine line(Map<String, String> environment, PrintStream out) {
    CommandLine keys = new CommandLine(new Keys());
    keys.addSubcommand("create", new Create(environment, out));
    keys.addSubcommand("list", new ListKeys(environment, out));
    keys.addSubcommand("revoke", new Revoke(environment, out));
    return keys;
  }

  @Command(name = "keys", mixinStandardHelpOptions = true,
      description = "Manage API keys (roles: read, write, admin).")
  static final class Keys implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "name a subcommand: create, list or revoke");
    }
  }

  @Command(name = "create", description = "Create a key and print it once; only its hash is"
      + " stored.")
  static final class Create extends Main.ConfiguredCommand {
    @Option(names = "--role", paramLabel = "ROLE", required = true,
        description = "read, write or admin")
    String role;

    @Option(names = "--name", paramLabel = "TEXT", description = "What the key is for.")
    String name;

    Create(Map<String, String> environment, PrintStream out) {
      super(environment, out);
    }

    @Override
    public Integer call() throws IOException {
      ApiKeys.Created created = ApiKeys.open(config().dataDirectory())
          .create(Role.parse(role), name);
      out.println("created key " + created.key().id() + " (" + role.toLowerCase()
          + "); it is shown only this once:");
      out.println(created.token());
      return 0;
    }
  }

  @Command(name = "list", description = "List keys (ids, roles, names; never secrets).")
  static final class ListKeys extends Main.ConfiguredCommand {
    ListKeys(Map<String, String> environment, PrintStream out) {
      super(environment, out);
    }

    @Override
    public Integer call() throws IOException {
      for (ApiKeys.Key key : ApiKeys.open(config().dataDirectory()).list()) {
        out.printf("%s  %-5s  %-8s  created %s  %s%n", key.id(),
            key.role().name().toLowerCase(), key.revoked() ? "REVOKED" : "active",
            key.createdAt(), key.name());
      }
      return 0;
    }
  }

  @Command(name = "revoke", description = "Revoke a key by id; takes effect without a restart.")
  static final class Revoke extends Main.ConfiguredCommand {
    @Parameters(paramLabel = "ID", description = "The key id (the 12 characters after sk_).")
    String id;

    Revoke(Map<String, String> environment, PrintStream out) {
      super(environment, out);
    }

    @Override
    public Integer call() throws IOException {
      if (ApiKeys.open(config().dataDirectory()).revoke(id)) {
        out.println("revoked key " + id);
        return 0;
      }
      out.println("no active key " + id);
      return 1;
    }
  }
}
