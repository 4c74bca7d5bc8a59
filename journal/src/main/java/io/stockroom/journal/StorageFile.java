package io.stockroom.journal;

import java.io.IOException;
import java.nio.ByteBuffer;

/** An open file of a {@link Storage}: positional reads and writes, size, truncate and sync. */
public interface StorageFile extends AutoCloseable {

  /** Current size in bytes, including bytes not yet synced. */
  long size() throws IOException;

  /**
   * Reads up to {@code target.remaining()} bytes at {@code position} into {@code target}.
   *
   * @return the number of bytes read, or -1 if {@code position} is at or past the end of the file
   */
  int read(ByteBuffer target, long position) throws IOException;

  /**
   * Writes all of {@code source}'s remaining bytes at {@code position}, growing the file if needed.
   */
  void write(ByteBuffer source, long position) throws IOException;

  /**
   * Makes the file's data, and the metadata needed to read it back (its size), durable.
   *
   * <p>This is fdatasync, not fsync: the journal never needs timestamps to be durable, and the size
   * change made by an append or a truncate is included by fdatasync's contract.
   */
  void sync() throws IOException;

  /** Cuts the file to {@code size} bytes. Not durable until {@link #sync()}. */
  void truncate(long size) throws IOException;

  @Override
  void close() throws IOException;
}
