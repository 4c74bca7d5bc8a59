package io.stockroom.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Row 3: Redis 7 with the reservation as one Lua script (check, decrement, record the hold,
 * atomically, since Redis runs a script alone). Durability is the append-only file: with {@code
 * appendfsync always} Redis fsyncs the AOF before it answers (once per event-loop round, so
 * clients' writes share fsyncs: group commit); with {@code everysec} it answers first and
 * fsyncs once a second, so up to a second of acknowledged reservations can be lost.
 *
 * <p>The runner starts its own {@code redis-server} (the machine's, e.g. Debian's {@code
 * redis-server} package) on a free loopback port with a temporary directory, RDB snapshots off,
 * and stops it in {@link #close}. Data: {@code stock:<sku>} holds the available units, the hash
 * {@code holds:<sku>} maps each hold id to its quantity.
 */
final class RedisContender implements Contender {

  static final List<String> BINARIES = List.of("/usr/bin/redis-server",
      "/usr/local/bin/redis-server");
  private static final String RESERVE = """
      local available = tonumber(redis.call('GET', KEYS[1]))
      local quantity = tonumber(ARGV[2])
      if available == nil or available < quantity then
        return 0
      end
      redis.call('DECRBY', KEYS[1], quantity)
      redis.call('HSET', KEYS[2], ARGV[1], quantity)
      return 1
      """;
  /** Read-back for the check: a hold hash's size and the sum of its quantities. */
  private static final String HOLDS_SUM = """
      local units = 0
      for _, quantity in ipairs(redis.call('HVALS', KEYS[1])) do
        units = units + tonumber(quantity)
      end
      return {redis.call('HLEN', KEYS[1]), units}
      """;
  private static final int START_WAIT_MILLIS = 10_000;
  private static final int SOCKET_TIMEOUT_MILLIS = 120_000;

  private final Path parent;
  private final String appendfsync;
  private final int pipelineDepth;
  private LocalServer server;
  private HostAndPort address;
  private JedisClientConfig clientConfig;
  private String version = "7";
  private String reserveSha;
  private Workload workload;
  private String[] stockKeys;
  private String[] holdKeys;
  private final String quantity = Integer.toString(Workload.QUANTITY);

  /** @param appendfsync {@code always} or {@code everysec} */
  RedisContender(Path parent, String appendfsync, int pipelineDepth) {
    if (!appendfsync.equals("always") && !appendfsync.equals("everysec")) {
      throw new IllegalArgumentException("appendfsync is always or everysec: " + appendfsync);
    }
    this.parent = parent;
    this.appendfsync = appendfsync;
    this.pipelineDepth = pipelineDepth;
  }

  @Override
  public String name() {
    return "Redis " + version + " Lua, appendfsync " + appendfsync
        + (pipelineDepth > 1 ? ", pipeline " + pipelineDepth : ", no pipelining");
  }

  @Override
  public int pipelineDepth() {
    return pipelineDepth;
  }

  @Override
  public void setup(Workload workload) throws Exception {
    this.workload = workload;
    start();
    stockKeys = new String[workload.skus()];
    holdKeys = new String[workload.skus()];
    try (Jedis jedis = connect()) {
      version = jedis.info("server").lines().filter(l -> l.startsWith("redis_version:"))
          .map(l -> l.substring("redis_version:".length()).trim()).findFirst().orElse("7");
      reserveSha = jedis.scriptLoad(RESERVE);
      Pipeline pipeline = jedis.pipelined();
      for (int i = 0; i < workload.skus(); i++) {
        stockKeys[i] = "stock:" + Workload.sku(i);
        holdKeys[i] = "holds:" + Workload.sku(i);
        pipeline.set(stockKeys[i], Integer.toString(workload.unitsPerSku()));
      }
      pipeline.sync();
    }
  }

  private void start() throws IOException, InterruptedException {
    Path binary = LocalServer.executable(BINARIES);
    if (binary == null) {
      throw new IllegalStateException("no redis-server found at " + BINARIES
          + ": install Debian's redis-server package (apt-get install -y redis-server)");
    }
    Path directory = Files.createTempDirectory(parent, "redis-sidebyside-");
    int port = LocalServer.freeLoopbackPort();
    server = LocalServer.start("redis-server", LocalServer.command(binary.toString(),
        "--port", Integer.toString(port), "--bind", "127.0.0.1", "--protected-mode", "yes",
        "--dir", directory.toString(), "--appendonly", "yes", "--appendfsync", appendfsync,
        "--save", "", "--daemonize", "no", "--maxclients", "10000"), directory);
    address = new HostAndPort("127.0.0.1", port);
    clientConfig = DefaultJedisClientConfig.builder()
        .socketTimeoutMillis(SOCKET_TIMEOUT_MILLIS).build();
    awaitReady();
  }

  /** Polls PING until the server answers: it accepts connections only once it has loaded. */
  private void awaitReady() throws InterruptedException {
    long deadline = System.currentTimeMillis() + START_WAIT_MILLIS;
    while (true) {
      if (!server.alive()) {
        throw server.failure("exited at startup");
      }
      try (Jedis jedis = connect()) {
        jedis.ping();
        return;
      } catch (JedisConnectionException notYet) {
        if (System.currentTimeMillis() > deadline) {
          throw server.failure("did not answer within " + START_WAIT_MILLIS + " ms");
        }
        Thread.sleep(20); // a bounded startup poll, not a test waiting on a condition
      }
    }
  }

  private Jedis connect() {
    return new Jedis(address, clientConfig);
  }

  @Override
  public Session session(int client) {
    Jedis jedis = connect();
    List<Response<Object>> responses = new ArrayList<>(pipelineDepth);
    return new Session() {
      @Override
      public void reserve(String[] holdIds, int[] skus, int count, boolean[] accepted) {
        if (count == 1) {
          accepted[0] = answer(jedis.evalsha(reserveSha, List.of(stockKeys[skus[0]],
              holdKeys[skus[0]]), List.of(holdIds[0], quantity)));
          return;
        }
        Pipeline pipeline = jedis.pipelined();
        responses.clear();
        for (int i = 0; i < count; i++) {
          responses.add(pipeline.evalsha(reserveSha, List.of(stockKeys[skus[i]],
              holdKeys[skus[i]]), List.of(holdIds[i], quantity)));
        }
        pipeline.sync();
        for (int i = 0; i < count; i++) {
          accepted[i] = answer(responses.get(i).get());
        }
      }

      @Override
      public void close() {
        jedis.close();
      }
    };
  }

  private static boolean answer(Object reply) {
    if (!(reply instanceof Long value) || (value != 0 && value != 1)) {
      throw new IllegalStateException("reserve script answered " + reply);
    }
    return value == 1;
  }

  @Override
  public void windowOpened() {
    server.windowOpened();
  }

  @Override
  public void windowClosed() {
    server.windowClosed();
  }

  /** The server process's CPU time in the window (for PostgreSQL, with its backends). */
  @Override
  public long windowCpuNanos() {
    return server.windowCpuNanos();
  }

  @Override
  public StoreState storeState() {
    StoreState state = StoreState.empty(workload.skus());
    try (Jedis jedis = connect()) {
      Pipeline pipeline = jedis.pipelined();
      List<Response<String>> stock = new ArrayList<>(workload.skus());
      List<Response<Object>> holds = new ArrayList<>(workload.skus());
      for (int i = 0; i < workload.skus(); i++) {
        stock.add(pipeline.get(stockKeys[i]));
        holds.add(pipeline.eval(HOLDS_SUM, List.of(holdKeys[i]), List.of()));
      }
      pipeline.sync();
      for (int i = 0; i < workload.skus(); i++) {
        state.available()[i] = Long.parseLong(stock.get(i).get());
        List<?> countAndUnits = (List<?>) holds.get(i).get();
        state.recordedCount()[i] = (Long) countAndUnits.get(0);
        state.recordedUnits()[i] = (Long) countAndUnits.get(1);
      }
    }
    return state;
  }

  /** For the test that proves the check can fail: takes units without recording a hold. */
  void oversell(int sku, int units) {
    try (Jedis jedis = connect()) {
      jedis.decrBy(stockKeys[sku], units);
    }
  }

  @Override
  public void close() throws Exception {
    if (server != null) {
      server.close();
    }
  }
}
