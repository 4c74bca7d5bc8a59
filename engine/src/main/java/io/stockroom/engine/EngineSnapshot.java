package io.stockroom.engine;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
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

  static byte[] write(Engine engine, Collection<Item> items, Iterable<Hold> holds,
      Collection<Hold> resolved, Map<String, Engine.KeyRecord> keys, long sequence, long now,
      long holdOrdinal) {
    List<Hold> active = new ArrayList<>();
    for (Hold hold : holds) {
      if (hold.state == HoldState.ACTIVE) {
        active.add(hold);
      }
    }
    active.sort(Comparator.comparingLong(hold -> hold.ordinal));
    // Sized for the usual state (a level, a hold or a key in well under 64 bytes), so the
    // writer does not copy a state of hundreds of megabytes again at every doubling.
    Buffer bytes = new Buffer(64L + 64L * (items.size() + engine.levelCount() + active.size()
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
      out.writeInt(resolved.size() + active.size());
      for (Hold hold : resolved) {
        writeHold(out, hold);
      }
      for (Hold hold : active) {
        writeHold(out, hold);
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

  private static void writeHold(DataOutputStream out, Hold hold) throws IOException {
    out.writeUTF(hold.id);
    out.writeByte(hold.state.ordinal());
    out.writeLong(hold.ordinal);
    out.writeLong(hold.expiresAt);
    out.writeUTF(hold.customer);
    out.writeUTF(hold.reference);
    out.writeInt(hold.lineCount());
    for (int i = 0; i < hold.lineCount(); i++) {
      out.writeUTF(hold.level(i).sku);
      out.writeUTF(hold.level(i).location);
      out.writeInt(hold.quantity(i));
    }
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
        engine.restoreHold(readHold(in, engine, limits));
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

  private static Hold readHold(DataInputStream in, Engine engine, Limits limits)
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
    Hold hold = new Hold(id, levels, quantities, customer, reference, ordinal, expiresAt);
    hold.state = STATES[state];
    return hold;
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
