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

  static final byte ITEM_DEFINED = 1;
  static final byte STOCK_RECEIVED = 2;
  static final byte STOCK_ADJUSTED = 3;
  static final byte SAFETY_STOCK_SET = 4;
  static final byte STOCK_TRANSFERRED = 5;
  static final byte SHORTAGE_DETECTED = 6;
  static final byte HOLD_RESERVED = 7;
  static final byte HOLD_CONFIRMED = 8;
  static final byte HOLD_RELEASED = 9;
  static final byte HOLD_EXPIRED = 10;
  static final byte HOLD_EXTENDED = 11;
  static final byte HOLD_FULFILLED = 12;
  static final byte STOCK_FULFILLED = 13;
  static final byte STOCK_RESTOCKED = 14;
  static final byte REQUEST_RECORDED = 15;

  private static final String[] TYPE_NAMES = {null, "ItemDefined", "StockReceived",
      "StockAdjusted", "SafetyStockSet", "StockTransferred", "ShortageDetected", "HoldReserved",
      "HoldConfirmed", "HoldReleased", "HoldExpired", "HoldExtended", "HoldFulfilled",
      "StockFulfilled", "StockRestocked", "RequestRecorded"};

  /** The simple name of the {@link Event} record of a type code, for messages. */
  static String typeName(byte type) {
    return type > 0 && type < TYPE_NAMES.length ? TYPE_NAMES[type] : "type " + type;
  }

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
    /** The reused cursor {@link #decodeInto(byte[], int, int, DecodedEvent)} reads through. */
    private final Cursor cursor = new Cursor();

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

    /**
     * Decodes one event that fills the buffer from its position to its limit exactly, and moves
     * the position to the limit.
     */
    public Event decode(ByteBuffer in) {
      byte[] bytes;
      int offset;
      int length = in.remaining();
      if (in.hasArray()) {
        bytes = in.array();
        offset = in.arrayOffset() + in.position();
      } else {
        bytes = new byte[length];
        in.duplicate().get(bytes);
        offset = 0;
      }
      // Neither reused: the uncached decoder is shared by every thread.
      DecodedEvent event = new DecodedEvent();
      decodeInto(new Cursor().reset(bytes, offset, length), event);
      in.position(in.limit());
      return event.toEvent();
    }

    /**
     * Decodes the event in {@code length} bytes of {@code array} from {@code offset} into {@code
     * out}, allocating nothing but the Strings it cannot share (the decoder's one view of the
     * array is reused).
     *
     * @throws IllegalArgumentException when the bytes are not exactly one valid event
     */
    public void decodeInto(byte[] array, int offset, int length, DecodedEvent out) {
      decodeInto(cursor.reset(array, offset, length), out);
    }

    private void decodeInto(Cursor in, DecodedEvent out) {
      try {
        decodeFields(in, out);
        if (in.remaining() > 0) {
          throw new IllegalArgumentException("event " + out.sequence + " has "
              + in.remaining() + " trailing bytes");
        }
      } catch (BufferUnderflowException e) {
        throw new IllegalArgumentException("event bytes end too early", e);
      }
    }

    /** Reads the fields in the order {@link EventCodec#encode(Event, ByteBuffer)} writes them. */
    private void decodeFields(Cursor in, DecodedEvent out) {
      byte type = in.get();
      out.type = type;
      out.sequence = in.getLong();
      out.time = in.getLong();
      out.actor = string(in); // few distinct callers: cached
      out.lineCount = 0;
      out.changeCount = 0;
      switch (type) {
        case ITEM_DEFINED -> {
          out.sku = name(in);
          out.name = id(in);
          out.category = string(in);
        }
        case STOCK_RECEIVED, STOCK_FULFILLED, STOCK_RESTOCKED -> {
          changes(in, out, 1);
          out.quantity = in.getInt();
          out.reason = string(in);
        }
        case STOCK_ADJUSTED -> {
          changes(in, out, 1);
          out.reason = string(in);
        }
        case SAFETY_STOCK_SET -> changes(in, out, 1);
        case STOCK_TRANSFERRED -> {
          changes(in, out, 2);
          out.quantity = in.getInt();
          out.reason = string(in);
        }
        case SHORTAGE_DETECTED -> {
          out.sku = name(in);
          out.location = name(in);
          out.available = in.getLong();
        }
        case HOLD_RESERVED -> holdReserved(in, out);
        case HOLD_CONFIRMED, HOLD_RELEASED, HOLD_EXPIRED, HOLD_FULFILLED -> {
          out.holdId = hashed(id(in));
          changes(in, out, count(in));
        }
        case HOLD_EXTENDED -> {
          out.holdId = hashed(id(in));
          out.expiresAt = in.getLong();
        }
        case REQUEST_RECORDED -> {
          out.key = hashed(id(in));
          out.fingerprint = in.getLong();
          out.firstSequence = in.getLong();
        }
        default -> throw new IllegalArgumentException("unknown event type " + type
            + " at sequence " + out.sequence);
      }
    }

    private void holdReserved(Cursor in, DecodedEvent out) {
      out.holdId = hashed(id(in));
      int lineCount = count(in);
      out.lines(lineCount);
      for (int i = 0; i < lineCount; i++) {
        out.lineSkus[i] = name(in);
        out.lineLocations[i] = name(in);
        out.lineQuantities[i] = in.getInt();
      }
      out.customer = id(in);
      out.reference = id(in);
      out.expiresAt = in.getLong();
      changes(in, out, count(in));
    }

    /**
     * An id the engine looks up by: its hash is computed here, where a decoding thread has time
     * to spare, and cached in the String for the replaying thread.
     */
    private static String hashed(String id) {
      id.hashCode();
      return id;
    }

    private void changes(Cursor in, DecodedEvent out, int count) {
      out.changes(count);
      int[] quantities = out.quantities;
      for (int i = 0; i < count; i++) {
        out.changeSkus[i] = name(in);
        out.changeLocations[i] = name(in);
        int at = i * DecodedEvent.QUANTITIES;
        for (int q = 0; q < DecodedEvent.QUANTITIES; q++) {
          quantities[at + q] = in.getInt();
        }
        out.versions[i] = in.getLong();
      }
    }

    private int count(Cursor in) {
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
    private String id(Cursor in) {
      return string(in, ID);
    }

    /** A text that repeats (actor, reason, category): cached while it is recent. */
    private String string(Cursor in) {
      return string(in, TEXT);
    }

    /** A SKU or location: the one canonical String for it. */
    private String name(Cursor in) {
      return string(in, NAME);
    }

    private static final int ID = 0;
    private static final int TEXT = 1;
    private static final int NAME = 2;

    private String string(Cursor in, int kind) {
      int length = in.getShort() & 0xffff;
      if (length > in.remaining()) {
        throw new IllegalArgumentException("event string of " + length + " bytes exceeds the "
            + in.remaining() + " bytes left");
      }
      byte[] array = in.bytes;
      int offset = in.skip(length);
      if (length == 0) {
        return ""; // half the holds have no reference: one shared empty String, not one each
      }
      if (AsciiBytes.isAscii(array, offset, length)) {
        return switch (kind) {
          case NAME -> names.intern(array, offset, length);
          case TEXT -> ascii(array, offset, length);
          default -> new String(array, offset, length, StandardCharsets.US_ASCII);
        };
      }
      return utf8(array, offset, length);
    }

    private static String utf8(byte[] array, int offset, int length) {
      try {
        // Strict: damaged bytes must not turn silently into different text.
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(array, offset, length))
            .toString();
      } catch (CharacterCodingException e) {
        throw new IllegalArgumentException("event string is not valid UTF-8", e);
      }
    }

    private String ascii(byte[] array, int offset, int length) {
      if (keys.length == 0 || length > CACHED_LENGTH_MAX) {
        return new String(array, offset, length, StandardCharsets.US_ASCII);
      }
      int slot = AsciiBytes.hash(array, offset, length) & mask;
      byte[] key = keys[slot];
      if (key != null && AsciiBytes.equals(key, array, offset, length)) {
        return values[slot];
      }
      String value = new String(array, offset, length, StandardCharsets.US_ASCII);
      keys[slot] = Arrays.copyOfRange(array, offset, offset + length);
      values[slot] = value;
      return value;
    }

  }
}
