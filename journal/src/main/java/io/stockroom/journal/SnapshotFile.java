package io.stockroom.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * Reads and writes snapshot files (layout in {@link Format}).
 *
 * <p>Why tmp, fsync, rename, fsync the directory: a reader of the directory must see either no
 * snapshot or a complete, durable one, never a torn one under the final name.
 */
final class SnapshotFile {

  /**
   * A snapshot that passed its checks, with the hash-chain checksum of the record at its sequence.
   */
  record Contents(long sequence, int chainChecksum, byte[] state) {}

  private SnapshotFile() {}

  static void write(Storage storage, long sequence, int chainChecksum, byte[] state)
      throws IOException {
    String name = Format.snapshotName(sequence);
    String temporary = name + Format.TEMPORARY_SUFFIX;
    if (storage.list().contains(temporary)) {
      storage.delete(temporary);
    }
    ByteBuffer header = ByteBuffer.allocate(Format.SNAPSHOT_HEADER_BYTES);
    header
        .putInt(Format.SNAPSHOT_MAGIC)
        .putInt(Format.VERSION)
        .putLong(sequence)
        .putInt(chainChecksum)
        .putInt(state.length);
    CRC32C crc = new CRC32C();
    crc.update(header.array(), 0, 24);
    crc.update(state, 0, state.length);
    header.putInt((int) crc.getValue()).flip();
    try (StorageFile file = storage.create(temporary)) {
      file.write(header, 0);
      file.write(ByteBuffer.wrap(state), Format.SNAPSHOT_HEADER_BYTES);
      file.sync();
    }
    storage.rename(temporary, name);
    storage.syncDirectory();
  }

  /**
   * Reads and checks a snapshot file; an invalid one is reported as {@link
   * JournalCorruptException}.
   */
  static Contents read(Storage storage, String name, JournalConfig config) throws IOException {
    long named = Format.sequenceOf(name, Format.SNAPSHOT_SUFFIX);
    Invariants.check(named >= 0, "not a snapshot name: " + name);
    try (StorageFile file = storage.open(name)) {
      long size = file.size();
      if (size < Format.SNAPSHOT_HEADER_BYTES
          || size > Format.SNAPSHOT_HEADER_BYTES + (long) config.snapshotBytesMax()) {
        throw invalid(
            name,
            0,
            "file has "
                + size
                + " bytes; a snapshot has a "
                + Format.SNAPSHOT_HEADER_BYTES
                + "-byte header and at most "
                + config.snapshotBytesMax()
                + " bytes of state");
      }
      byte[] bytes = new byte[(int) size];
      ByteBuffer target = ByteBuffer.wrap(bytes);
      // Bounded: every pass reads at least one byte or leaves the loop.
      while (target.hasRemaining()) {
        if (file.read(target, target.position()) <= 0) {
          throw invalid(name, target.position(), "file ended early while reading");
        }
      }
      ByteBuffer view = ByteBuffer.wrap(bytes);
      CRC32C crc = new CRC32C();
      crc.update(bytes, 0, 24);
      crc.update(bytes, Format.SNAPSHOT_HEADER_BYTES, bytes.length - Format.SNAPSHOT_HEADER_BYTES);
      int stored = view.getInt(24);
      if (stored != (int) crc.getValue()) {
        throw invalid(
            name,
            24,
            "checksum mismatch: stored "
                + Format.hex(stored)
                + ", computed "
                + Format.hex((int) crc.getValue()));
      }
      if (view.getInt(0) != Format.SNAPSHOT_MAGIC || view.getInt(4) != Format.VERSION) {
        throw invalid(
            name, 0, "bad magic " + Format.hex(view.getInt(0)) + " or version " + view.getInt(4));
      }
      long sequence = view.getLong(8);
      int length = view.getInt(20);
      if (sequence != named || length != bytes.length - Format.SNAPSHOT_HEADER_BYTES) {
        throw invalid(
            name,
            8,
            "header says sequence "
                + sequence
                + " and "
                + length
                + " bytes of state; the name says "
                + named
                + " and the file holds "
                + (bytes.length - Format.SNAPSHOT_HEADER_BYTES));
      }
      byte[] state = new byte[length];
      System.arraycopy(bytes, Format.SNAPSHOT_HEADER_BYTES, state, 0, length);
      return new Contents(sequence, view.getInt(16), state);
    }
  }

  private static JournalCorruptException invalid(String name, long offset, String detail) {
    return new JournalCorruptException(
        new Corruption(Corruption.Kind.SNAPSHOT_INVALID, name, offset, 0, detail));
  }
}
