package io.stockroom.engine;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The binary form of {@link Event}s as the journal stores them. The logical schema is the
 * {@code Event} records themselves; the HTTP stream and Kafka render the same records as JSON.
 * Binary here because the journal must make a million events durable per second, and a tagged
 * fixed layout costs a fraction of JSON to write and to replay.
 *
 * <pre>
 * byte type, long sequence, long time, string actor, then per type (strings: unsigned short
 * length + UTF-8; a level change: sku, location, 4 int before, 4 int after, long version;
 * lists: short count)
 * </pre>
 * Decoding never trusts the bytes: a short buffer, an unknown type, a negative count or trailing
 * bytes throw {@link IllegalArgumentException} naming what was wrong.
 */
public final class EventCodec {

  private static final byte ITEM_DEFINED = 1;
  private static final byte STOCK_RECEIVED = 2;
  private static final byte STOCK_ADJUSTED = 3;
  private static final byte SAFETY_STOCK_SET = 4;
  private static final byte STOCK_TRANSFERRED = 5;
  private static final byte SHORTAGE_DETECTED = 6;
  private static final byte HOLD_RESERVED = 7;
  private static final byte HOLD_CONFIRMED = 8;
  private static final byte HOLD_RELEASED = 9;
  private static final byte HOLD_EXPIRED = 10;
  private static final byte HOLD_EXTENDED = 11;
  private static final byte HOLD_FULFILLED = 12;
  private static final byte STOCK_FULFILLED = 13;
  private static final byte STOCK_RESTOCKED = 14;
  private static final byte REQUEST_RECORDED = 15;

  /** No string the engine accepts comes near this; it bounds a decoder reading garbage. */
  private static final int STRING_BYTES_MAX = 65_535;

  private EventCodec() {}

  /** An upper bound of the encoded size, for sizing buffers. */
  public static int sizeBound(Event event) {
    return stringsBound(event.actor()) + switch (event) {
      case Event.HoldReserved e -> 64 + stringsBound(e.holdId(), e.customer(), e.reference())
          + e.lines().size() * (8 + 2 * 4 * 64) + changesBound(e.changes());
      case Event.HoldConfirmed e -> 32 + stringsBound(e.holdId()) + changesBound(e.changes());
      case Event.HoldReleased e -> 32 + stringsBound(e.holdId()) + changesBound(e.changes());
      case Event.HoldExpired e -> 32 + stringsBound(e.holdId()) + changesBound(e.changes());
      case Event.HoldFulfilled e -> 32 + stringsBound(e.holdId()) + changesBound(e.changes());
      case Event.ItemDefined e -> 32 + stringsBound(e.sku(), e.name(), e.category());
      case Event.StockReceived e -> levelBound(e.change(), e.reason());
      case Event.StockAdjusted e -> levelBound(e.change(), e.reason());
      case Event.SafetyStockSet e -> 48 + changesBound(List.of(e.change()));
      case Event.StockFulfilled e -> levelBound(e.change(), e.reason());
      case Event.StockRestocked e -> levelBound(e.change(), e.reason());
      case Event.StockTransferred e -> 48 + changesBound(List.of(e.from(), e.to()))
          + stringsBound(e.reason());
      case Event.ShortageDetected e -> 48 + stringsBound(e.sku(), e.location());
      case Event.HoldExtended e -> 40 + stringsBound(e.holdId());
      case Event.RequestRecorded e -> 48 + stringsBound(e.key());
    };
  }

  private static int levelBound(LevelChange change, String reason) {
    return 48 + changesBound(List.of(change)) + stringsBound(reason);
  }

  private static int stringsBound(String... strings) {
    int bound = 0;
    for (String s : strings) {
      bound += 2 + 3 * s.length(); // UTF-8 needs at most 3 bytes per UTF-16 char
    }
    return bound;
  }

  private static int changesBound(List<LevelChange> changes) {
    int bound = 2;
    for (LevelChange change : changes) {
      bound += stringsBound(change.sku(), change.location()) + 40;
    }
    return bound;
  }

  public static byte[] encode(Event event) {
    ByteBuffer buffer = ByteBuffer.allocate(sizeBound(event));
    encode(event, buffer);
    byte[] bytes = new byte[buffer.position()];
    buffer.flip().get(bytes);
    return bytes;
  }

