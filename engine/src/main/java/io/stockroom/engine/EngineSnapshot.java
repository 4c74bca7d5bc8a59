package io.stockroom.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The engine's snapshot format: a compact binary image of the whole state, ending with the
 * state's {@link Engine#checksum()} so a reader proves it rebuilt exactly what was written.
 * In-memory streams only: the journal owns files, fsync and file-level CRCs.
 *
 * <pre>
 * int magic "SRE1", int formatVersion, long sequence, long now, long holdOrdinal
 * int items, then per item: sku, name, category, int levels,
 *     then per level: location, int onHand, reserved, committed, safetyStock, long version
 * int holds (resolved in resolution order, then active in creation order), per hold:
 *     id, byte state, long ordinal, long expiresAt, customer, reference, int lines,
 *     then per line: sku, location, int quantity
 * int keys, then per idempotency key (oldest first): key, long fingerprint, long firstSequence,
 *     long lastSequence, long recordedAt
 * long checksum, int crc32c (of every byte before it)
 * </pre>
 * The state checksum proves the rebuild; the CRC also covers what the checksum leaves out
 * (the engine's time).
 * Strings are {@link DataOutputStream#writeUTF} (the limits keep them far below 64 KiB).
 */
final class EngineSnapshot {

  private static final int MAGIC = 0x53524531; // "SRE1"
  private static final int FORMAT_VERSION = 1;
  private static final HoldState[] STATES = HoldState.values();

  private EngineSnapshot() {}

  static byte[] write(Engine engine, Collection<Item> items, HoldTable holds,
      SlotQueue resolved, Map<String, Engine.KeyRecord> keys, long sequence, long now,
      long holdOrdinal) {
    int[] active = activeByOrdinal(holds);
    // Sized for the usual state (a level, a hold or a key in well under 64 bytes), so the
    // writer does not copy a state of hundreds of megabytes again at every doubling.
    Buffer bytes = new Buffer(64L + 64L * (items.size() + engine.levelCount() + active.length
        + resolved.size() + keys.size()));
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(MAGIC);
      out.writeInt(FORMAT_VERSION);
      out.writeLong(sequence);
      out.writeLong(now);
      out.writeLong(holdOrdinal);
      out.writeInt(items.size());
      for (Item item : items) {
        out.writeUTF(item.sku);
        out.writeUTF(item.name);
        out.writeUTF(item.category);
        out.writeInt(item.levelCount);
        for (StockLevel level = item.firstLevel; level != null; level = level.next) {
          out.writeUTF(level.location);
          out.writeInt(level.onHand);
          out.writeInt(level.reserved);
          out.writeInt(level.committed);
          out.writeInt(level.safetyStock);
          out.writeLong(level.version);
        }
      }
      out.writeInt(resolved.size() + active.length);
      for (int i = 0; i < resolved.size(); i++) {
        writeHold(out, holds, resolved.get(i));
      }
      for (int hold : active) {
        writeHold(out, holds, hold);
      }
      out.writeInt(keys.size());
      for (Map.Entry<String, Engine.KeyRecord> entry : keys.entrySet()) {
        out.writeUTF(entry.getKey());
        out.writeLong(entry.getValue().fingerprint());
        out.writeLong(entry.getValue().firstSequence());
        out.writeLong(entry.getValue().lastSequence());
        out.writeLong(entry.getValue().recordedAt());
      }
      out.writeLong(engine.checksum());
      out.flush();
      out.writeInt(crc(bytes.array(), bytes.size()));
    } catch (IOException e) {
      throw new UncheckedIOException("in-memory stream failed", e);
    }
    return bytes.toByteArray();
  }

  private static void writeHold(DataOutputStream out, HoldTable holds, int hold)
      throws IOException {
    out.writeUTF(holds.id(hold));
    out.writeByte(holds.state(hold).ordinal());
    out.writeLong(holds.ordinal(hold));
    out.writeLong(holds.expiresAt(hold));
    out.writeUTF(holds.customer(hold));
    out.writeUTF(holds.reference(hold));
    int lineCount = holds.lineCount(hold);
    out.writeInt(lineCount);
    for (int i = 0; i < lineCount; i++) {
      out.writeUTF(holds.level(hold, i).sku);
      out.writeUTF(holds.level(hold, i).location);
      out.writeInt(holds.quantity(hold, i));
    }
  }

  /**
   * The active holds' slots in creation (ordinal) order. Each (ordinal, slot) pair is packed
   * into one long and the longs sorted, which boxes nothing; that needs the active ordinals to
   * span less than 2^32 (holds live minutes, so they always do), and a boxed sort covers the rest.
   */
  static int[] activeByOrdinal(HoldTable holds) {
    int count = 0;
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int hold = 0; hold < holds.slotLimit(); hold++) {
      if (holds.inUse(hold) && holds.state(hold) == HoldState.ACTIVE) {
        count++;
        min = Math.min(min, holds.ordinal(hold));
        max = Math.max(max, holds.ordinal(hold));
      }
    }
    int[] active = new int[count];
    int at = 0;
    for (int hold = 0; hold < holds.slotLimit(); hold++) {
      if (holds.inUse(hold) && holds.state(hold) == HoldState.ACTIVE) {
        active[at++] = hold;
      }
    }
    if (count > 0 && max - min < (1L << 32)) {
      long[] keys = new long[count];
      for (int i = 0; i < count; i++) {
        keys[i] = (holds.ordinal(active[i]) - min) << 31 | active[i];
      }
      Arrays.sort(keys);
      for (int i = 0; i < count; i++) {
        active[i] = (int) (keys[i] & Integer.MAX_VALUE);
      }
    } else {
      Integer[] boxed = new Integer[count];
      for (int i = 0; i < count; i++) {
        boxed[i] = active[i];
      }
      Arrays.sort(boxed, Comparator.comparingLong(holds::ordinal));
      for (int i = 0; i < count; i++) {
        active[i] = boxed[i];
      }
    }
    return active;
  }

  /** A ByteArrayOutputStream whose bytes can be read in place (for the CRC) without a copy. */
  private static final class Buffer extends ByteArrayOutputStream {
    /** No more than this up front: an estimate must not claim a heap the state will not use. */
    private static final int INITIAL_BYTES_MAX = 1 << 28;

    Buffer(long size) {
      super((int) Math.min(size, INITIAL_BYTES_MAX));
    }

    byte[] array() {
      return buf;
    }
  }

  private static int crc(byte[] bytes, int length) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, length);
    return (int) crc.getValue();
  }

  static Engine read(Limits limits, byte[] bytes) {
    if (bytes.length < 4) {
      throw new IllegalArgumentException("engine snapshot is truncated: " + bytes.length
          + " bytes");
    }
    int stored = ((bytes[bytes.length - 4] & 0xff) << 24) | ((bytes[bytes.length - 3] & 0xff) << 16)
        | ((bytes[bytes.length - 2] & 0xff) << 8) | (bytes[bytes.length - 1] & 0xff);
    if (crc(bytes, bytes.length - 4) != stored) {
      throw new IllegalArgumentException("engine snapshot CRC mismatch: the bytes are damaged");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0,
        bytes.length - 4));
    try {
      if (in.readInt() != MAGIC) {
        throw new IllegalArgumentException("not an engine snapshot (bad magic)");
      }
      int format = in.readInt();
      if (format != FORMAT_VERSION) {
        throw new IllegalArgumentException("unsupported engine snapshot format " + format);
      }
      Engine engine = new Engine(limits);
      engine.restoreCounters(in.readLong(), in.readLong(), in.readLong());
      int itemCount = count(in, limits.itemsMax(), "items");
      for (int i = 0; i < itemCount; i++) {
        Item item = engine.restoreItem(in.readUTF(), in.readUTF(), in.readUTF());
        int levelCount = count(in, limits.locationsPerItemMax(), "levels of " + item.sku);
        for (int j = 0; j < levelCount; j++) {
          StockLevel level = engine.restoreLevel(item, in.readUTF());
          level.onHand = in.readInt();
          level.reserved = in.readInt();
          level.committed = in.readInt();
          level.safetyStock = in.readInt();
          level.version = in.readLong();
        }
      }
      int holdCount = count(in,
          limits.holdsActiveMax() + limits.holdsResolvedRetainedMax(), "holds");
      for (int i = 0; i < holdCount; i++) {
        readHold(in, engine, limits);
      }
      int keyCount = count(in, limits.idempotencyKeysMax(), "idempotency keys");
      for (int i = 0; i < keyCount; i++) {
        engine.restoreKey(in.readUTF(), new Engine.KeyRecord(in.readLong(), in.readLong(),
            in.readLong(), in.readLong()));
      }
      long expected = in.readLong();
      if (in.available() != 0) {
        throw new IllegalArgumentException("engine snapshot has " + in.available()
            + " trailing bytes");
      }
      long actual = engine.checksum();
      if (actual != expected) {
        throw new IllegalArgumentException("engine snapshot checksum mismatch: stored "
            + Long.toHexString(expected) + ", rebuilt " + Long.toHexString(actual));
      }
      engine.checkInvariants();
      return engine;
    } catch (IOException e) {
      throw new IllegalArgumentException("engine snapshot is truncated or malformed: " + e, e);
    } catch (InvariantViolatedException e) {
      throw new IllegalArgumentException("engine snapshot is inconsistent: " + e.getMessage(), e);
    }
  }

  private static void readHold(DataInputStream in, Engine engine, Limits limits)
      throws IOException {
    String id = in.readUTF();
    int state = in.readUnsignedByte();
    if (state >= STATES.length) {
      throw new IllegalArgumentException("hold " + id + " has unknown state " + state);
    }
    long ordinal = in.readLong();
    long expiresAt = in.readLong();
    String customer = in.readUTF();
    String reference = in.readUTF();
    int lineCount = count(in, limits.linesPerHoldMax(), "lines of hold " + id);
    if (lineCount == 0) {
      throw new IllegalArgumentException("engine snapshot claims hold " + id + " has no lines");
    }
    int[] quantities = new int[lineCount];
    StockLevel[] levels = new StockLevel[lineCount];
    for (int i = 0; i < lineCount; i++) {
      String sku = in.readUTF();
      String location = in.readUTF();
      quantities[i] = in.readInt();
      Item item = engine.itemForRestore(sku);
      levels[i] = item == null ? null : item.level(location);
      if (levels[i] == null) {
        throw new IllegalArgumentException("hold " + id + " names missing level " + sku + "@"
            + location);
      }
    }
    engine.restoreHold(id, levels, quantities, customer, reference, ordinal, expiresAt,
        STATES[state]);
  }

  private static int count(DataInputStream in, long max, String what) throws IOException {
    int count = in.readInt();
    if (count < 0 || count > max) {
      throw new IllegalArgumentException("engine snapshot claims " + count + " " + what
          + ", outside 0.." + max);
    }
    return count;
  }
}
