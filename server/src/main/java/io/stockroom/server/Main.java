package io.stockroom.server;

import io.helidon.logging.common.spi.LoggingProvider;
import io.stockroom.journal.Corruption;
import io.stockroom.journal.FileStorage;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalCorruptException;
import io.stockroom.journal.RecoveryReport;
import io.stockroom.journal.VerifyReport;
import io.stockroom.server.config.ConfigLoader;
import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.sequencer.Ledger;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.bridge.SLF4JBridgeHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * The command line: {@code stockroom serve | verify | snapshot}.
 *
 * <p>Exit codes: 0 done (or clean), 1 a problem was found or the work failed, 2 the command line
 * or the configuration is invalid. Expected failures are one line on stderr, never a stack trace.
 */
public final class Main {

  static final int EXIT_OK = 0;
  static final int EXIT_FAILED = 1;
  static final int EXIT_USAGE = 2;

  private static final String JOURNAL_DIRECTORY = "journal";

  private Main() {}

  public static void main(String[] args) {
    int code = run(args, System.getenv(), System.out, System.err);
    System.exit(code);
  }

  /** Runs one command line; the environment and streams are parameters so tests can pass them. */
  static int run(String[] args, Map<String, String> environment, PrintStream out,
      PrintStream err) {
    CommandLine line = new CommandLine(new Root());
    line.addSubcommand("serve", new Serve(environment, out));
    line.addSubcommand("verify", new Verify(environment, out));
    line.addSubcommand("snapshot", new SnapshotCommand(environment, out));
    line.addSubcommand("keys", KeysCommand.line(environment, out));
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    line.setParameterExceptionHandler(Main::usageError);
    line.setExecutionExceptionHandler((error, failed, parsed) -> failure(error, err));
    return line.execute(args);
  }

  private static int usageError(ParameterException error, String[] args) {
    CommandLine failed = error.getCommandLine();
    failed.getErr().println("stockroom: " + error.getMessage() + " (see '"
        + failed.getCommandSpec().qualifiedName() + " --help')");
    return EXIT_USAGE;
  }

  /** One line for what an operator can act on; a stack trace only for what is a bug. */
  private static int failure(Exception error, PrintStream err) {
    if (error instanceof IllegalArgumentException) {
      err.println("stockroom: " + error.getMessage());
      return EXIT_USAGE;
    }
    if (Ledger.isCorruption(error)) {
      err.println("stockroom: the journal is corrupt: " + corruption(error)
          + "; run 'stockroom verify' for a full report. Nothing was changed.");
      return EXIT_FAILED;
    }
    if (error instanceof IOException || error instanceof IllegalStateException) {
      err.println("stockroom: " + error.getMessage());
      return EXIT_FAILED;
    }
    err.println("stockroom: unexpected failure:");
    error.printStackTrace(err);
    return EXIT_FAILED;
  }

