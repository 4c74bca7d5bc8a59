package io.stockroom.server.testing;

import io.stockroom.journal.InterceptingStorage;
import io.stockroom.journal.Storage;
import java.io.IOException;

/**
 * The real storage (files on disk) with the two failures a disk really has: from {@link
 * #failSyncs} on, every file sync throws as fsync does on an I/O error (EIO), without syncing;
 * from {@link #fillUp} on, every write throws "No space left on device" (ENOSPC) before writing.
 * {@link #heal} makes the disk well again, which must not make the service write again.
 */
public final class FailingStorage extends InterceptingStorage {

  private volatile boolean syncsFail;
  private volatile boolean full;

  public FailingStorage(Storage inner) {
    super(inner);
  }

  public void failSyncs() {
    syncsFail = true;
  }

  public void fillUp() {
    full = true;
  }

  public void heal() {
    syncsFail = false;
    full = false;
  }

  @Override
  protected void beforeWrite() throws IOException {
    if (full) {
      throw new IOException("No space left on device");
    }
  }

  @Override
  protected void beforeSync() throws IOException {
    if (syncsFail) {
      throw new IOException("Input/output error (fsync)");
    }
  }
}
