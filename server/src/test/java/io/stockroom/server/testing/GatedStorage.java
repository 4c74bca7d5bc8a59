package io.stockroom.server.testing;

import io.stockroom.journal.InterceptingStorage;
import io.stockroom.journal.Storage;
import java.io.IOException;
import java.util.concurrent.Semaphore;

/**
 * A storage whose file syncs wait for a permit while the gate is closed: lets a test hold the
 * writer inside an fsync, deterministically, to fill the queue behind it.
 */
public final class GatedStorage extends InterceptingStorage {
  private final Semaphore permits = new Semaphore(Integer.MAX_VALUE);
  private volatile boolean closed;
  /** Released once per sync that reached the closed gate. */
  public final Semaphore syncsWaiting = new Semaphore(0);

  public GatedStorage(Storage inner) {
    super(inner);
  }

  /** Syncs from now on wait at the gate. */
  public void close() throws InterruptedException {
    permits.acquire(Integer.MAX_VALUE);
    closed = true;
  }

  /** Lets every waiting and later sync through; does nothing if the gate is open. */
  public synchronized void open() {
    if (!closed) {
      return;
    }
    closed = false;
    permits.release(Integer.MAX_VALUE);
  }

  @Override
  protected void beforeSync() throws IOException {
    if (!closed) {
      return;
    }
    syncsWaiting.release();
    try {
      permits.acquire();
      permits.release();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted at the gate", e);
    }
  }
}
