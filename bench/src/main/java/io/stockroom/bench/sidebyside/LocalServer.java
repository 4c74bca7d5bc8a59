package io.stockroom.bench.sidebyside;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A database server process this benchmark started and must stop: the machine's own binary on a
 * free loopback port, data in a temporary directory, output in a log file there. Stopped (and
 * its directory deleted) by {@link #close}, or by a shutdown hook if the run is cut short.
 */
final class LocalServer implements AutoCloseable {

  private static final Duration STOP_WAIT = Duration.ofSeconds(30);

  private final String name;
  private final Process process;
  private final Path directory;
  private final Path log;
  private final Thread hook;

  private LocalServer(String name, Process process, Path directory, Path log) {
    this.name = name;
    this.process = process;
    this.directory = directory;
    this.log = log;
    this.hook = new Thread(process::destroyForcibly, name + "-stop");
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Starts {@code command} with its output going to {@code directory/server.log}. */
  static LocalServer start(String name, List<String> command, Path directory) throws IOException {
    Path log = directory.resolve("server.log");
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    return new LocalServer(name, process, directory, log);
  }

  /** A TCP port nobody listens on right now, on 127.0.0.1. */
  static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The first of {@code candidates} that is an executable file, or null. */
  static Path executable(List<String> candidates) {
    for (String candidate : candidates) {
      Path path = Path.of(candidate);
      if (Files.isExecutable(path)) {
        return path;
      }
    }
    return null;
  }

  /**
   * CPU time (user + system) of the server process and its descendants so far, from {@code
   * /proc}; -1 where there is no {@code /proc}. Resolution: the kernel's clock tick (10 ms).
   */
  private long cpuAtWindowOpen = -1;
  private long cpuAtWindowClose = -1;

  void windowOpened() {
    cpuAtWindowOpen = cpuNanos();
  }

  void windowClosed() {
    cpuAtWindowClose = cpuNanos();
  }

  /** CPU time between {@link #windowOpened} and {@link #windowClosed}, or -1 before both. */
  long windowCpuNanos() {
    return cpuAtWindowOpen < 0 || cpuAtWindowClose < 0 ? -1
        : cpuAtWindowClose - cpuAtWindowOpen;
  }

  long cpuNanos() {
    long ticks = ticks(process.pid());
    if (ticks < 0) {
      return -1;
    }
    for (ProcessHandle child : process.descendants().toList()) {
      ticks += Math.max(0, ticks(child.pid()));
    }
    return ticks * NANOS_PER_TICK;
  }

  /** USER_HZ is 100 on every Linux this runs on (sysconf(_SC_CLK_TCK), not readable from Java). */
  private static final long NANOS_PER_TICK = 10_000_000;

  private static long ticks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // Fields after the command name, which is in parentheses and may contain spaces.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime
    } catch (IOException | RuntimeException gone) {
      return -1; // a process that just exited, or no /proc
    }
  }

  boolean alive() {
    return process.isAlive();
  }

  /** The end of the server's log, for error messages. */
  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  IllegalStateException failure(String what) {
    return new IllegalStateException(name + " " + what + "; its log ends:\n" + logTail());
  }

  /** Sends the server process a signal by name ({@code kill -<name>}), e.g. a faster stop. */
  void signal(String name) throws IOException, InterruptedException {
    if (process.isAlive()) {
      new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start()
          .waitFor();
    }
  }

  /** Asks the server to stop (SIGTERM), waits, kills it if it will not, deletes its files. */
  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(STOP_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly().waitFor();
    }
    Runtime.getRuntime().removeShutdownHook(hook);
    StockroomInProcess.deleteRecursively(directory);
  }

  static List<String> command(String... parts) {
    return new ArrayList<>(List.of(parts));
  }
}
