package io.stockroom.server.config;

import io.stockroom.engine.Limits;
import io.stockroom.journal.JournalConfig;
import io.stockroom.server.http.HttpLimits;
import io.stockroom.server.security.JwtSettings;
import io.stockroom.server.security.RateLimitSettings;
import io.stockroom.server.storefront.PublicFeedSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Builds a {@link ServerConfig} from, in increasing precedence: {@link ServerConfig#defaults()},
 * a Java properties file, environment variables and command-line flags.
 *
 * <p>Keys are the record component names ({@code queueCapacity}, {@code limits.quantityMax},
 * {@code journal.segmentBytesMax}). The environment variable of a key is {@code STOCKROOM_} and
 * the key in upper snake case, without the {@code limits.} prefix ({@code STOCKROOM_PORT},
 * {@code STOCKROOM_QUANTITY_MAX}, {@code STOCKROOM_JOURNAL_SEGMENT_BYTES_MAX}); the data
 * directory's is the shorter {@code STOCKROOM_DATA}.
 *
 * <p>Parsing is strict: an unknown key (also an unknown {@code STOCKROOM_} variable, which is
 * usually a typo), a value that is not a whole number, or a value the records refuse, throws
 * {@link IllegalArgumentException} naming the key, where the value came from and the value.
 * Nothing is clamped. Ranges live in the records' constructors only, so they cannot drift apart.
 */
public final class ConfigLoader {

  /** Names the configuration file when no {@code --config} flag does. */
  public static final String CONFIG_FILE_VARIABLE = "STOCKROOM_CONFIG";

  /** {@code STOCKROOM_} variables that are not settings: read by the launcher or by this class. */
  private static final Set<String> VARIABLES_NOT_SETTINGS =
      Set.of(CONFIG_FILE_VARIABLE, "STOCKROOM_JAVA_OPTS");

  private static final String VARIABLE_PREFIX = "STOCKROOM_";
  private static final Pattern WHOLE_NUMBER = Pattern.compile("-?[0-9]+");

  private enum Kind { PATH, TEXT, INT, LONG, BOOLEAN }

  private record Key(String name, Kind kind, Function<ServerConfig, Object> current,
      String variable) {

    Key(String name, Kind kind, Function<ServerConfig, Object> current) {
      this(name, kind, current, variableOf(name));
    }

    String simpleName() {
      return name.substring(name.indexOf('.') + 1);
    }

    private static String variableOf(String name) {
      String bare = name.startsWith("limits.") ? name.substring("limits.".length())
          : name.replace('.', '_');
      return VARIABLE_PREFIX + bare.replaceAll("([a-z0-9])([A-Z])", "$1_$2")
          .toUpperCase(Locale.ROOT);
    }
  }

  /**
   * Every setting, in the order of ServerConfig's components, with Limits and JournalConfig in
   * place of the records that hold them.
   */
  private static final List<Key> KEYS = List.of(
      new Key("dataDirectory", Kind.PATH, ServerConfig::dataDirectory, "STOCKROOM_DATA"),
      new Key("host", Kind.TEXT, ServerConfig::host),
      new Key("port", Kind.INT, ServerConfig::port),
      new Key("queueCapacity", Kind.INT, ServerConfig::queueCapacity),
      new Key("batchCommandsMax", Kind.INT, ServerConfig::batchCommandsMax),
      new Key("batchLingerMicrosMax", Kind.LONG, ServerConfig::batchLingerMicrosMax),
      new Key("snapshotEveryEvents", Kind.LONG, ServerConfig::snapshotEveryEvents),
      new Key("requestBodyBytesMax", Kind.INT, ServerConfig::requestBodyBytesMax),
      new Key("batchRequestCommandsMax", Kind.INT, ServerConfig::batchRequestCommandsMax),
      new Key("listLimitMax", Kind.INT, ServerConfig::listLimitMax),
      new Key("eventsLimitMax", Kind.INT, ServerConfig::eventsLimitMax),
      new Key("holdTtlSecondsDefault", Kind.LONG, ServerConfig::holdTtlSecondsDefault),
      new Key("readWaitMillisMax", Kind.LONG, ServerConfig::readWaitMillisMax),
      new Key("streamSubscribersMax", Kind.INT, ServerConfig::streamSubscribersMax),
      new Key("streamBufferEventsMax", Kind.INT, ServerConfig::streamBufferEventsMax),
      new Key("streamHeartbeatMillis", Kind.LONG, ServerConfig::streamHeartbeatMillis),
      new Key("retryAfterSeconds", Kind.INT, ServerConfig::retryAfterSeconds),
      new Key("limits.identifierLengthMax", Kind.INT, c -> c.limits().identifierLengthMax()),
      new Key("limits.nameLengthMax", Kind.INT, c -> c.limits().nameLengthMax()),
      new Key("limits.textLengthMax", Kind.INT, c -> c.limits().textLengthMax()),
      new Key("limits.quantityMax", Kind.INT, c -> c.limits().quantityMax()),
      new Key("limits.linesPerHoldMax", Kind.INT, c -> c.limits().linesPerHoldMax()),
      new Key("limits.locationsPerItemMax", Kind.INT, c -> c.limits().locationsPerItemMax()),
      new Key("limits.itemsMax", Kind.INT, c -> c.limits().itemsMax()),
      new Key("limits.holdsActiveMax", Kind.INT, c -> c.limits().holdsActiveMax()),
      new Key("limits.holdsResolvedRetainedMax", Kind.INT,
          c -> c.limits().holdsResolvedRetainedMax()),
      new Key("limits.holdTimeoutMillisMin", Kind.LONG, c -> c.limits().holdTimeoutMillisMin()),
      new Key("limits.holdTimeoutMillisMax", Kind.LONG, c -> c.limits().holdTimeoutMillisMax()),
      new Key("limits.expiriesPerCommandMax", Kind.INT,
          c -> c.limits().expiriesPerCommandMax()),
      new Key("limits.idempotencyKeysMax", Kind.INT, c -> c.limits().idempotencyKeysMax()),
      new Key("limits.idempotencyWindowMillis", Kind.LONG,
          c -> c.limits().idempotencyWindowMillis()),
      new Key("limits.customerHoldsActiveMax", Kind.INT,
          c -> c.limits().customerHoldsActiveMax()),
      new Key("limits.customerUnitsHeldMax", Kind.INT, c -> c.limits().customerUnitsHeldMax()),
      new Key("journal.segmentBytesMax", Kind.LONG, c -> c.journal().segmentBytesMax()),
      new Key("journal.batchRecordsMax", Kind.INT, c -> c.journal().batchRecordsMax()),
      new Key("journal.recordPayloadBytesMax", Kind.INT,
          c -> c.journal().recordPayloadBytesMax()),
      new Key("journal.writeBufferBytes", Kind.INT, c -> c.journal().writeBufferBytes()),
      new Key("journal.readBufferBytes", Kind.INT, c -> c.journal().readBufferBytes()),
      new Key("journal.snapshotsRetained", Kind.INT, c -> c.journal().snapshotsRetained()),
      new Key("journal.snapshotBytesMax", Kind.INT, c -> c.journal().snapshotBytesMax()),
      new Key("tlsCertificateChainFile", Kind.PATH, ServerConfig::tlsCertificateChainFile),
      new Key("tlsPrivateKeyFile", Kind.PATH, ServerConfig::tlsPrivateKeyFile),
      new Key("rateLimits.read.requestsPerSecond", Kind.INT,
          c -> c.rateLimits().read().requestsPerSecond()),
      new Key("rateLimits.read.burstRequests", Kind.INT,
          c -> c.rateLimits().read().burstRequests()),
      new Key("rateLimits.write.requestsPerSecond", Kind.INT,
          c -> c.rateLimits().write().requestsPerSecond()),
      new Key("rateLimits.write.burstRequests", Kind.INT,
          c -> c.rateLimits().write().burstRequests()),
      new Key("rateLimits.admin.requestsPerSecond", Kind.INT,
          c -> c.rateLimits().admin().requestsPerSecond()),
      new Key("rateLimits.admin.burstRequests", Kind.INT,
          c -> c.rateLimits().admin().burstRequests()),
      new Key("rateLimits.bucketsMax", Kind.INT, c -> c.rateLimits().bucketsMax()),
      new Key("http.headersBytesMax", Kind.INT, c -> c.httpLimits().headersBytesMax()),
      new Key("http.requestLineBytesMax", Kind.INT, c -> c.httpLimits().requestLineBytesMax()),
      new Key("http.connectionsMax", Kind.INT, c -> c.httpLimits().connectionsMax()),
      new Key("http.requestsInFlightMax", Kind.INT, c -> c.httpLimits().requestsInFlightMax()),
      new Key("streamTokenTtlSeconds", Kind.INT, ServerConfig::streamTokenTtlSeconds),
      new Key("jwt.keysFile", Kind.PATH, c -> c.jwt().keysFile()),
      new Key("jwt.issuer", Kind.TEXT, c -> c.jwt().issuer()),
      new Key("jwt.audience", Kind.TEXT, c -> c.jwt().audience()),
      new Key("jwt.rolesClaim", Kind.TEXT, c -> c.jwt().rolesClaim()),
      new Key("jwt.clockSkewSeconds", Kind.INT, c -> c.jwt().clockSkewSeconds()),
      new Key("publicFeed.enabled", Kind.BOOLEAN, c -> c.publicFeed().enabled()),
      new Key("publicFeed.lowStockUnits", Kind.INT, c -> c.publicFeed().lowStockUnits()),
      new Key("publicFeed.corsOrigins", Kind.TEXT,
          c -> String.join(",", c.publicFeed().corsOrigins())),
      new Key("publicFeed.requestsPerSecond", Kind.INT, c -> c.publicFeed().requestsPerSecond()),
      new Key("publicFeed.subscribersMax", Kind.INT, c -> c.publicFeed().subscribersMax()));

  private static final Map<String, Key> BY_NAME = index(KEYS, Key::name);
  private static final Map<String, Key> BY_VARIABLE = index(KEYS, Key::variable);

  /**
   * One value given on the command line.
   *
   * @param key the property key it sets
   * @param value the text as given
   * @param flag how it was given, for error messages ({@code --port}, {@code --set})
   */
  public record Flag(String key, String value, String flag) {}

  /** A parsed value and where it came from. */
  private record Given(Object value, String text, String source) {}

  private ConfigLoader() {}

  /**
   * Loads the configuration.
   *
   * @param configFile the {@code --config} file, or null to use {@value #CONFIG_FILE_VARIABLE}
   *     from {@code environment}, or no file when that is unset too
   * @param environment the process environment ({@code System.getenv()} in production)
   * @param flags command-line values in the order given; a later one wins
   * @throws IllegalArgumentException the configuration is invalid; the message says which
   *     setting, from where, with what value, and why
   */
  public static ServerConfig load(Path configFile, Map<String, String> environment,
      List<Flag> flags) {
    Map<String, Given> given = new HashMap<>();
    Path file = configFile;
    if (file == null && environment.containsKey(CONFIG_FILE_VARIABLE)) {
      file = path(CONFIG_FILE_VARIABLE, environment.get(CONFIG_FILE_VARIABLE),
          "environment variable " + CONFIG_FILE_VARIABLE);
    }
    if (file != null) {
      readFile(file, given);
    }
    readEnvironment(environment, given);
    for (Flag flag : flags) {
      Key key = BY_NAME.get(flag.key());
      String source = "flag " + flag.flag();
      if (key == null) {
        throw unknown(flag.key(), source);
      }
      given.put(key.name(), parse(key, flag.value(), source));
    }
    return build(given);
  }

  /** Every property key, in record order. For tests and documentation checks. */
  static List<String> keys() {
    return KEYS.stream().map(Key::name).toList();
  }

  /** The environment variable of {@code key}. For tests and documentation checks. */
  static String variable(String key) {
    return BY_NAME.get(key).variable();
  }

  private static void readFile(Path file, Map<String, Given> given) {
    Properties properties = new Properties();
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      properties.load(reader);
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("invalid configuration: configuration file " + file
          + " does not exist");
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid configuration: configuration file " + file
          + " cannot be read: " + e.getMessage(), e);
    }
    String source = "file " + file;
    // Sorted, so that of several bad keys the same one is reported every time.
    for (String name : new TreeSet<>(properties.stringPropertyNames())) {
      Key key = BY_NAME.get(name);
      if (key == null) {
        throw unknown(name, source);
      }
      given.put(name, parse(key, properties.getProperty(name), source));
    }
  }

  private static void readEnvironment(Map<String, String> environment,
      Map<String, Given> given) {
    for (String variable : new TreeSet<>(environment.keySet())) {
      if (!variable.startsWith(VARIABLE_PREFIX) || VARIABLES_NOT_SETTINGS.contains(variable)) {
        continue;
      }
      String source = "environment variable " + variable;
      Key key = BY_VARIABLE.get(variable);
      if (key == null) {
        throw new IllegalArgumentException("invalid configuration: unknown setting " + variable
            + " (" + source + "); every STOCKROOM_ variable must name a setting, see"
            + " docs/CONFIGURATION.md");
      }
      given.put(key.name(), parse(key, environment.get(variable), source));
    }
  }

  private static IllegalArgumentException unknown(String name, String source) {
    return new IllegalArgumentException("invalid configuration: unknown setting '" + name
        + "' (" + source + "); the settings are listed in docs/CONFIGURATION.md");
  }

  private static Given parse(Key key, String raw, String source) {
    String text = raw == null ? "" : raw.strip();
    if (text.isEmpty()) {
      throw invalid(key, raw, source, "the value is empty");
    }
    Object value = switch (key.kind()) {
      case PATH -> path(key.name(), text, source);
      case TEXT -> text;
      case INT -> (int) wholeNumber(key, text, source, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case LONG -> wholeNumber(key, text, source, Long.MIN_VALUE, Long.MAX_VALUE);
      case BOOLEAN -> switch (text) {
        case "true" -> Boolean.TRUE;
        case "false" -> Boolean.FALSE;
        default -> throw invalid(key, text, source, "must be true or false");
      };
    };
    return new Given(value, text, source);
  }

  private static Path path(String name, String text, String source) {
    try {
      return Path.of(text);
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException("invalid configuration: " + name + " = \"" + text
          + "\" (" + source + ") is not a valid path: " + e.getReason());
    }
  }

  private static long wholeNumber(Key key, String text, String source, long min, long max) {
    if (!WHOLE_NUMBER.matcher(text).matches()) {
      throw invalid(key, text, source, "not a whole number");
    }
    try {
      long value = Long.parseLong(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // too large for a long: reported below like any value outside the type's range
    }
    throw invalid(key, text, source, "out of range " + min + ".." + max);
  }

  private static IllegalArgumentException invalid(Key key, String text, String source,
      String why) {
    return new IllegalArgumentException("invalid configuration: " + key.name() + " = \"" + text
        + "\" (" + source + "): " + why);
  }

  /**
   * Builds the records, whose constructors check every range and every cross-field rule. Their
   * messages name the component; this adds where each named setting came from.
   */
  private static ServerConfig build(Map<String, Given> given) {
    Map<String, Object> values = new LinkedHashMap<>();
    ServerConfig defaults = ServerConfig.defaults();
    for (Key key : KEYS) {
      Given value = given.get(key.name());
      values.put(key.name(), value == null ? key.current().apply(defaults) : value.value());
    }
    try {
      Limits limits = new Limits(
          integer(values, "limits.identifierLengthMax"),
          integer(values, "limits.nameLengthMax"),
          integer(values, "limits.textLengthMax"),
          integer(values, "limits.quantityMax"),
          integer(values, "limits.linesPerHoldMax"),
          integer(values, "limits.locationsPerItemMax"),
          integer(values, "limits.itemsMax"),
          integer(values, "limits.holdsActiveMax"),
          integer(values, "limits.holdsResolvedRetainedMax"),
          longValue(values, "limits.holdTimeoutMillisMin"),
          longValue(values, "limits.holdTimeoutMillisMax"),
          integer(values, "limits.expiriesPerCommandMax"),
          integer(values, "limits.idempotencyKeysMax"),
          longValue(values, "limits.idempotencyWindowMillis"),
          integer(values, "limits.customerHoldsActiveMax"),
          integer(values, "limits.customerUnitsHeldMax"));
      JournalConfig journal = journal(values);
      return new ServerConfig(
          (Path) values.get("dataDirectory"),
          (String) values.get("host"),
          integer(values, "port"),
          integer(values, "queueCapacity"),
          integer(values, "batchCommandsMax"),
          longValue(values, "batchLingerMicrosMax"),
          longValue(values, "snapshotEveryEvents"),
          integer(values, "requestBodyBytesMax"),
          integer(values, "batchRequestCommandsMax"),
          integer(values, "listLimitMax"),
          integer(values, "eventsLimitMax"),
          longValue(values, "holdTtlSecondsDefault"),
          longValue(values, "readWaitMillisMax"),
          integer(values, "streamSubscribersMax"),
          integer(values, "streamBufferEventsMax"),
          longValue(values, "streamHeartbeatMillis"),
          integer(values, "retryAfterSeconds"),
          limits,
          journal,
          (Path) values.get("tlsCertificateChainFile"),
          (Path) values.get("tlsPrivateKeyFile"),
          new RateLimitSettings(
              rate(values, "read"), rate(values, "write"), rate(values, "admin"),
              integer(values, "rateLimits.bucketsMax")),
          new HttpLimits(integer(values, "http.headersBytesMax"),
              integer(values, "http.requestLineBytesMax"),
              integer(values, "http.connectionsMax"),
              integer(values, "http.requestsInFlightMax")),
          integer(values, "streamTokenTtlSeconds"),
          new JwtSettings((Path) values.get("jwt.keysFile"), (String) values.get("jwt.issuer"),
              (String) values.get("jwt.audience"), (String) values.get("jwt.rolesClaim"),
              integer(values, "jwt.clockSkewSeconds")),
          new PublicFeedSettings((Boolean) values.get("publicFeed.enabled"),
              integer(values, "publicFeed.lowStockUnits"),
              originList((String) values.get("publicFeed.corsOrigins")),
              integer(values, "publicFeed.requestsPerSecond"),
              integer(values, "publicFeed.subscribersMax")));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage() + origins(e.getMessage(), values, given),
          e);
    }
  }

  /** A comma-separated list; blanks around entries are ignored. */
  private static List<String> originList(String text) {
    List<String> origins = new ArrayList<>();
    for (String origin : text.split(",")) {
      if (!origin.isBlank()) {
        origins.add(origin.strip());
      }
    }
    return origins;
  }

  private static RateLimitSettings.Rate rate(Map<String, Object> values, String role) {
    return new RateLimitSettings.Rate(integer(values, "rateLimits." + role + ".requestsPerSecond"),
        integer(values, "rateLimits." + role + ".burstRequests"));
  }

  private static JournalConfig journal(Map<String, Object> values) {
    try {
      return new JournalConfig(
          longValue(values, "journal.segmentBytesMax"),
          integer(values, "journal.batchRecordsMax"),
          integer(values, "journal.recordPayloadBytesMax"),
          integer(values, "journal.writeBufferBytes"),
          integer(values, "journal.readBufferBytes"),
          integer(values, "journal.snapshotsRetained"),
          integer(values, "journal.snapshotBytesMax"));
    } catch (IllegalArgumentException e) {
      // The journal's messages carry no prefix of their own.
      throw new IllegalArgumentException("invalid journal configuration: " + e.getMessage(), e);
    }
  }

  /**
   * For every setting a record's message names, its key, value and source: "(port = 70000 from
   * flag --port)". Cross-field messages name several settings, and all of them are listed.
   */
  private static String origins(String message, Map<String, Object> values,
      Map<String, Given> given) {
    List<String> origins = new ArrayList<>();
    for (Key key : KEYS) {
      if (!Pattern.compile("\\b" + key.simpleName() + "\\b").matcher(message).find()) {
        continue;
      }
      Given value = given.get(key.name());
      Object byDefault = values.get(key.name());
      origins.add(value != null
          ? key.name() + " = \"" + value.text() + "\" from " + value.source()
          : byDefault == null ? key.name() + " not set"
          : key.name() + " = " + byDefault + " by default");
    }
    return origins.isEmpty() ? "" : " (" + String.join("; ", origins) + ")";
  }

  private static int integer(Map<String, Object> values, String key) {
    return (Integer) values.get(key);
  }

  private static long longValue(Map<String, Object> values, String key) {
    return (Long) values.get(key);
  }

  private static Map<String, Key> index(List<Key> keys, Function<Key, String> name) {
    Map<String, Key> index = new HashMap<>();
    for (Key key : keys) {
      if (index.put(name.apply(key), key) != null) {
        throw new IllegalStateException("two settings share the name " + name.apply(key));
      }
    }
    return Map.copyOf(index);
  }
}
