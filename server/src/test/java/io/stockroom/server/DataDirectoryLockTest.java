package io.stockroom.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryLockTest {

  @TempDir
  Path root;

  @Test
  void createsAMissingDataDirectory() throws IOException {
    Path data = root.resolve("a/b/data");

    try (DataDirectoryLock lock = DataDirectoryLock.acquire(data)) {
      assertThat(data.resolve(DataDirectoryLock.FILE_NAME)).isRegularFile();
      assertThat(lock.directory()).isEqualTo(data.toAbsolutePath().normalize());
    }
  }

  @Test
  void secondHolderIsRefusedWithTheDirectoryAndTheHolder() throws IOException {
    Path data = root.resolve("data");

    try (DataDirectoryLock first = DataDirectoryLock.acquire(data)) {
      assertThatThrownBy(() -> DataDirectoryLock.acquire(data))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("data directory " + data.toAbsolutePath().normalize()
              + " is in use by another Stockroom process")
          .hasMessageContaining("(pid " + ProcessHandle.current().pid() + ")");
    }
  }

  @Test
  void closedLockCanBeTakenAgain() throws IOException {
    Path data = root.resolve("data");
    DataDirectoryLock.acquire(data).close();

    try (DataDirectoryLock again = DataDirectoryLock.acquire(data)) {
      assertThat(Files.readString(data.resolve(DataDirectoryLock.FILE_NAME)))
          .isEqualTo("pid " + ProcessHandle.current().pid() + "\n");
    }
  }

  @Test
  void lockHeldByAnotherProcessIsRefused() throws Exception {
    Path data = root.resolve("data");
    Files.createDirectories(data);
    // flock(1) is not what FileChannel uses (fcntl), so hold the lock from a second JVM instead.
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process holder = new ProcessBuilder(java.toString(), "-cp",
        System.getProperty("java.class.path"), LockHolder.class.getName(), data.toString())
        .redirectErrorStream(true).start();
    try {
      // The holder prints "locked" once it holds the lock, then waits for stdin to close.
      BufferedReader output = new BufferedReader(
          new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line = output.readLine();
      while (line != null && !line.equals("locked")) {
        line = output.readLine(); // e.g. "Picked up JAVA_TOOL_OPTIONS"
      }
      assertThat(line).isEqualTo("locked");

      assertThatThrownBy(() -> DataDirectoryLock.acquire(data))
          .hasMessageContaining("is in use by another Stockroom process (pid " + holder.pid()
              + ")");
    } finally {
      holder.getOutputStream().close();
      holder.waitFor();
    }
    DataDirectoryLock.acquire(data).close();
  }

  /** Run in a child JVM by {@link #lockHeldByAnotherProcessIsRefused}. */
  static final class LockHolder {
    public static void main(String[] args) throws IOException {
      try (DataDirectoryLock lock = DataDirectoryLock.acquire(Path.of(args[0]))) {
        System.out.println("locked");
        System.out.flush();
        System.in.read();
      }
    }
  }
}
