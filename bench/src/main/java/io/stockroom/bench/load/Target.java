package io.stockroom.bench.load;

import io.stockroom.server.Stockroom;
import io.stockroom.server.config.ConfigLoader;
import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.security.ApiKeys;
import io.stockroom.server.security.RateLimitSettings;
import io.stockroom.server.security.Role;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The Stockroom a run drives: one already running (URL and admin key), or one started
 * in-process on a free loopback port over a fresh temporary data directory, with an admin key
 * made for the run and per-key rate limits far above anything two cores can send (the
 * defaults would turn a load test into a rate-limit test), removed again when the run ends.
 * The in-process one takes its other settings from the {@code STOCKROOM_*} environment
 * variables, as {@code ./stockroom serve} does (docs/CONFIGURATION.md).
 */
final class Target implements AutoCloseable {

  /** Per role, far above what this generator can send: 1,000,000 requests/s, burst 10,000,000. */
  static final RateLimitSettings.Rate UNLIMITED = new RateLimitSettings.Rate(1_000_000,
      10_000_000);

  private final URI uri;
  private final String key;
  private final Stockroom stockroom;
  private final Path dataDirectory;

  private Target(URI uri, String key, Stockroom stockroom, Path dataDirectory) {
    this.uri = uri;
    this.key = key;
    this.stockroom = stockroom;
    this.dataDirectory = dataDirectory;
  }

  static Target remote(URI uri, String key) {
    return new Target(uri, key, null, null);
  }

  static Target embedded() {
    return embedded(System.getenv());
  }

  /** As {@link #embedded()}, with the settings of these {@code STOCKROOM_*} variables. */
  static Target embedded(Map<String, String> environment) {
    // Before the directory exists, so a bad setting leaves nothing behind.
    ServerConfig configured = ConfigLoader.load(null, environment, List.of());
    try {
      Path data = Files.createTempDirectory("stockroom-loadtest-");
      String key = ApiKeys.open(data).create(Role.ADMIN, "load test").token();
      ServerConfig config = configured
          .withListener(data, "127.0.0.1", 0)
          .withRateLimits(new RateLimitSettings(UNLIMITED, UNLIMITED, UNLIMITED,
              RateLimitSettings.defaults().bucketsMax()));
      Stockroom stockroom = Stockroom.start(config);
      return new Target(URI.create("http://127.0.0.1:" + stockroom.port()), key, stockroom,
          data);
    } catch (IOException e) {
      throw new UncheckedIOException("could not start an embedded Stockroom", e);
    }
  }

  URI uri() {
    return uri;
  }

  String key() {
    return key;
  }

  @Override
  public void close() {
    if (stockroom == null) {
      return;
    }
    try {
      stockroom.close();
      try (Stream<Path> files = Files.walk(dataDirectory)) {
        files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not stop the embedded Stockroom", e);
    }
  }
}
