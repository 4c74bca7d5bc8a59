package io.stockroom.bench.sidebyside;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Row 4: PostgreSQL, a reservation as one transaction: {@code UPDATE stock SET available =
 * available - q WHERE sku = ? AND available >= q}, and when it changed a row, the {@code INSERT}
 * of the reservation row; then {@code COMMIT} with {@code synchronous_commit = on} (the commit
 * waits for its WAL fsync). One connection per client.
 *
 * <p>The runner starts its own server from the machine's binaries ({@code initdb} and {@code
 * postgres}, e.g. Debian's {@code postgresql} package) in a temporary directory, listening on a
 * free loopback port only, and stops it in {@link #close}. PostgreSQL refuses to run as root,
 * so as root the server runs as the {@code postgres} user (through {@code setpriv}).
 */
final class PostgresContender implements Contender {

  private static final List<String> VERSIONS = List.of("18", "17", "16", "15", "14", "13");
  private static final String USER = "bench";
  private static final String SERVICE_USER = "postgres";
  private static final int START_WAIT_MILLIS = 30_000;
  private static final String RESERVE = "UPDATE stock SET available = available - ?"
      + " WHERE sku = ? AND available >= ?";
  private static final String RECORD = "INSERT INTO reservation (hold_id, sku, quantity)"
      + " VALUES (?, ?, ?)";

  private final Path parent;
  private final int clientsMax;
  private LocalServer server;
  private String url;
  private String version = "";
  private Workload workload;
  private String[] skuNames;

  /** @param clientsMax sessions the run will open: the server's max_connections follows */
  PostgresContender(Path parent, int clientsMax) {
    this.parent = parent;
    this.clientsMax = clientsMax;
  }

  @Override
  public String name() {
    return "PostgreSQL " + version + " UPDATE ... WHERE available >= q + INSERT,"
        + " synchronous_commit on";
  }

  @Override
  public int pipelineDepth() {
    return 1;
  }

  @Override
  public void setup(Workload workload) throws Exception {
    this.workload = workload;
    start();
    skuNames = new String[workload.skus()];
    try (Connection connection = DriverManager.getConnection(url, USER, "")) {
      version = connection.getMetaData().getDatabaseMajorVersion() + "."
          + connection.getMetaData().getDatabaseMinorVersion();
      try (Statement statement = connection.createStatement()) {
        statement.execute("CREATE TABLE stock (sku text PRIMARY KEY, available integer NOT NULL)");
        statement.execute("CREATE TABLE reservation (hold_id text PRIMARY KEY,"
            + " sku text NOT NULL, quantity integer NOT NULL)");
      }
      connection.setAutoCommit(false);
      try (PreparedStatement insert = connection.prepareStatement(
          "INSERT INTO stock (sku, available) VALUES (?, ?)")) {
        for (int i = 0; i < workload.skus(); i++) {
          skuNames[i] = Workload.sku(i);
          insert.setString(1, skuNames[i]);
          insert.setInt(2, workload.unitsPerSku());
          insert.addBatch();
        }
        insert.executeBatch();
      }
      connection.commit();
      try (Statement statement = connection.createStatement()) {
        connection.setAutoCommit(true);
        statement.execute("VACUUM ANALYZE stock");
      }
    }
  }

  private void start() throws IOException, InterruptedException, SQLException {
    Path bin = binaries();
    Path directory = Files.createTempDirectory(parent, "postgres-sidebyside-");
    Path data = directory.resolve("data");
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root) {
      giveTo(directory, SERVICE_USER);
    }
    run(root, directory, List.of(bin.resolve("initdb").toString(), "-D", data.toString(),
        "-U", USER, "--auth=trust", "-E", "UTF8", "--locale=C",
        "--no-sync")); // a throwaway cluster: its creation need not survive a crash
    if (root) {
      giveTo(data, SERVICE_USER);
    }
    int port = LocalServer.freeLoopbackPort();
    List<String> command = asUser(root, List.of(bin.resolve("postgres").toString(),
        "-D", data.toString(), "-c", "listen_addresses=127.0.0.1", "-c", "port=" + port,
        "-c", "unix_socket_directories=" + directory, "-c", "synchronous_commit=on",
        "-c", "fsync=on", "-c", "max_connections=" + (clientsMax + 10),
        "-c", "shared_buffers=512MB"));
    server = LocalServer.start("postgres", command, directory);
    url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    awaitReady();
  }

  private static Path binaries() {
    for (String version : VERSIONS) {
      Path bin = Path.of("/usr/lib/postgresql", version, "bin");
      if (Files.isExecutable(bin.resolve("postgres")) && Files.isExecutable(bin.resolve("initdb"))) {
        return bin;
      }
    }
    throw new IllegalStateException("no PostgreSQL server binaries under /usr/lib/postgresql/"
        + VERSIONS + "/bin: install Debian's postgresql package (apt-get install -y postgresql)");
  }

  private static List<String> asUser(boolean root, List<String> command) {
    if (!root) {
      return command;
    }
    List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + SERVICE_USER,
        "--regid=" + SERVICE_USER, "--init-groups", "--"));
    wrapped.addAll(command);
    return wrapped;
  }

  private static void giveTo(Path path, String user) throws IOException {
    UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
    GroupPrincipal group = users.lookupPrincipalByGroupName(user);
    PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
    view.setOwner(users.lookupPrincipalByName(user));
    view.setGroup(group);
  }

  private static void run(boolean root, Path directory, List<String> command)
      throws IOException, InterruptedException {
    Path log = directory.resolve("initdb.log");
    Process process = new ProcessBuilder(asUser(root, command)).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(command.get(0) + " failed: " + Files.readString(log));
    }
  }

  /** Polls for a connection: the server accepts them once it has started. */
  private void awaitReady() throws InterruptedException, SQLException {
    long deadline = System.currentTimeMillis() + START_WAIT_MILLIS;
    while (true) {
      if (!server.alive()) {
        throw server.failure("exited at startup");
      }
      try (Connection connection = DriverManager.getConnection(url, USER, "")) {
        return;
      } catch (SQLException notYet) {
        if (System.currentTimeMillis() > deadline) {
          throw server.failure("did not accept a connection within " + START_WAIT_MILLIS
              + " ms: " + notYet.getMessage());
        }
        Thread.sleep(50); // a bounded startup poll, not a test waiting on a condition
      }
    }
  }

  @Override
  public Session session(int client) throws SQLException {
    Connection connection = DriverManager.getConnection(url, USER, "");
    connection.setAutoCommit(false);
    PreparedStatement reserve = connection.prepareStatement(RESERVE);
    PreparedStatement record = connection.prepareStatement(RECORD);
    return new Session() {
      @Override
      public void reserve(String[] holdIds, int[] skus, int count, boolean[] accepted)
          throws SQLException {
        for (int i = 0; i < count; i++) {
          accepted[i] = reserveOne(holdIds[i], skuNames[skus[i]]);
        }
      }

      private boolean reserveOne(String holdId, String sku) throws SQLException {
        reserve.setInt(1, Workload.QUANTITY);
        reserve.setString(2, sku);
        reserve.setInt(3, Workload.QUANTITY);
        if (reserve.executeUpdate() == 0) {
          connection.rollback();
          return false;
        }
        record.setString(1, holdId);
        record.setString(2, sku);
        record.setInt(3, Workload.QUANTITY);
        record.executeUpdate();
        connection.commit();
        return true;
      }

      @Override
      public void close() throws SQLException {
        connection.close();
      }
    };
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
  public StoreState storeState() throws SQLException {
    StoreState state = StoreState.empty(workload.skus());
    try (Connection connection = DriverManager.getConnection(url, USER, "");
        Statement statement = connection.createStatement()) {
      try (ResultSet rows = statement.executeQuery("SELECT sku, available FROM stock")) {
        while (rows.next()) {
          state.available()[Workload.index(rows.getString(1))] = rows.getLong(2);
        }
      }
      try (ResultSet rows = statement.executeQuery(
          "SELECT sku, count(*), sum(quantity) FROM reservation GROUP BY sku")) {
        while (rows.next()) {
          int sku = Workload.index(rows.getString(1));
          state.recordedCount()[sku] = rows.getLong(2);
          state.recordedUnits()[sku] = rows.getLong(3);
        }
      }
    }
    return state;
  }

  /** For the test that proves the check can fail: records a hold without taking the unit. */
  void oversell(int sku, String holdId) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url, USER, "");
        PreparedStatement insert = connection.prepareStatement(RECORD)) {
      insert.setString(1, holdId);
      insert.setString(2, skuNames[sku]);
      insert.setInt(3, Workload.QUANTITY);
      insert.executeUpdate();
    }
  }

  /**
   * Immediate shutdown (SIGQUIT), then the files go: the cluster is thrown away, so the
   * shutdown checkpoint a smart or fast stop would write and fsync is wasted time.
   */
  @Override
  public void close() throws Exception {
    if (server != null) {
      server.signal("QUIT");
      server.close();
    }
  }
}
