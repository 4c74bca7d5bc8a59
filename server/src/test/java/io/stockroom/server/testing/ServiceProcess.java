package io.stockroom.server.testing;

import static org.awaitility.Awaitility.await;

import io.stockroom.server.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Stockroom service as its own OS process: {@code java -cp <this test's classpath>
 * io.stockroom.server.Main serve} on a data directory and a free port, which a test can kill
 * with SIGKILL, stop with SIGTERM and start again. Each start logs to its own file beside the
 * data directory, read to learn the port and what recovery did.
 */
public final class ServiceProcess implements AutoCloseable {

  /** Main's line once the port is open: "Stockroom serving http://h:p (data d); recovered ...". */
  private static final Pattern SERVING =
      Pattern.compile("Stockroom serving http://127\\.0\\.0\\.1:(\\d+) \\(data .*\\); (.*)$");
  private static final Pattern REPLAYED = Pattern.compile("replayed (\\d+) events");
  private static final Pattern TRUNCATED = Pattern.compile("truncated a torn tail of (\\d+) bytes");
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Path data;
  private final Path logs;
  private final List<String> jvmOptions;
  private final List<String> settings;
  private Process process;
  private Path log;
  private int port = -1;
  private String recovery;
  private int starts;

  /**
   * @param jvmOptions e.g. {@code -Xmx96m}; {@code -XX:+ExitOnOutOfMemoryError} is always added,
   *     as {@code ./stockroom} does
   * @param settings {@code key=value} pairs, each passed as {@code --set key=value}
   */
  public ServiceProcess(Path data, List<String> jvmOptions, List<String> settings) {
    this.data = data;
    this.logs = data.resolveSibling(data.getFileName() + "-logs");
    this.jvmOptions = List.copyOf(jvmOptions);
    this.settings = List.copyOf(settings);
  }

  /** Starts the process and returns once it listens (which, for Stockroom, means recovered). */
  public void start() throws IOException, InterruptedException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("already running: pid " + process.pid());
    }
    Files.createDirectories(logs);
    starts++;
    log = logs.resolve("start-" + starts + ".log");
    List<String> command = new ArrayList<>();
    command.add(javaCommand());
    command.add("-XX:+ExitOnOutOfMemoryError");
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "serve", "--data", data.toString(), "--port", "0"));
    for (String setting : settings) {
      command.addAll(List.of("--set", setting));
    }
    process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    port = -1;
    await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(20))
        .until(() -> serving() || !process.isAlive());
    if (port < 0) {
      throw new IllegalStateException("the service exited with " + process.waitFor()
          + " before listening; its log:\n" + log());
    }
  }

  private boolean serving() throws IOException {
    // Bytes, not readAllLines: the process may be mid-way through writing a character.
    for (String line : new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines()
        .toList()) {
      Matcher serving = SERVING.matcher(line);
      if (serving.find()) {
        port = Integer.parseInt(serving.group(1));
        recovery = serving.group(2);
        return true;
      }
    }
    return false;
  }

  /** The java of this test's JVM, so the child runs on the same JDK. */
  private static String javaCommand() {
    return ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  /** SIGKILL: no shutdown hook, no flush, no goodbye. Returns once the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** SIGTERM, then waits for the exit; returns the exit code. */
  public int stop(Duration timeout) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("no exit within " + timeout + " of SIGTERM; log:\n" + log());
    }
    return process.exitValue();
  }

  public boolean alive() {
    return process != null && process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + port + pathAndQuery);
  }

  public Path data() {
    return data;
  }

  /** What the last start's recovery did, as Main logged it. */
  public String recovery() {
    return recovery;
  }

  /** Events the last start replayed after its snapshot. */
  public long eventsReplayed() {
    Matcher replayed = REPLAYED.matcher(recovery);
    if (!replayed.find()) {
      throw new IllegalStateException("no replay count in: " + recovery);
    }
    return Long.parseLong(replayed.group(1));
  }

  /** Bytes of torn tail the last start truncated (0 when it found none). */
  public long bytesTruncated() {
    Matcher truncated = TRUNCATED.matcher(recovery);
    return truncated.find() ? Long.parseLong(truncated.group(1)) : 0;
  }

  /** The log of the current (or last) start. */
  public String log() {
    try {
      return log == null ? "" : Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Kills the process if a test left it running. */
  @Override
  public void close() {
    if (alive()) {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
