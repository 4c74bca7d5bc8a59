package io.stockroom.bench.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the durable ceiling's handler does before it answers: hand a 64-byte record to one
 * group-commit thread and wait until a {@code fdatasync} has covered it. The thread takes every
 * record queued (at most {@link #BATCH_MAX}, Stockroom's default batch bound), appends them in
 * one write, syncs, and releases their handlers; the next batch is what queued meanwhile. That
 * is the least a service that acknowledges only durable writes must do per request on top of the
 * trivial endpoint: no engine, no event format, no authentication. The ratio of Stockroom to
 * this ceiling says how much of the gap to the plain ceiling is durability itself.
 */
final class GroupCommitStall implements CeilingServer.Stall, AutoCloseable {

  static final int RECORD_BYTES = 64;
  static final int BATCH_MAX = 4_096;

  private final LinkedBlockingQueue<CompletableFuture<Void>> queue = new LinkedBlockingQueue<>();
  private final Path file;
  private final FileChannel channel;
  private final Thread thread;
  private final AtomicLong syncedRecords = new AtomicLong();
  private final AtomicLong syncs = new AtomicLong();
  private volatile boolean closed;

  private GroupCommitStall(Path file) throws IOException {
    this.file = file;
    this.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    this.thread = Thread.ofPlatform().daemon().name("durable-ceiling-sync").start(this::loop);
  }

  /** Starts one on a new temporary file (the journal's file system in an embedded run). */
  static GroupCommitStall open() {
    try {
      return new GroupCommitStall(Files.createTempFile("stockroom-durable-ceiling-", ".log"));
    } catch (IOException e) {
      throw new UncheckedIOException("could not create the durable ceiling's file", e);
    }
  }

  @Override
  public void await() {
    CompletableFuture<Void> synced = new CompletableFuture<>();
    queue.add(synced);
    if (closed) {
      synced.completeExceptionally(new IllegalStateException("the durable ceiling is closed"));
    }
    try {
      synced.join();
    } catch (CompletionException e) {
      throw new IllegalStateException("durable ceiling: " + e.getCause().getMessage(),
          e.getCause());
    }
  }

  /** Records that a {@code fdatasync} has covered so far. */
  long syncedRecords() {
    return syncedRecords.get();
  }

  /** {@code fdatasync} calls so far. */
  long syncs() {
    return syncs.get();
  }

  private void loop() {
    List<CompletableFuture<Void>> batch = new ArrayList<>(BATCH_MAX);
    ByteBuffer records = ByteBuffer.allocateDirect(RECORD_BYTES * BATCH_MAX);
    long sequence = 0;
    while (!closed) {
      try {
        batch.add(queue.take());
        queue.drainTo(batch, BATCH_MAX - 1);
        records.clear();
        for (int i = 0; i < batch.size(); i++) {
          records.putLong(++sequence);
          records.position(records.position() + RECORD_BYTES - Long.BYTES);
        }
        records.flip();
        while (records.hasRemaining()) {
          channel.write(records);
        }
        channel.force(false);
        syncs.incrementAndGet();
        syncedRecords.addAndGet(batch.size());
        batch.forEach(waiter -> waiter.complete(null));
      } catch (InterruptedException | ClosedChannelException e) {
        break; // closing
      } catch (IOException e) {
        batch.forEach(waiter -> waiter.completeExceptionally(e));
      }
      batch.clear();
    }
    IllegalStateException gone = new IllegalStateException("the durable ceiling is closed");
    batch.forEach(waiter -> waiter.completeExceptionally(gone));
    queue.forEach(waiter -> waiter.completeExceptionally(gone));
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join();
      channel.close();
      Files.deleteIfExists(file);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
