package io.stockroom.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** {@link Storage} on a real directory through {@link FileChannel}. */
public final class FileStorage implements Storage {

  /** A single write call moves at most this much; bounds the retry loop on short writes. */
  private static final int WRITE_ATTEMPTS_MAX = 1 << 20;

  private final Path directory;

  private FileStorage(Path directory) {
    this.directory = directory;
  }

  /** Opens (creating if needed) the journal directory. */
  public static FileStorage open(Path directory) throws IOException {
    Files.createDirectories(directory);
    return new FileStorage(directory.toAbsolutePath());
  }

  public Path directory() {
    return directory;
  }

  @Override
  public List<String> list() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> entries = Files.list(directory)) {
      entries
          .filter(Files::isRegularFile)
          .forEach(path -> names.add(path.getFileName().toString()));
    }
    return names;
  }

  @Override
  public StorageFile create(String name) throws IOException {
    return new Channel(
        FileChannel.open(
            resolve(name),
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.READ,
            StandardOpenOption.WRITE));
  }

  @Override
  public StorageFile open(String name) throws IOException {
    return new Channel(
        FileChannel.open(resolve(name), StandardOpenOption.READ, StandardOpenOption.WRITE));
  }

  @Override
  public void rename(String source, String target) throws IOException {
    // ATOMIC_MOVE is rename(2) on Linux, which replaces the target atomically.
    Files.move(resolve(source), resolve(target), StandardCopyOption.ATOMIC_MOVE);
  }

  @Override
  public void delete(String name) throws IOException {
    Files.delete(resolve(name));
  }

  @Override
  public void syncDirectory() throws IOException {
    // Linux lets a directory be opened read-only and fsynced; that makes entries durable.
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private Path resolve(String name) {
    Path path = directory.resolve(name);
    if (!path.getParent().equals(directory) || name.isEmpty()) {
      throw new IllegalArgumentException(
          "file name must be a plain name inside the journal directory: " + name);
    }
    return path;
  }

  private static final class Channel implements StorageFile {
    private final FileChannel channel;

    Channel(FileChannel channel) {
      this.channel = channel;
    }

    @Override
    public long size() throws IOException {
      return channel.size();
    }

    @Override
    public int read(ByteBuffer target, long position) throws IOException {
      return channel.read(target, position);
    }

    @Override
    public void write(ByteBuffer source, long position) throws IOException {
      long at = position;
      for (int attempt = 0; source.hasRemaining(); attempt++) {
        if (attempt == WRITE_ATTEMPTS_MAX) {
          throw new IOException("write made no progress after " + WRITE_ATTEMPTS_MAX + " attempts");
        }
        at += channel.write(source, at);
      }
    }

    @Override
    public void sync() throws IOException {
      channel.force(false);
    }

    @Override
    public void truncate(long size) throws IOException {
      channel.truncate(size);
    }

    @Override
    public void close() throws IOException {
      channel.close();
    }
  }
}
