package io.stockroom.server.testing;

import io.stockroom.journal.Storage;
import io.stockroom.journal.StorageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * A storage whose file syncs wait for a permit while the gate is closed: lets a test hold the
 * writer inside an fsync, deterministically, to fill the queue behind it.
 */
public final class GatedStorage implements Storage {
  private final Storage inner;
  private final Semaphore permits = new Semaphore(Integer.MAX_VALUE);
  private volatile boolean closed;
  /** Released once per sync that reached the closed gate. */
  public final Semaphore syncsWaiting = new Semaphore(0);

  public GatedStorage(Storage inner) {
    this.inner = inner;
  }

  /** Syncs from now on wait at the gate. */
  public void close() throws InterruptedException {
    permits.acquire(Integer.MAX_VALUE);
    closed = true;
  }

  /** Lets every waiting and later sync through. */
  public void open() {
    closed = false;
    permits.release(Integer.MAX_VALUE);
  }

  private void gate() throws IOException {
    syncsWaiting.release();
    try {
      permits.acquire();
      permits.release();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted at the gate", e);
    }
  }

  @Override
  public List<String> list() throws IOException {
    return inner.list();
  }

  @Override
  public StorageFile create(String name) throws IOException {
    return wrap(inner.create(name));
  }

  @Override
  public StorageFile open(String name) throws IOException {
    return wrap(inner.open(name));
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

  private StorageFile wrap(StorageFile file) {
    return new StorageFile() {
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
        file.write(source, position);
      }

      @Override
      public void sync() throws IOException {
        if (closed) {
          gate();
        }
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
    };
  }
}
