package io.stockroom.journal;

import java.io.IOException;
import java.util.List;

/**
 * The file system operations the journal needs, and nothing more, over one flat directory.
 *
 * <p>Why a seam: every durability claim the journal makes depends on what these calls promise, so
 * they are few and spelled out. {@link FileStorage} is the real thing; {@link FaultyStorage} is a
 * deterministic simulation that loses unsynced data, tears writes, fails fsync and flips bits.
 *
 * <p>Durability contract the journal relies on:
 *
 * <ul>
 *   <li>bytes written to a file are durable only after {@link StorageFile#sync()} on that file;
 *   <li>a created, renamed or deleted name is durable only after {@link #syncDirectory()};
 *   <li>{@link #rename} replaces the target atomically: after a crash either name state is seen,
 *       never a mix.
 * </ul>
 *
 * Implementations must be safe for concurrent use by one writer thread and several reader threads.
 */
public interface Storage {

  /** Names of the regular files in the directory, in no particular order. */
  List<String> list() throws IOException;

  /**
   * Creates a new empty file; fails if the name exists. Not durable until {@link #syncDirectory()}.
   */
  StorageFile create(String name) throws IOException;

  /** Opens an existing file for reading and writing; fails if it does not exist. */
  StorageFile open(String name) throws IOException;

  /** Atomically renames {@code source} to {@code target}, replacing {@code target} if present. */
  void rename(String source, String target) throws IOException;

  /** Deletes a file; fails if it does not exist. */
  void delete(String name) throws IOException;

  /** Makes every earlier create, rename and delete in the directory durable. */
  void syncDirectory() throws IOException;
}
