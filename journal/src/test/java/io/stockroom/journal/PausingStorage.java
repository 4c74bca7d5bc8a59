package io.stockroom.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Storage} over another that can hold the calling thread just before a chosen file write
 * or sync, so a test can look at the journal from another thread in the middle of an append.
 * Latches only: no sleeps, no timing assumptions.
 */
final class PausingStorage implements Storage {

  enum Call {
    WRITE,
    SYNC
  }

  private static final long WAIT_SECONDS = 30;

  private final Storage inner;
  private Call pauseCall;
  private int callsUntilPause;
  private CountDownLatch paused = new CountDownLatch(1);
  private CountDownLatch resumed = new CountDownLatch(1);

  PausingStorage(Storage inner) {
    this.inner = inner;
  }

  /**
   * The {@code occurrence}-th {@code call} from now (1 = the next one) waits for {@link #resume()}.
   */
  synchronized void pauseBefore(Call call, int occurrence) {
    pauseCall = call;
    callsUntilPause = occurrence;
    paused = new CountDownLatch(1);
    resumed = new CountDownLatch(1);
  }

  /** Waits until the writer is held at the armed call. */
  void awaitPaused() throws InterruptedException {
    CountDownLatch latch;
    synchronized (this) {
      latch = paused;
    }
    if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
      throw new AssertionError("the writer never reached the armed call");
    }
  }

  synchronized void resume() {
    resumed.countDown();
  }

  private void before(Call call) throws IOException {
    CountDownLatch reached;
    CountDownLatch release;
    synchronized (this) {
      if (call != pauseCall || callsUntilPause == 0 || --callsUntilPause > 0) {
        return;
      }
      pauseCall = null;
      reached = paused;
      release = resumed;
    }
    reached.countDown();
    try {
      if (!release.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IOException("test never resumed the paused " + call);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while paused before " + call, e);
    }
  }

  @Override
  public List<String> list() throws IOException {
    return inner.list();
  }

  @Override
  public StorageFile create(String name) throws IOException {
    return new PausingFile(inner.create(name));
  }

  @Override
  public StorageFile open(String name) throws IOException {
    return new PausingFile(inner.open(name));
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

  private final class PausingFile implements StorageFile {
    private final StorageFile file;

    PausingFile(StorageFile file) {
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
      before(Call.WRITE);
      file.write(source, position);
    }

    @Override
    public void sync() throws IOException {
      before(Call.SYNC);
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