  private static String corruption(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof JournalCorruptException corrupt) {
        return corrupt.corruption().toString();
      }
    }
    return error.getMessage();
  }

  @Command(name = "stockroom", mixinStandardHelpOptions = true,
      versionProvider = Version.class,
      description = "Real-time inventory that never oversells.",
      footer = {"", "Settings: docs/CONFIGURATION.md. Exit codes: 0 ok, 1 failed or problem found,"
          + " 2 invalid command line or configuration."})
  static final class Root implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      spec.commandLine().getErr().println("stockroom: a command is required: serve, verify or"
          + " snapshot (see 'stockroom --help')");
      return EXIT_USAGE;
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"stockroom " + (version == null ? "(development build)" : version)
          + ", Java " + Runtime.version()};
    }
  }

  /** The options every command takes: where the data is, and how it is configured. */
  abstract static class ConfiguredCommand implements Callable<Integer> {

    final Map<String, String> environment;
    final PrintStream out;

    @Option(names = "--data", paramLabel = "DIR",
        description = "Data directory; the journal is DIR/journal (default ./data).")
    String data;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Java properties file of settings (default: $STOCKROOM_CONFIG, if set).")
    Path configFile;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
        description = "Any setting by its key, e.g. --set queueCapacity=1000. Repeatable.")
    List<String> settings = new ArrayList<>();

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    ConfiguredCommand(Map<String, String> environment, PrintStream out) {
      this.environment = environment;
      this.out = out;
    }

    /** Defaults, then the file, then the environment, then --set, then the named flags. */
    ServerConfig config() {
      List<ConfigLoader.Flag> flags = new ArrayList<>();
      for (String setting : settings) {
        int equals = setting.indexOf('=');
        if (equals <= 0) {
          throw new IllegalArgumentException("invalid configuration: --set takes KEY=VALUE, was '"
              + setting + "'");
        }
        flags.add(new ConfigLoader.Flag(setting.substring(0, equals),
            setting.substring(equals + 1), "--set"));
      }
      if (data != null) {
        flags.add(new ConfigLoader.Flag("dataDirectory", data, "--data"));
      }
      addFlags(flags);
      return ConfigLoader.load(configFile, environment, flags);
    }

    void addFlags(List<ConfigLoader.Flag> flags) {}

    static Path journalDirectory(ServerConfig config) {
      return config.dataDirectory().resolve(JOURNAL_DIRECTORY).toAbsolutePath().normalize();
    }
  }

  @Command(name = "serve", description = "Run the service until SIGTERM or Ctrl-C.")
  static final class Serve extends ConfiguredCommand {

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Option(names = "--port", paramLabel = "N", description = "HTTP port; 0 picks a free one"
        + " (default 8080).")
    String port;

    @Option(names = "--host", paramLabel = "H", description = "Address to bind"
        + " (default 127.0.0.1).")
    String host;

    Serve(Map<String, String> environment, PrintStream out) {
      super(environment, out);
    }

    @Override
    void addFlags(List<ConfigLoader.Flag> flags) {
      if (port != null) {
        flags.add(new ConfigLoader.Flag("port", port, "--port"));
      }
      if (host != null) {
        flags.add(new ConfigLoader.Flag("host", host, "--host"));
      }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
      ServerConfig config = config();
      HelidonLogging.routeJavaUtilLogging();
      return serve(config);
    }

    private static int serve(ServerConfig config) throws IOException, InterruptedException {
      Stockroom stockroom = Stockroom.start(config);
      if (stockroom.port() < 0) {
        // Helidon logs a failed bind and returns instead of throwing; refuse to run deaf.
        stockroom.close();
        throw new IOException("could not listen on "
            + url(config.tlsEnabled(), config.host(), config.port())
            + " (is the port in use? the log above says why)");
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        log.info("stopping: draining the writer and closing the journal");
        int code = EXIT_OK;
        try {
          stockroom.close();
        } catch (Exception e) {
          log.error("shutdown failed; the journal recovers at the next start", e);
          code = EXIT_FAILED;
        } finally {
          stopped.countDown();
        }
        // The JVM would exit with 128 + the signal's number (143 for SIGTERM) however clean the
        // stop was; halting says how it went. This is the only hook (Stockroom turns Helidon's
        // off), so halting cuts nothing short.
        Runtime.getRuntime().halt(code);
      }, "stockroom-shutdown"));
      log.info("Stockroom serving {} (data {}); {}",
          url(config.tlsEnabled(), config.host(), stockroom.port()),
          config.dataDirectory().toAbsolutePath().normalize(), summary(stockroom.recovered()));
      for (String skipped : stockroom.recovered().journal().snapshotsSkipped()) {
        log.warn("recovery skipped a snapshot: {}", skipped);
      }
      stopped.await();
      return EXIT_OK;
    }


    static String url(boolean tls, String host, int port) {
      String bracketed = host.contains(":") ? "[" + host + "]" : host;
      return (tls ? "https://" : "http://") + bracketed + ":" + port;
    }

    static String summary(Ledger.Recovered recovered) {
      RecoveryReport journal = recovered.journal();
      return "recovered to sequence " + journal.lastSequence()
          + (recovered.snapshotSequence() > 0
              ? " from the snapshot at " + recovered.snapshotSequence() : " from the start")
          + ", replayed " + recovered.eventsReplayed() + " events"
          + (journal.bytesTruncated() > 0 ? ", truncated a torn tail of "
              + journal.bytesTruncated() + " bytes (" + journal.recordsDropped()
              + " records of an unfinished batch)" : "")
          + " in " + recovered.duration().toMillis() + " ms";
    }
  }

  /**
   * Helidon's logging provider (registered in META-INF/services): it tells Helidon that logging
   * is SLF4J, which also stops it printing "no Helidon logging implementation" at every start.
   */
  public static final class HelidonLogging implements LoggingProvider {

    public HelidonLogging() {}

    /** Sends java.util.logging (Helidon's) to SLF4J, once; logback.xml sets the levels. */
    static synchronized void routeJavaUtilLogging() {
      if (!SLF4JBridgeHandler.isInstalled()) {
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
      }
    }

    @Override
    public void initialization() {
      routeJavaUtilLogging();
    }

    @Override
    public void runTime() {}
  }

  @Command(name = "verify",
      description = {"Check the whole journal read-only: every record's checksum, sequence and"
          + " chain link, and every snapshot. Exit 0 when clean, 1 when a problem is found.",
          "Meant for a stopped service: while one runs, a batch being written can look like a"
          + " torn tail."})
  static final class Verify extends ConfiguredCommand {

    Verify(Map<String, String> environment, PrintStream out) {
      super(environment, out);
    }

    @Override
    public Integer call() throws IOException {
      ServerConfig config = config();
      Path directory = journalDirectory(config);
      if (!Files.isDirectory(directory)) {
        // FileStorage.open would create it; verify changes nothing.
        throw new IllegalArgumentException("no journal at " + directory
            + " (is --data right?)");
      }
      VerifyReport report = Journal.verify(FileStorage.open(directory), config.journal());
      out.println("journal " + directory + ": " + report.segments() + " segments, "
          + report.records() + " records"
          + (report.records() > 0
              ? " (sequences " + report.firstSequence() + ".." + report.lastSequence() + ")" : "")
          + ", " + report.snapshots() + " snapshots");
      if (report.ok()) {
        out.println("ok: no problems found");
        return EXIT_OK;
      }
      Corruption problem = report.problem().orElseThrow();
      out.println("PROBLEM: " + problem);
      return EXIT_FAILED;
    }
  }

  @Command(name = "snapshot",
      description = "Write a snapshot of the state now, offline: the service must be stopped."
          + " Shortens the next start's replay.")
  static final class SnapshotCommand extends ConfiguredCommand {

    SnapshotCommand(Map<String, String> environment, PrintStream out) {
      super(environment, out);
    }

    @Override
    public Integer call() throws IOException {
      ServerConfig config = config();
      try (DataDirectoryLock lock = DataDirectoryLock.acquire(config.dataDirectory());
          Ledger ledger = Ledger.open(FileStorage.open(journalDirectory(config)),
              config.journal(), config.limits())) {
        long sequence = ledger.journal().lastSequence();
        if (sequence == 0) {
          out.println("the journal at " + journalDirectory(config) + " is empty; no snapshot"
              + " written");
          return EXIT_OK;
        }
        long bytes = ledger.snapshot();
        if (bytes < 0) {
          out.println("no snapshot written: the state is " + -bytes + " bytes, more than"
              + " journal.snapshotBytesMax (" + config.journal().snapshotBytesMax() + ")");
          return EXIT_FAILED;
        }
        out.println("snapshot written at sequence " + sequence + " in "
            + journalDirectory(config));
        return EXIT_OK;
      }
    }
  }
}