  /** Writes {@code event} at the buffer's position; the buffer needs {@link #sizeBound} room. */
  public static void encode(Event event, ByteBuffer out) {
    switch (event) {
      case Event.ItemDefined e -> {
        header(out, ITEM_DEFINED, e);
        string(out, e.sku());
        string(out, e.name());
        string(out, e.category());
      }
      case Event.StockReceived e -> {
        header(out, STOCK_RECEIVED, e);
        change(out, e.change());
        out.putInt(e.quantity());
        string(out, e.reason());
      }
      case Event.StockAdjusted e -> {
        header(out, STOCK_ADJUSTED, e);
        change(out, e.change());
        string(out, e.reason());
      }
      case Event.SafetyStockSet e -> {
        header(out, SAFETY_STOCK_SET, e);
        change(out, e.change());
      }
      case Event.StockTransferred e -> {
        header(out, STOCK_TRANSFERRED, e);
        change(out, e.from());
        change(out, e.to());
        out.putInt(e.quantity());
        string(out, e.reason());
      }
      case Event.ShortageDetected e -> {
        header(out, SHORTAGE_DETECTED, e);
        string(out, e.sku());
        string(out, e.location());
        out.putLong(e.available());
      }
      case Event.HoldReserved e -> {
        header(out, HOLD_RESERVED, e);
        string(out, e.holdId());
        out.putShort((short) e.lines().size());
        for (HoldLine line : e.lines()) {
          string(out, line.sku());
          string(out, line.location());
          out.putInt(line.quantity());
        }
        string(out, e.customer());
        string(out, e.reference());
        out.putLong(e.expiresAt());
        changes(out, e.changes());
      }
      case Event.HoldConfirmed e -> holdChanges(out, HOLD_CONFIRMED, e, e.holdId(), e.changes());
      case Event.HoldReleased e -> holdChanges(out, HOLD_RELEASED, e, e.holdId(), e.changes());
      case Event.HoldExpired e -> holdChanges(out, HOLD_EXPIRED, e, e.holdId(), e.changes());
      case Event.HoldFulfilled e -> holdChanges(out, HOLD_FULFILLED, e, e.holdId(), e.changes());
      case Event.HoldExtended e -> {
        header(out, HOLD_EXTENDED, e);
        string(out, e.holdId());
        out.putLong(e.expiresAt());
      }
      case Event.StockFulfilled e -> {
        header(out, STOCK_FULFILLED, e);
        change(out, e.change());
        out.putInt(e.quantity());
        string(out, e.reason());
      }
      case Event.StockRestocked e -> {
        header(out, STOCK_RESTOCKED, e);
        change(out, e.change());
        out.putInt(e.quantity());
        string(out, e.reason());
      }
      case Event.RequestRecorded e -> {
        header(out, REQUEST_RECORDED, e);
        string(out, e.key());
        out.putLong(e.fingerprint());
        out.putLong(e.firstSequence());
      }
    }
  }

  private static void header(ByteBuffer out, byte type, Event event) {
    out.put(type);
    out.putLong(event.sequence());
    out.putLong(event.time());
    string(out, event.actor());
  }

  private static void holdChanges(ByteBuffer out, byte type, Event event, String holdId,
      List<LevelChange> changes) {
    header(out, type, event);
    string(out, holdId);
    changes(out, changes);
  }

  private static void changes(ByteBuffer out, List<LevelChange> changes) {
    out.putShort((short) changes.size());
    for (LevelChange change : changes) {
      change(out, change);
    }
  }

  private static void change(ByteBuffer out, LevelChange change) {
    string(out, change.sku());
    string(out, change.location());
    quantities(out, change.before());
    quantities(out, change.after());
    out.putLong(change.version());
  }

  private static void quantities(ByteBuffer out, Quantities q) {
    out.putInt(q.onHand());
    out.putInt(q.reserved());
    out.putInt(q.committed());
    out.putInt(q.safetyStock());
  }

  private static void string(ByteBuffer out, String value) {
    // Identifiers are ASCII: write them without the encoder's allocation.
    int length = value.length();
    boolean ascii = true;
    for (int i = 0; i < length && ascii; i++) {
      ascii = value.charAt(i) < 0x80;
    }
    if (ascii) {
      out.putShort((short) length);
      for (int i = 0; i < length; i++) {
        out.put((byte) value.charAt(i));
      }
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > STRING_BYTES_MAX) {
      throw new IllegalArgumentException("string of " + bytes.length + " bytes is too long");
    }
    out.putShort((short) bytes.length);
    out.put(bytes);
  }

