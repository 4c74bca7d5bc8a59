package io.stockroom.server.config;

import io.stockroom.engine.Limits;
import io.stockroom.journal.JournalConfig;
import io.stockroom.server.http.HttpLimits;
import io.stockroom.server.security.JwtSettings;
import io.stockroom.server.security.RateLimitSettings;
import io.stockroom.server.sequencer.Sequencer;
import io.stockroom.server.storefront.PublicFeedSettings;
import java.nio.file.Path;

/**
 * Every setting of a running service, already parsed. Built by {@link ConfigLoader} from
 * defaults, a properties file, environment variables and flags (later wins); validated here on
 * construction, so an invalid combination refuses to start with a message naming the setting.
 * Each setting, its default and unit are documented in docs/CONFIGURATION.md.
 *
 * @param dataDirectory where the journal lives (default {@code ./data})
 * @param host the address to bind (default {@code 127.0.0.1})
 * @param port the HTTP port, 0 for any free port (default 8080)
 * @param queueCapacity commands waiting for the writer before 503 (default 65,536)
 * @param batchCommandsMax commands the writer applies per durable batch (default 4,096)
 * @param batchLingerMicrosMax longest the writer holds a batch open while commands keep
 *     arriving, µs; 0 never (default 2,000)
 * @param snapshotEveryEvents events between automatic snapshots (default 1,000,000)
 * @param requestBodyBytesMax largest request body, bytes (default 1 MiB)
 * @param batchRequestCommandsMax commands in one POST /v1/batch (default 1,000)
 * @param listLimitMax largest page of GET /v1/items (default 1,000)
 * @param eventsLimitMax largest page of GET /v1/events (default 10,000)
 * @param holdTtlSecondsDefault hold timeout when a reservation names none, seconds (default 900)
 * @param readWaitMillisMax longest a read waits for a requested minimum sequence, ms (default 5,000)
 * @param streamSubscribersMax concurrent SSE/WebSocket subscribers (default 10,000)
 * @param streamBufferEventsMax events buffered per subscriber before it is cut off (default 10,000)
 * @param streamHeartbeatMillis idle time before a heartbeat comment, ms (default 15,000)
 * @param retryAfterSeconds the Retry-After sent with 503 on overload, seconds (default 1)
 * @param limits the engine's limits
 * @param journal the journal's limits
 * @param rateLimits per-key request budgets by role (docs/SECURITY.md)
 * @param httpLimits request head limits (header bytes, request-line bytes) and the bounds on
 *     connections and requests in flight
 * @param tlsCertificateChainFile PEM file of the server certificate and its chain, or null for
 *     plain HTTP (default null; set together with {@code tlsPrivateKeyFile})
 * @param tlsPrivateKeyFile PEM file of the certificate's unencrypted private key, or null for
 *     plain HTTP (default null; set together with {@code tlsCertificateChainFile})
 * @param streamTokenTtlSeconds how long a stream token from {@code POST /v1/stream-tokens} is
 *     accepted, seconds (default 300)
 * @param jwt bearer JWTs from an identity provider (off by default)
 * @param publicFeed the anonymous availability feed for storefronts (off by default)
 */
