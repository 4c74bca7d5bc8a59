package io.stockroom.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a data directory ({@code <data>/LOCK}), so that two processes never
 * write one journal: the journal assumes a single writer, and two would interleave records.
 *
 * <p>The operating system releases the lock when the process dies, however it dies, so a stale
 * {@code LOCK} file never blocks a restart. The file is never deleted: deleting it would let a
 * third process lock a new file while the second still holds the old one.
 */
public final class DataDirectoryLock implements AutoCloseable {

  static final String FILE_NAME = "LOCK";

  private final Path directory;
  private final FileChannel channel;
  private final FileLock lock;

  private DataDirectoryLock(Path directory, FileChannel channel, FileLock lock) {
    this.directory = directory;
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Creates {@code directory} if it is missing and locks it.
   *
   * @throws IOException the directory is locked by another process (or another holder in this
   *     one), or it cannot be created or locked; the message names the directory
   */
  public static DataDirectoryLock acquire(Path directory) throws IOException {
    Path absolute = directory.toAbsolutePath().normalize();
    Files.createDirectories(absolute);
    Path file = absolute.resolve(FILE_NAME);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      FileLock lock = tryLock(channel);
      if (lock == null) {
        throw new IOException("data directory " + absolute + " is in use by another Stockroom"
            + " process" + holder(channel) + "; stop it first, or choose another --data");
      }
      // For whoever finds the directory locked: which process holds it.
      byte[] pid = ("pid " + ProcessHandle.current().pid() + "\n")
          .getBytes(StandardCharsets.US_ASCII);
      channel.truncate(0);
      channel.write(ByteBuffer.wrap(pid), 0);
      return new DataDirectoryLock(absolute, channel, lock);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** Null when held elsewhere; a second holder inside this JVM counts as elsewhere. */
  private static FileLock tryLock(FileChannel channel) throws IOException {
    try {
      return channel.tryLock();
    } catch (OverlappingFileLockException e) {
      return null;
    }
  }

  /** " (pid 123)" from the file the holder wrote, or nothing if it cannot be read. */
  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(64);
      channel.read(buffer, 0);
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII)
          .strip();
      return text.matches("pid [0-9]+") ? " (" + text + ")" : "";
    } catch (IOException e) {
      return "";
    }
  }

  /** The locked directory, absolute. */
  public Path directory() {
    return directory;
  }

  @Override
  public void close() throws IOException {
    try {
      lock.release();
    } finally {
      channel.close();
    }
  }
}
