package io.stockroom.journal;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A SIMULATED {@link Storage}: in memory, deterministic from a seed, and hostile. Never use it for
 * real data. It lives in main so the server's and connectors' tests can drive the journal through
 * the same faults.
 *
 * <p>It models what a disk after a power cut may show, not just what a well-behaved one does:
 *
 * <ul>
 *   <li>each file has current bytes and durable bytes; {@link StorageFile#sync()} makes the current
 *       bytes durable; {@link #crash()} throws away what was not synced, or keeps a random prefix
 *       of it (a write torn at any byte), or keeps the size but zeros the lost bytes;
 *   <li>the directory has current and durable entries: a created, renamed or deleted name only
 *       survives a crash after {@link #syncDirectory()};
 *   <li>a failed sync behaves like Linux after an fsync error: the unsynced pages are marked clean
 *       and lost at the next crash, so a retried sync "succeeds" without making them durable;
 *   <li>{@link #crashAfterOperations(long)} stops the machine right after the n-th mutating call;
 *       every later call throws until {@link #crash()};
 *   <li>{@link #fillUp(long)} makes writes past a total size fail with "No space left on device";
 *   <li>{@link #flipBit} corrupts a byte in place, durable or not.
 * </ul>
 *
 * All methods are synchronized: readers on other threads see a consistent state.
 */
public final class FaultyStorage implements Storage {

  private static final int FILE_BYTES_MAX = Integer.MAX_VALUE - 64;

  private final Random random;
  private Map<String, Inode> names = new HashMap<>();
  private Map<String, Inode> durableNames = new HashMap<>();

  /** Handles opened before a crash must not touch the state after it. */
  private long generation;

  private long operations;
  private long crashAtOperation = Long.MAX_VALUE;
  private boolean halted;
  private int syncFailuresPending;
  private int directorySyncFailuresPending;
  private boolean syncsFailForever;
  private long capacityBytes = Long.MAX_VALUE;

  public FaultyStorage(long seed) {
    this.random = new Random(seed);
  }

  // ----- fault controls -----

  /** The next {@code count} syncs (file or directory) fail with an IOException. */
  public synchronized void failNextSyncs(int count) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0: " + count);
    }
    syncFailuresPending = count;
  }

  /** The next directory sync fails (file syncs are not affected). */
  public synchronized void failNextDirectorySync() {
    directorySyncFailuresPending = 1;
  }

  /** Every later sync fails. */
  public synchronized void failAllSyncs() {
    syncsFailForever = true;
  }

  /**
   * The {@code count}-th mutating call from now completes, then the machine stops (IOException).
   */
  public synchronized void crashAfterOperations(long count) {
    if (count < 1) {
      throw new IllegalArgumentException("count must be >= 1: " + count);
    }
    crashAtOperation = operations + count;
  }

  /**
   * Writes that would take the total size of all files past {@code bytes} fail (after writing what
   * fits).
   */
  public synchronized void fillUp(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes must be >= 0: " + bytes);
    }
    capacityBytes = bytes;
  }

  /** Flips one bit of a file's current and durable bytes. */
  public synchronized void flipBit(String name, long offset, int bit) throws IOException {
    Inode inode = existing(name);
    int at = Math.toIntExact(offset);
    if (at >= inode.size || bit < 0 || bit > 7) {
      throw new IllegalArgumentException("no bit " + bit + " at offset " + offset + " in " + name);
    }
    inode.current[at] ^= (byte) (1 << bit);
    if (at < inode.durableSize) {
      inode.durable[at] ^= (byte) (1 << bit);
    }
  }

  /**
   * Power loss: unsynced directory changes are lost, and each file's unsynced bytes are dropped,
   * kept as a random prefix (torn write), or kept in size with zeros (data lost, size persisted).
   * Clears all armed faults; handles opened before the crash become unusable.
   */
  public synchronized void crash() {
    names = new HashMap<>(durableNames);
    for (Inode inode : new ArrayList<>(names.values())) {
      inode.crash(random);
    }
    generation++;
    halted = false;
    crashAtOperation = Long.MAX_VALUE;
    syncFailuresPending = 0;
    directorySyncFailuresPending = 0;
    syncsFailForever = false;
    capacityBytes = Long.MAX_VALUE;
  }

  /**
   * Number of mutating calls so far (create, write, sync, truncate, rename, delete, directory
   * sync).
   */
  public synchronized long operations() {
    return operations;
  }

  /** A copy of a file's current bytes (what a reader sees now). */
  public synchronized byte[] contents(String name) throws IOException {
    Inode inode = existing(name);
    return Arrays.copyOf(inode.current, inode.size);
  }

  /** Installs a file with these bytes, durable and with a durable name (test set-up). */
  public synchronized void putFile(String name, byte[] bytes) {
    Inode inode = new Inode();
    inode.current = Arrays.copyOf(bytes, Math.max(16, bytes.length));
    inode.size = bytes.length;
    inode.durable = Arrays.copyOf(bytes, bytes.length);
    inode.durableSize = bytes.length;
    inode.dirtyFrom = bytes.length;
    names.put(name, inode);
    durableNames.put(name, inode);
  }

  // ----- Storage -----

  @Override
  public synchronized List<String> list() throws IOException {
    checkRunning();
    return new ArrayList<>(names.keySet());
  }

  @Override
  public synchronized StorageFile create(String name) throws IOException {
    checkRunning();
    if (names.containsKey(name)) {
      throw new FileAlreadyExistsException(name);
    }
    Inode inode = new Inode();
    names.put(name, inode);
    operationDone();
    return new Handle(inode, generation);
  }

  @Override
  public synchronized StorageFile open(String name) throws IOException {
    checkRunning();
    return new Handle(existing(name), generation);
  }

  @Override
  public synchronized void rename(String source, String target) throws IOException {
    checkRunning();
    Inode inode = existing(source);
    names.remove(source);
    names.put(target, inode);
    operationDone();
  }

  @Override
  public synchronized void delete(String name) throws IOException {
    checkRunning();
    existing(name);
    names.remove(name);
    operationDone();
  }

  @Override
  public synchronized void syncDirectory() throws IOException {
    checkRunning();
    if (directorySyncFailuresPending > 0) {
      directorySyncFailuresPending--;
      operations++;
      throw new IOException("simulated directory fsync failure (EIO)");
    }
    failSyncIfArmed();
    durableNames = new HashMap<>(names);
    operationDone();
  }

  // ----- internals -----

  private Inode existing(String name) throws IOException {
    Inode inode = names.get(name);
    if (inode == null) {
      throw new FileNotFoundException(name);
    }
    return inode;
  }

  private void checkRunning() throws IOException {
    if (halted) {
      throw new IOException(
          "simulated machine is down (crashed after operation " + crashAtOperation + ")");
    }
  }

  private void operationDone() throws IOException {
    operations++;
    if (operations == crashAtOperation) {
      halted = true;
      throw new IOException("simulated power loss right after operation " + operations);
    }
  }

  private void failSyncIfArmed() throws IOException {
    if (syncsFailForever || syncFailuresPending > 0) {
      if (syncFailuresPending > 0) {
        syncFailuresPending--;
      }
      operations++;
      throw new IOException("simulated fsync failure (EIO)");
    }
  }

  private long totalSize() {
    long total = 0;
    for (Inode inode : names.values()) {
      total += inode.size;
    }
    return total;
  }

  /** One file's bytes: what is visible now and what would survive a power loss. */
  private static final class Inode {
    byte[] current = new byte[64];
    int size;
    byte[] durable = new byte[0];
    int durableSize;

    /** Lowest offset changed since the last sync; equals size when everything is synced. */
    int dirtyFrom;

    /** Lowest offset whose pages a failed sync marked clean; they never become durable. */
    int lostAtCrashFrom = Integer.MAX_VALUE;

    void write(ByteBuffer source, int position) {
      int length = source.remaining();
      int end = position + length;
      if (end > current.length) {
        current =
            Arrays.copyOf(current, Math.max(end, Math.min(FILE_BYTES_MAX, current.length * 2)));
      }
      source.get(current, position, length);
      if (end > size) {
        size = end;
      }
      dirtyFrom = Math.min(dirtyFrom, position);
    }

    void truncate(int newSize) {
      if (newSize < size) {
        Arrays.fill(current, newSize, size, (byte) 0);
        size = newSize;
        dirtyFrom = Math.min(dirtyFrom, newSize);
      }
    }

    void sync() {
      if (durable.length < size) {
        durable =
            Arrays.copyOf(durable, Math.max(size, Math.min(FILE_BYTES_MAX, durable.length * 2)));
      }
      System.arraycopy(current, dirtyFrom, durable, dirtyFrom, size - dirtyFrom);
      durableSize = size;
      if (lostAtCrashFrom >= dirtyFrom) {
        // Pages a failed sync dropped were written again (after a truncate, by a restarted
        // writer) and this sync succeeded: they are on disk now.
        lostAtCrashFrom = Integer.MAX_VALUE;
      }
      dirtyFrom = size;
    }

    /**
     * After a failed fsync Linux marks the pages clean: they stay readable but never become
     * durable.
     */
    void forgetDirtyPages() {
      lostAtCrashFrom = Math.min(lostAtCrashFrom, dirtyFrom);
      dirtyFrom = size;
    }

    void crash(Random random) {
      boolean syncFailed = lostAtCrashFrom != Integer.MAX_VALUE;
      if (!syncFailed && dirtyFrom >= size && durableSize == size) {
        return;
      }
      // What survives if none of the pending changes reached the disk.
      int base = syncFailed ? Math.min(lostAtCrashFrom, durableSize) : durableSize;
      int keepFrom = Math.min(Math.min(dirtyFrom, lostAtCrashFrom), base);
      int pending = Math.max(0, size - keepFrom);
      int mode = random.nextInt(3);
      byte[] survived;
      if (mode == 0) {
        survived = Arrays.copyOf(durable, base);
      } else {
        int kept = random.nextInt(pending + 1);
        int survivedSize = mode == 2 ? Math.max(size, keepFrom + kept) : keepFrom + kept;
        survived = new byte[survivedSize];
        System.arraycopy(durable, 0, survived, 0, keepFrom);
        System.arraycopy(current, keepFrom, survived, keepFrom, kept);
      }
      current = Arrays.copyOf(survived, Math.max(64, survived.length));
      size = survived.length;
      durable = survived;
      durableSize = survived.length;
      dirtyFrom = size;
      lostAtCrashFrom = Integer.MAX_VALUE;
    }
  }

  private final class Handle implements StorageFile {
    private final Inode inode;
    private final long openedInGeneration;
    private boolean closed;

    Handle(Inode inode, long openedInGeneration) {
      this.inode = inode;
      this.openedInGeneration = openedInGeneration;
    }

    private void check() throws IOException {
      checkRunning();
      if (closed) {
        throw new IOException("file is closed");
      }
      if (openedInGeneration != generation) {
        throw new IOException("file was opened before a simulated crash");
      }
    }

    @Override
    public long size() throws IOException {
      synchronized (FaultyStorage.this) {
        check();
        return inode.size;
      }
    }

    @Override
    public int read(ByteBuffer target, long position) throws IOException {
      synchronized (FaultyStorage.this) {
        check();
        if (position >= inode.size) {
          return -1;
        }
        int count = (int) Math.min(target.remaining(), inode.size - position);
        target.put(inode.current, (int) position, count);
        return count;
      }
    }

    @Override
    public void write(ByteBuffer source, long position) throws IOException {
      synchronized (FaultyStorage.this) {
        check();
        if (position + source.remaining() > FILE_BYTES_MAX) {
          throw new IOException("simulated file too large");
        }
        long growth = Math.max(0, position + source.remaining() - inode.size);
        long room = capacityBytes - totalSize();
        if (growth > room) {
          int fits = (int) Math.max(0, Math.max(0, inode.size - position) + room);
          inode.write(
              source.slice(source.position(), Math.min(fits, source.remaining())), (int) position);
          operationDone();
          throw new IOException("No space left on device (simulated)");
        }
        inode.write(source, (int) position);
        operationDone();
      }
    }

    @Override
    public void sync() throws IOException {
      synchronized (FaultyStorage.this) {
        check();
        try {
          failSyncIfArmed();
        } catch (IOException failure) {
          inode.forgetDirtyPages();
          throw failure;
        }
        inode.sync();
        operationDone();
      }
    }

    @Override
    public void truncate(long size) throws IOException {
      synchronized (FaultyStorage.this) {
        check();
        inode.truncate(Math.toIntExact(size));
        operationDone();
      }
    }

    @Override
    public void close() {
      synchronized (FaultyStorage.this) {
        closed = true;
      }
    }
  }
}
