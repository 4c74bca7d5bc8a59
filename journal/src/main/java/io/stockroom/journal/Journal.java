package io.stockroom.journal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * The durable, append-only, hash-chained log of opaque records, with snapshots and recovery.
 *
 * <p>One writer thread calls {@link #append}, {@link #writeSnapshot} and {@link #close}. Any thread
 * may call {@link #read}, {@link #lastSequence} and {@link #firstSequence}.
 *
 * <p>Rules it keeps:
 *
 * <ul>
 *   <li><b>Group commit.</b> {@code append} writes a whole batch with one or a few large writes,
 *       then one fdatasync, plus a directory fsync when the batch opened a new segment; it returns
 *       only after that. Nothing is acknowledged before it is on disk.
 *   <li><b>Fail-stop.</b> If any storage call fails, the journal stops for good: every later call
 *       throws {@link JournalFailedException}. An fsync is never retried, because after a failed
 *       fsync the kernel may have dropped the very pages a retry would claim to have written.
 *       The failed batch is cut off the file again, so a restart finds exactly the
 *       acknowledged batches (after a power loss, possibly the failed one too, whole).
 *   <li><b>Gap-free, chained.</b> Sequences start at 1 and go up by one; every record carries the
 *       previous record's CRC32C.
 * </ul>
 *
 * <p>Startup: {@code open} recovers (see {@link Recovery}); the caller loads {@link
 * #recoveredSnapshot()}, replays {@code read(snapshotSequence + 1)}, checks its own state, and
 * starts appending at {@link #lastSequence()} + 1.
 */
public final class Journal implements AutoCloseable {

  private final Storage storage;
  private final JournalConfig config;

  /**
   * Reused for every batch: allocating per batch would churn a megabyte of direct memory per fsync.
   */
  private final ByteBuffer writeBuffer;

  private final CRC32C crc = new CRC32C();
  private final byte[] recordHeader = new byte[Format.RECORD_HEADER_BYTES];
  private final ByteBuffer recordHeaderView = ByteBuffer.wrap(recordHeader);
  private final Optional<Snapshot> recoveredSnapshot;
  private final RecoveryReport recoveryReport;

  /** Published for readers; replaced, never mutated. */
  private volatile List<SegmentRef> segments;

  /** Last sequence known durable; readers never go past it. */
  private volatile long durableSequence;

  private StorageFile active;
  private long activeSize;
  private long nextSequence;
  private int lastChecksum;
  private Throwable failure;
  private boolean closed;

  private Journal(Storage storage, JournalConfig config, Recovery.Result recovered)
      throws IOException {
    this.storage = storage;
    this.config = config;
    this.writeBuffer = ByteBuffer.allocateDirect(config.writeBufferBytes());
    this.segments = recovered.segments();
    this.nextSequence = recovered.nextSequence();
    this.lastChecksum = recovered.lastChecksum();
    this.durableSequence = recovered.nextSequence() - 1;
    this.activeSize = recovered.activeSize();
    this.recoveryReport = recovered.report();
    SnapshotFile.Contents snapshot = recovered.snapshot();
    this.recoveredSnapshot =
        snapshot == null
            ? Optional.empty()
            : Optional.of(new Snapshot(snapshot.sequence(), snapshot.state()));
    if (!segments.isEmpty()) {
      active = storage.open(segments.get(segments.size() - 1).name());
      Invariants.check(active.size() == activeSize, "recovered size matches the active segment");
    }
  }

  /**
   * Opens the journal in the storage's directory, recovering it (creating an empty one if there is
   * none).
   */
  public static Journal open(Storage storage, JournalConfig config) throws IOException {
    return new Journal(storage, config, Recovery.run(storage, config));
  }

  /**
   * Checks the whole journal without changing anything: every segment, every record's CRC32C,
   * sequence continuity, the hash chain across segments, and every snapshot against the log. Run it
   * on a closed journal.
   */
  public static VerifyReport verify(Storage storage, JournalConfig config) throws IOException {
    return Verifier.run(storage, config);
  }

  public RecoveryReport recoveryReport() {
    return recoveryReport;
  }

  /** The snapshot recovery started from; replay {@code read(sequence + 1)} on top of it. */
  public Optional<Snapshot> recoveredSnapshot() {
    return recoveredSnapshot;
  }

  /**
   * Last durable sequence (0 for an empty journal), always the end of a batch. The next append must
   * start at this plus one.
   */
  public long lastSequence() {
    return durableSequence;
  }

  /** Oldest sequence still readable (older segments were retired behind snapshots). */
  public long firstSequence() {
    List<SegmentRef> current = segments;
    return current.isEmpty() ? durableSequence + 1 : current.get(0).firstSequence();
  }

  /**
   * Appends a batch of records with sequences {@code firstSequence, firstSequence + 1, ...} and
   * returns once all of them are durable. The batch is atomic: after a crash, recovery finds all of
   * its records or none of them, and readers never see part of it.
   *
   * @throws IllegalArgumentException the batch breaks a limit, holds a null payload or does not
   *     start at {@link #lastSequence()} + 1 (nothing was written; the journal is still usable)
   * @throws JournalFailedException a storage call failed now or earlier; none of this batch is
   *     acknowledged, and the journal accepts nothing more
   */
  public void append(long firstSequence, List<byte[]> payloads) throws IOException {
    appendBatch(firstSequence, new BatchPayloads.Listed(payloads));
  }

  /**
   * Appends a batch as {@link #append(long, List)} does, with the same bytes on disk, but takes the
   * payloads back to back in one array: payload {@code i} (for {@code i < count}) is {@code
   * data[ends[i - 1] .. ends[i])}, where {@code ends[-1]} is taken as 0. A caller that encodes its
   * records into one reused array needs no array per record, nor the copy into it. Both arrays are
   * read only during the call, so the caller may reuse them for the next batch.
   *
   * @throws IllegalArgumentException as {@link #append(long, List)}, and when {@code ends} does not
   *     hold {@code count} ends that never go down and stay within {@code data} (nothing was
   *     written; the journal is still usable)
   * @throws JournalFailedException as {@link #append(long, List)}
   */
  public void append(long firstSequence, byte[] data, int[] ends, int count) throws IOException {
    appendBatch(firstSequence, new BatchPayloads.Packed(data, ends, count));
  }

  private void appendBatch(long firstSequence, BatchPayloads payloads) throws IOException {
    checkUsable();
    int count = payloads.count();
    if (count < 1 || count > config.batchRecordsMax()) {
      throw new IllegalArgumentException(
          "a batch holds 1 to " + config.batchRecordsMax() + " records: " + count);
    }
    if (firstSequence != nextSequence) {
      throw new IllegalArgumentException(
          "batch must start at sequence " + nextSequence + ": " + firstSequence);
    }
    long batchBytes = 0;
    for (int i = 0; i < count; i++) {
      int length = payloads.length(i);
      if (length > config.recordPayloadBytesMax()) {
        throw new IllegalArgumentException(
            "payload "
                + i
                + " of the batch is "
                + length
                + " bytes; recordPayloadBytesMax is "
                + config.recordPayloadBytesMax());
      }
      batchBytes += Format.RECORD_HEADER_BYTES + length;
    }
    try {
      writeBatch(payloads, batchBytes);
    } catch (IOException | RuntimeException e) {
      failure = e;
      takeBackFailedBatch(e);
      throw new JournalFailedException(
          "append of sequences "
              + firstSequence
              + ".."
              + (firstSequence + count - 1)
              + " failed and is not durable; the journal has stopped",
          e);
    }
  }

  /** Writes a batch {@link #appendBatch} checked: every payload's length is valid. */
  private void writeBatch(BatchPayloads payloads, long batchBytes) throws IOException {
    ByteBuffer buffer = writeBuffer.clear();
    boolean rolled =
        active == null
            || (activeSize > Format.SEGMENT_HEADER_BYTES
                && activeSize + batchBytes > config.segmentBytesMax());
    if (rolled) {
      roll();
      Format.putSegmentHeader(buffer, nextSequence, lastChecksum, crc);
    }
    long batchStart = activeSize;
    long position = activeSize;
    long sequence = nextSequence;
    int previous = lastChecksum;
    int count = payloads.count();
    for (int i = 0; i < count; i++) {
      byte[] array = payloads.array(i);
      int offset = payloads.offset(i);
      int length = payloads.length(i);
      if (buffer.remaining() < Format.RECORD_HEADER_BYTES + length) {
        position += flush(buffer, position);
      }
      recordHeaderView
          .putInt(0, length)
          .putLong(8, sequence)
          .putInt(16, previous)
          .put(Format.RECORD_FLAGS_OFFSET, Format.batchFlags(i, count));
      crc.reset();
      crc.update(recordHeader, 0, 4);
      crc.update(recordHeader, 8, Format.RECORD_HEADER_BYTES - 8);
      crc.update(array, offset, length);
      int checksum = (int) crc.getValue();
      recordHeaderView.putInt(4, checksum);
      buffer.put(recordHeader).put(array, offset, length);
      previous = checksum;
      sequence++;
    }
    position += flush(buffer, position);
    Invariants.check(
        position - batchStart == batchBytes + (rolled ? Format.SEGMENT_HEADER_BYTES : 0),
        "batch bytes written match the batch");
    active.sync();
    if (rolled) {
      storage.syncDirectory();
    }
    // Durable: only now does the batch exist for anyone else. durableSequence is the one field
    // readers use to bound what they read, and it jumps from one batch end to the next, so no
    // reader ever sees part of a batch (the segment list may already name a new segment; a
    // reader never opens it before durableSequence reaches into it).
    activeSize = position;
    nextSequence = sequence;
    lastChecksum = previous;
    durableSequence = sequence - 1;
  }

  /**
   * Cuts the failed batch's bytes off the active segment again (best effort, not synced). Its
   * caller is told it failed, so it must not come back: after a failed fsync the kernel keeps
   * the written pages readable, and a restart without a power loss would otherwise recover a
   * batch that was refused. After a power loss it may still be there, whole, if the disk wrote
   * its pages before reporting the error (recovery keeps a complete batch); that cannot be
   * told apart from a batch that was written in full, so the refusal says "not durable" only
   * as far as the journal knows. {@code activeSize} is still where the batch began; for a batch
   * that opened a new segment it is 0, and recovery deletes that empty last segment.
   */
  private void takeBackFailedBatch(Exception failed) {
    if (active == null) {
      return;
    }
    try {
      active.truncate(activeSize);
    } catch (IOException | RuntimeException e) {
      failed.addSuppressed(e); // the disk is failing: recovery truncates the torn tail instead
    }
  }

  private int flush(ByteBuffer buffer, long position) throws IOException {
    buffer.flip();
    int bytes = buffer.remaining();
    active.write(buffer, position);
    buffer.clear();
    return bytes;
  }

  /**
   * Starts a new segment named by the next sequence; the old one was synced with its last batch.
   */
  private void roll() throws IOException {
    String name = Format.segmentName(nextSequence);
    StorageFile created = storage.create(name);
    if (active != null) {
      active.close();
    }
    active = created;
    activeSize = 0;
    List<SegmentRef> next = new ArrayList<>(segments);
    next.add(new SegmentRef(name, nextSequence));
    segments = List.copyOf(next);
  }

  /**
   * A reader from {@code fromSequence} to the current {@link #lastSequence()}.
   *
   * @throws IllegalArgumentException if {@code fromSequence} was retired or is past the end + 1
   */
  public JournalReader read(long fromSequence) {
    long to = durableSequence;
    List<SegmentRef> current = segments;
    long first = current.isEmpty() ? to + 1 : current.get(0).firstSequence();
    if (fromSequence < first || fromSequence > to + 1) {
      throw new IllegalArgumentException(
          "sequence " + fromSequence + " is not readable: the journal holds " + first + ".." + to);
    }
    return new JournalReader(storage, current, fromSequence, to, config);
  }

  /**
   * Saves {@code state} as the snapshot at {@link #lastSequence()} (tmp file, fsync, rename,
   * directory fsync), then retires snapshots beyond {@link JournalConfig#snapshotsRetained()} and
   * the segments only they needed. Runs on the writer thread, between appends.
   */
  public void writeSnapshot(byte[] state) throws IOException {
    checkUsable();
    if (durableSequence < 1) {
      throw new IllegalStateException("nothing to snapshot: the journal is empty");
    }
    if (state.length > config.snapshotBytesMax()) {
      throw new IllegalArgumentException(
          "snapshot state is "
              + state.length
              + " bytes; snapshotBytesMax is "
              + config.snapshotBytesMax());
    }
    try {
      SnapshotFile.write(storage, durableSequence, lastChecksum, state);
      retire();
    } catch (IOException | RuntimeException e) {
      failure = e;
      throw new JournalFailedException(
          "snapshot at sequence " + durableSequence + " failed; the journal has stopped", e);
    }
  }

  /**
   * Deletes old snapshots first, then segments, so a crash in between never leaves an uncovered
   * snapshot.
   */
  private void retire() throws IOException {
    List<Long> snapshots = new ArrayList<>();
    for (String name : storage.list()) {
      long sequence = Format.sequenceOf(name, Format.SNAPSHOT_SUFFIX);
      if (sequence >= 0) {
        snapshots.add(sequence);
      }
    }
    snapshots.sort(Comparator.reverseOrder());
    boolean deleted = false;
    for (int i = config.snapshotsRetained(); i < snapshots.size(); i++) {
      storage.delete(Format.snapshotName(snapshots.get(i)));
      deleted = true;
    }
    long oldestKept = snapshots.get(Math.min(config.snapshotsRetained(), snapshots.size()) - 1);
    List<SegmentRef> current = segments;
    int retired = 0;
    // A segment may go once the next one starts at or before the first record replay still needs.
    while (retired < current.size() - 1
        && current.get(retired + 1).firstSequence() <= oldestKept + 1) {
      retired++;
    }
    segments = List.copyOf(current.subList(retired, current.size()));
    for (int i = 0; i < retired; i++) {
      storage.delete(current.get(i).name());
      deleted = true;
    }
    if (deleted) {
      storage.syncDirectory();
    }
  }

  private void checkUsable() throws JournalFailedException {
    if (failure != null) {
      throw new JournalFailedException(
          "the journal stopped after an earlier storage failure; restart to recover", failure);
    }
    if (closed) {
      throw new IllegalStateException("journal is closed");
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (active != null) {
      active.close();
    }
  }
}