  // ---------------------------------------------------------------------------------------------

  /** A decoder with no string cache: stateless, safe from any thread. */
  private static final Decoder UNCACHED = new Decoder(0);

  public static Event decode(byte[] bytes) {
    return UNCACHED.decode(ByteBuffer.wrap(bytes));
  }

  /** Decodes one event that fills the buffer from its position to its limit exactly. */
  public static Event decode(ByteBuffer in) {
    return UNCACHED.decode(in);
  }

  /**
   * Decodes events, reusing one String per distinct name it has seen (SKUs, locations) and per
   * recent short text (actors, categories, reasons): replay meets the same few thousand names
   * millions of times, and a fresh String each time was a third of replay's time and most of its
   * garbage. Not thread-safe: one per replaying thread.
   *
   * <p>Names and texts are kept apart because they repeat differently. A name is canonical: the
   * first String decoded for it is returned every time after, never evicted (up to {@code
   * namesMax} names; past that, new names decode uncached). The engine keys its items and levels
   * by those very instances, so replay's lookups compare references instead of bytes; a
   * direct-mapped cache shared with reasons (one per purchase order, say) evicted a SKU every few
   * receipts, and each eviction turned that SKU's lookups back into byte comparisons. Texts keep
   * the direct-mapped cache: bounded, a miss only costs a decode.
   */
  public static final class Decoder {

    /** Strings longer than this are rare and unlikely to repeat: not cached. */
    private static final int CACHED_LENGTH_MAX = 64;

    private final byte[][] keys;
    private final String[] values;
    private final int mask;
    private final NameTable names;

    /** {@code entries} is both the text cache's size and the most names kept. */
    public Decoder(int entries) {
      this(entries, entries);
    }

    /**
     * {@code textEntries} is rounded up to a power of two; 0 disables the text cache. At most
     * {@code namesMax} names are kept canonical; 0 disables that.
     */
    public Decoder(int textEntries, int namesMax) {
      int size = textEntries <= 0 ? 0
          : Integer.highestOneBit(Math.max(1, textEntries - 1)) << 1;
      keys = new byte[size][];
      values = new String[size];
      mask = size - 1;
      names = new NameTable(namesMax);
    }

    public Event decode(byte[] bytes) {
      return decode(ByteBuffer.wrap(bytes));
    }


      public Event decode(ByteBuffer in) {
      try {
        Event event = decodeFields(in);
        if (in.hasRemaining()) {
          throw new IllegalArgumentException("event " + event.sequence() + " has "
              + in.remaining() + " trailing bytes");
        }
        return event;
      } catch (BufferUnderflowException e) {
        throw new IllegalArgumentException("event bytes end too early", e);
      }
    }

    private Event decodeFields(ByteBuffer in) {
      byte type = in.get();
      long sequence = in.getLong();
      long time = in.getLong();
      String actor = string(in); // few distinct callers: cached
      return switch (type) {
        case ITEM_DEFINED -> new Event.ItemDefined(sequence, time, actor, name(in), id(in),
            string(in));
        case STOCK_RECEIVED -> new Event.StockReceived(sequence, time, actor, change(in),
            in.getInt(), string(in));
        case STOCK_ADJUSTED -> new Event.StockAdjusted(sequence, time, actor, change(in),
            string(in));
        case SAFETY_STOCK_SET -> new Event.SafetyStockSet(sequence, time, actor, change(in));
        case STOCK_TRANSFERRED -> new Event.StockTransferred(sequence, time, actor, change(in),
            change(in), in.getInt(), string(in));
        case SHORTAGE_DETECTED -> new Event.ShortageDetected(sequence, time, actor, name(in),
            name(in), in.getLong());
        case HOLD_RESERVED -> holdReserved(in, sequence, time, actor);
        case HOLD_CONFIRMED -> new Event.HoldConfirmed(sequence, time, actor, id(in), changes(in));
        case HOLD_RELEASED -> new Event.HoldReleased(sequence, time, actor, id(in), changes(in));
        case HOLD_EXPIRED -> new Event.HoldExpired(sequence, time, actor, id(in), changes(in));
        case HOLD_FULFILLED -> new Event.HoldFulfilled(sequence, time, actor, id(in), changes(in));
        case HOLD_EXTENDED -> new Event.HoldExtended(sequence, time, actor, id(in), in.getLong());
        case STOCK_FULFILLED -> new Event.StockFulfilled(sequence, time, actor, change(in),
            in.getInt(), string(in));
        case STOCK_RESTOCKED -> new Event.StockRestocked(sequence, time, actor, change(in),
            in.getInt(), string(in));
        case REQUEST_RECORDED -> new Event.RequestRecorded(sequence, time, actor, id(in),
            in.getLong(), in.getLong());
        default -> throw new IllegalArgumentException("unknown event type " + type
            + " at sequence " + sequence);
      };
    }