public record ServerConfig(
    Path dataDirectory,
    String host,
    int port,
    int queueCapacity,
    int batchCommandsMax,
    long batchLingerMicrosMax,
    long snapshotEveryEvents,
    int requestBodyBytesMax,
    int batchRequestCommandsMax,
    int listLimitMax,
    int eventsLimitMax,
    long holdTtlSecondsDefault,
    long readWaitMillisMax,
    int streamSubscribersMax,
    int streamBufferEventsMax,
    long streamHeartbeatMillis,
    int retryAfterSeconds,
    Limits limits,
    JournalConfig journal,
    Path tlsCertificateChainFile,
    Path tlsPrivateKeyFile,
    RateLimitSettings rateLimits,
    HttpLimits httpLimits,
    int streamTokenTtlSeconds,
    JwtSettings jwt,
    PublicFeedSettings publicFeed) {

  public static ServerConfig defaults() {
    return new ServerConfig(Path.of("data"), "127.0.0.1", 8080, 65_536, 4_096, 2_000, 1_000_000,
        1 << 20, 1_000, 1_000, 10_000, 900, 5_000, 10_000, 10_000, 15_000, 1, Limits.DEFAULTS,
        JournalConfig.defaults(), null, null, RateLimitSettings.defaults(), HttpLimits.defaults(),
        300, JwtSettings.defaults(), PublicFeedSettings.defaults());
  }

  /** This configuration with other per-key rate limits. */
  public ServerConfig withRateLimits(RateLimitSettings rateLimits) {
    return new ServerConfig(dataDirectory, host, port, queueCapacity, batchCommandsMax,
        batchLingerMicrosMax, snapshotEveryEvents, requestBodyBytesMax, batchRequestCommandsMax,
        listLimitMax, eventsLimitMax, holdTtlSecondsDefault, readWaitMillisMax,
        streamSubscribersMax, streamBufferEventsMax, streamHeartbeatMillis, retryAfterSeconds,
        limits, journal, tlsCertificateChainFile, tlsPrivateKeyFile, rateLimits, httpLimits,
        streamTokenTtlSeconds, jwt, publicFeed);
  }

  /** This configuration with other HTTP limits (request heads, connections, requests in flight). */
  public ServerConfig withHttpLimits(HttpLimits httpLimits) {
    return new ServerConfig(dataDirectory, host, port, queueCapacity, batchCommandsMax,
        batchLingerMicrosMax, snapshotEveryEvents, requestBodyBytesMax, batchRequestCommandsMax,
        listLimitMax, eventsLimitMax, holdTtlSecondsDefault, readWaitMillisMax,
        streamSubscribersMax, streamBufferEventsMax, streamHeartbeatMillis, retryAfterSeconds,
        limits, journal, tlsCertificateChainFile, tlsPrivateKeyFile, rateLimits, httpLimits,
        streamTokenTtlSeconds, jwt, publicFeed);
  }

  /** This configuration listening elsewhere, on another data directory (tests, embedding). */
  public ServerConfig withListener(Path dataDirectory, String host, int port) {
    return new ServerConfig(dataDirectory, host, port, queueCapacity, batchCommandsMax,
        batchLingerMicrosMax, snapshotEveryEvents, requestBodyBytesMax, batchRequestCommandsMax,
        listLimitMax, eventsLimitMax, holdTtlSecondsDefault, readWaitMillisMax,
        streamSubscribersMax, streamBufferEventsMax, streamHeartbeatMillis, retryAfterSeconds,
        limits, journal, tlsCertificateChainFile, tlsPrivateKeyFile, rateLimits, httpLimits,
        streamTokenTtlSeconds, jwt, publicFeed);
  }

  /** This configuration with another write-queue capacity. */
  public ServerConfig withQueueCapacity(int queueCapacity) {
    return new ServerConfig(dataDirectory, host, port, queueCapacity, batchCommandsMax,
        batchLingerMicrosMax, snapshotEveryEvents, requestBodyBytesMax, batchRequestCommandsMax,
        listLimitMax, eventsLimitMax, holdTtlSecondsDefault, readWaitMillisMax,
        streamSubscribersMax, streamBufferEventsMax, streamHeartbeatMillis, retryAfterSeconds,
        limits, journal, tlsCertificateChainFile, tlsPrivateKeyFile, rateLimits, httpLimits,
        streamTokenTtlSeconds, jwt, publicFeed);
  }

  /** This configuration with another batch size (commands per durable batch). */
  public ServerConfig withBatchCommandsMax(int batchCommandsMax) {
    return new ServerConfig(dataDirectory, host, port, queueCapacity, batchCommandsMax,
        batchLingerMicrosMax, snapshotEveryEvents, requestBodyBytesMax, batchRequestCommandsMax,
        listLimitMax, eventsLimitMax, holdTtlSecondsDefault, readWaitMillisMax,
        streamSubscribersMax, streamBufferEventsMax, streamHeartbeatMillis, retryAfterSeconds,
        limits, journal, tlsCertificateChainFile, tlsPrivateKeyFile, rateLimits, httpLimits,
        streamTokenTtlSeconds, jwt, publicFeed);
  }

  /** This configuration with other stream limits. */
  public ServerConfig withStreams(int streamSubscribersMax, int streamBufferEventsMax,
      long streamHeartbeatMillis) {
    return new ServerConfig(dataDirectory, host, port, queueCapacity, batchCommandsMax,
        batchLingerMicrosMax, snapshotEveryEvents, requestBodyBytesMax, batchRequestCommandsMax,
        listLimitMax, eventsLimitMax, holdTtlSecondsDefault, readWaitMillisMax,
        streamSubscribersMax, streamBufferEventsMax, streamHeartbeatMillis, retryAfterSeconds,
        limits, journal, tlsCertificateChainFile, tlsPrivateKeyFile, rateLimits, httpLimits,
        streamTokenTtlSeconds, jwt, publicFeed);
  }

  /** This configuration serving HTTPS from these PEM files (both null: plain HTTP). */
  public ServerConfig withTls(Path tlsCertificateChainFile, Path tlsPrivateKeyFile) {
    return new ServerConfig(dataDirectory, host, port, queueCapacity, batchCommandsMax,
        batchLingerMicrosMax, snapshotEveryEvents, requestBodyBytesMax, batchRequestCommandsMax,
        listLimitMax, eventsLimitMax, holdTtlSecondsDefault, readWaitMillisMax,
        streamSubscribersMax, streamBufferEventsMax, streamHeartbeatMillis, retryAfterSeconds,
        limits, journal, tlsCertificateChainFile, tlsPrivateKeyFile, rateLimits, httpLimits,
        streamTokenTtlSeconds, jwt, publicFeed);
  }

  /** This configuration accepting JWTs and serving the public feed as given. */
  public ServerConfig withAccess(JwtSettings jwt, PublicFeedSettings publicFeed) {
    return new ServerConfig(dataDirectory, host, port, queueCapacity, batchCommandsMax,
        batchLingerMicrosMax, snapshotEveryEvents, requestBodyBytesMax, batchRequestCommandsMax,
        listLimitMax, eventsLimitMax, holdTtlSecondsDefault, readWaitMillisMax,
        streamSubscribersMax, streamBufferEventsMax, streamHeartbeatMillis, retryAfterSeconds,
        limits, journal, tlsCertificateChainFile, tlsPrivateKeyFile, rateLimits, httpLimits,
        streamTokenTtlSeconds, jwt, publicFeed);
  }

  /** Whether the listener serves HTTPS (both TLS files are set) rather than plain HTTP. */
  public boolean tlsEnabled() {
    return tlsCertificateChainFile != null;
  }

  public ServerConfig {
    require(dataDirectory != null, "dataDirectory is required");
    require(rateLimits != null && httpLimits != null, "rateLimits and httpLimits are required");
    require(jwt != null && publicFeed != null, "jwt and publicFeed are required");
    require(host != null && !host.isBlank(), "host is required");
    require(port >= 0 && port <= 65_535, "port must be 0..65535, was " + port);
    require(queueCapacity >= 1 && queueCapacity <= 10_000_000,
        "queueCapacity must be 1..10000000, was " + queueCapacity);
    require(batchCommandsMax >= 1 && batchCommandsMax <= 1_000_000,
        "batchCommandsMax must be 1..1000000, was " + batchCommandsMax);
    require(batchLingerMicrosMax >= 0 && batchLingerMicrosMax <= Sequencer.LINGER_MICROS_LIMIT,
        "batchLingerMicrosMax must be 0.." + Sequencer.LINGER_MICROS_LIMIT + " µs, was "
            + batchLingerMicrosMax);
    require(snapshotEveryEvents >= 1, "snapshotEveryEvents must be positive, was "
        + snapshotEveryEvents);
    require(requestBodyBytesMax >= 1_024 && requestBodyBytesMax <= 64 << 20,
        "requestBodyBytesMax must be 1024..67108864 bytes, was " + requestBodyBytesMax);
    require(batchRequestCommandsMax >= 1 && batchRequestCommandsMax <= 100_000,
        "batchRequestCommandsMax must be 1..100000, was " + batchRequestCommandsMax);
    require(listLimitMax >= 1 && listLimitMax <= 100_000,
        "listLimitMax must be 1..100000, was " + listLimitMax);
    require(eventsLimitMax >= 1 && eventsLimitMax <= 1_000_000,
        "eventsLimitMax must be 1..1000000, was " + eventsLimitMax);
    require(limits != null && journal != null, "limits and journal are required");
    // Compared in seconds first: holdTtlSecondsDefault * 1000 could overflow into the range.
    require(holdTtlSecondsDefault >= 1
            && holdTtlSecondsDefault <= limits.holdTimeoutMillisMax() / 1000
            && holdTtlSecondsDefault * 1000 >= limits.holdTimeoutMillisMin(),
        "holdTtlSecondsDefault (" + holdTtlSecondsDefault + " s) must lie within the hold"
            + " timeout limits " + limits.holdTimeoutMillisMin() + ".."
            + limits.holdTimeoutMillisMax() + " ms");
    require(readWaitMillisMax >= 0 && readWaitMillisMax <= 60_000,
        "readWaitMillisMax must be 0..60000 ms, was " + readWaitMillisMax);
    require(streamSubscribersMax >= 1 && streamSubscribersMax <= 1_000_000,
        "streamSubscribersMax must be 1..1000000, was " + streamSubscribersMax);
    require(streamBufferEventsMax >= 16 && streamBufferEventsMax <= 10_000_000,
        "streamBufferEventsMax must be 16..10000000, was " + streamBufferEventsMax);
    require(streamHeartbeatMillis >= 100 && streamHeartbeatMillis <= 3_600_000,
        "streamHeartbeatMillis must be 100..3600000 ms, was " + streamHeartbeatMillis);
    require(retryAfterSeconds >= 1 && retryAfterSeconds <= 3_600,
        "retryAfterSeconds must be 1..3600, was " + retryAfterSeconds);
    // Under 10 s a browser could not connect in time; over an hour a leaked URL stays useful
    // too long, and revoking the issuing key does not end its tokens.
    require(streamTokenTtlSeconds >= 10 && streamTokenTtlSeconds <= 3_600,
        "streamTokenTtlSeconds must be 10..3600, was " + streamTokenTtlSeconds);
    // Streams hold their connection for minutes: if they could take every one, no request
    // would ever be read again.
    long streamsMax = (long) streamSubscribersMax
        + (publicFeed.enabled() ? publicFeed.subscribersMax() : 0);
    require(httpLimits.connectionsMax() > streamsMax, "http connectionsMax ("
        + httpLimits.connectionsMax() + ") must be more than streamSubscribersMax"
        + (publicFeed.enabled() ? " + publicFeed.subscribersMax" : "") + " (" + streamsMax
        + ")");
    require(journal.batchRecordsMax() >= limits.expiriesPerCommandMax() + 3,
        "journal batchRecordsMax (" + journal.batchRecordsMax() + ") must be at least"
            + " expiriesPerCommandMax + 3 (" + (limits.expiriesPerCommandMax() + 3) + ")");
    // One without the other is a half-done TLS setup; serving plain HTTP instead would hide it.
    require((tlsCertificateChainFile == null) == (tlsPrivateKeyFile == null),
        (tlsCertificateChainFile == null ? "tlsPrivateKeyFile is set but tlsCertificateChainFile"
            : "tlsCertificateChainFile is set but tlsPrivateKeyFile") + " is not; set both for"
            + " HTTPS or neither for plain HTTP");
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("invalid configuration: " + message);
    }
  }
}
