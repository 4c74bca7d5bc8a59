package io.stockroom.journal;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Storage} over another that can hold the calling thread just before a chosen file write
 * or sync, so a test can look at the journal from another thread in the middle of an append.
 * Latches only: no sleeps, no timing assumptions.
 */
final class PausingStorage extends InterceptingStorage {

  enum Call {
    WRITE,
    SYNC
  }

  private static final long WAIT_SECONDS = 30;

  private Call pauseCall;
  private int callsUntilPause;
  private CountDownLatch paused = new CountDownLatch(1);
  private CountDownLatch resumed = new CountDownLatch(1);

  PausingStorage(Storage inner) {
    super(inner);
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
  protected void beforeWrite() throws IOException {
    before(Call.WRITE);
  }

  @Override
  protected void beforeSync() throws IOException {
    before(Call.SYNC);
  }
}