    private Event holdReserved(ByteBuffer in, long sequence, long time, String actor) {
      String holdId = id(in);
      int lineCount = count(in);
      HoldLine[] lines = new HoldLine[lineCount];
      for (int i = 0; i < lineCount; i++) {
        lines[i] = new HoldLine(name(in), name(in), in.getInt());
      }
      return new Event.HoldReserved(sequence, time, actor, holdId, List.of(lines), id(in), id(in),
          in.getLong(), changes(in));
    }

    private List<LevelChange> changes(ByteBuffer in) {
      int count = count(in);
      LevelChange[] changes = new LevelChange[count];
      for (int i = 0; i < count; i++) {
        changes[i] = change(in);
      }
      return List.of(changes);
    }

    private LevelChange change(ByteBuffer in) {
      return new LevelChange(name(in), name(in), quantities(in), quantities(in), in.getLong());
    }

    private Quantities quantities(ByteBuffer in) {
      return new Quantities(in.getInt(), in.getInt(), in.getInt(), in.getInt());
    }

    private int count(ByteBuffer in) {
      int count = in.getShort() & 0xffff;
      // Each element takes at least 2 bytes; a count the buffer cannot hold is garbage.
      if (count * 2L > in.remaining()) {
        throw new IllegalArgumentException("event claims " + count + " elements in "
            + in.remaining() + " bytes");
      }
      return count;
    }

    /**
     * An identifier (hold id, idempotency key) or a high-cardinality field (customer, reference,
     * item name): never cached, so a stream of distinct values cannot evict the names that repeat
     * (a benchmark with 200,000 customers lost 15 % of replay speed to that).
     */
    private String id(ByteBuffer in) {
      return string(in, ID);
    }

    /** A text that repeats (actor, reason, category): cached while it is recent. */
    private String string(ByteBuffer in) {
      return string(in, TEXT);
    }

    /** A SKU or location: the one canonical String for it. */
    private String name(ByteBuffer in) {
      return string(in, NAME);
    }

    private static final int ID = 0;
    private static final int TEXT = 1;
    private static final int NAME = 2;

    private String string(ByteBuffer in, int kind) {
      int length = in.getShort() & 0xffff;
      if (length > in.remaining()) {
        throw new IllegalArgumentException("event string of " + length + " bytes exceeds the "
            + in.remaining() + " bytes left");
      }
      int position = in.position();
      in.position(position + length);
      if (in.hasArray()) {
        byte[] array = in.array();
        int offset = in.arrayOffset() + position;
        if (isAscii(array, offset, length)) {
          return switch (kind) {
            case NAME -> names.intern(array, offset, length);
            case TEXT -> ascii(array, offset, length);
            default -> new String(array, offset, length, StandardCharsets.US_ASCII);
          };
        }
      }
      try {
        // Strict: damaged bytes must not turn silently into different text.
        return StandardCharsets.UTF_8.newDecoder().decode(in.slice(position, length)).toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("event string is not valid UTF-8", e);
      }
    }

    private String ascii(byte[] array, int offset, int length) {
      if (keys.length == 0 || length > CACHED_LENGTH_MAX) {
        return new String(array, offset, length, StandardCharsets.US_ASCII);
      }
      int hash = length;
      for (int i = offset; i < offset + length; i++) {
        hash = hash * 31 + array[i];
      }
      int slot = (hash ^ (hash >>> 16)) & mask;
      byte[] key = keys[slot];
      if (key != null && Arrays.equals(key, 0, key.length, array, offset, offset + length)) {
        return values[slot];
      }
      String value = new String(array, offset, length, StandardCharsets.US_ASCII);
      keys[slot] = Arrays.copyOfRange(array, offset, offset + length);
      values[slot] = value;
      return value;
    }

    private boolean isAscii(byte[] bytes, int offset, int length) {
      for (int i = offset; i < offset + length; i++) {
        if (bytes[i] < 0) {
          return false;
        }
      }
      return true;
    }

  }
}
