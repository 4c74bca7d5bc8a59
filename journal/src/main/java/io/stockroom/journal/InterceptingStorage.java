package io.stockroom.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A {@link Storage} that forwards every call to another and lets a subclass step in just before
 * each file write and sync, to hold the writer there (tests of what readers and clients see
 * mid-append) or to fail. Everything else passes through untouched.
 */
public abstract class InterceptingStorage implements Storage {

  private final Storage inner;

  protected InterceptingStorage(Storage inner) {
    this.inner = inner;
  }

  /** Runs before each file write; may block or throw. */
  protected void beforeWrite() throws IOException {}

  /** Runs before each file sync; may block or throw. */
  protected void beforeSync() throws IOException {}

  @Override
  public List<String> list() throws IOException {
    return inner.list();
  }

  @Override
  public StorageFile create(String name) throws IOException {
    return new InterceptedFile(inner.create(name));
  }

  @Override
  public StorageFile open(String name) throws IOException {
    return new InterceptedFile(inner.open(name));
  }

  @Override
  public void rename(String source, String target) throws IOException {
    inner.rename(source, target);
  }

  @Override
  public void delete(String name) throws IOException {
    inner.delete(name);
  }

  @Override
  public void syncDirectory() throws IOException {
    inner.syncDirectory();
  }

  private final class InterceptedFile implements StorageFile {
    private final StorageFile file;

    InterceptedFile(StorageFile file) {
      this.file = file;
    }

    @Override
    public long size() throws IOException {
      return file.size();
    }

    @Override
    public int read(ByteBuffer target, long position) throws IOException {
      return file.read(target, position);
    }

    @Override
    public void write(ByteBuffer source, long position) throws IOException {
      beforeWrite();
      file.write(source, position);
    }

    @Override
    public void sync() throws IOException {
      beforeSync();
      file.sync();
    }

    @Override
    public void truncate(long size) throws IOException {
      file.truncate(size);
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
