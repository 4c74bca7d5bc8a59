package io.stockroom.engine;

import java.util.Arrays;
import java.util.List;

/**
 * One event as {@link EventCodec.Decoder#decodeInto} reads it from the journal: the fields of an
 * {@link Event} record, held in reusable fields and arrays instead of an object graph. It exists
 * for replay. Materialised, a replayed event was about ten objects (the record, its lists, a
 * level change per level and two quantities per change), two million events about 600 MB of
 * garbage, and the young collections it caused kept copying the holds and keys replay was
 * building; {@link Engine#replay(DecodedEvent)} reads these fields and keeps only the Strings it
 * retains. Mutable and reused: valid until it is decoded into again. Not thread-safe.
 *
 * <p>Which fields hold something depends on the event's type, as in the {@code Event} record of
 * that type; {@link #toEvent()} builds that record.
 */
public final class DecodedEvent {

  /** Quantities per level change: onHand, reserved, committed, safety stock; before then after. */
  static final int QUANTITIES = 8;
  private static final String[] NO_STRINGS = {};
  private static final int[] NO_INTS = {};
  private static final long[] NO_LONGS = {};

  byte type;
  long sequence;
  long time;
  String actor;
  /** ItemDefined, ShortageDetected. */
  String sku;
  /** ShortageDetected. */
  String location;
  /** ItemDefined. */
  String name;
  String category;
  /** Hold events. */
  String holdId;
  /** HoldReserved. */
  String customer;
  String reference;
  /** HoldReserved, HoldExtended. */
  long expiresAt;
  /** StockReceived, StockFulfilled, StockRestocked, StockTransferred. */
  int quantity;
  String reason;
  /** ShortageDetected. */
  long available;
  /** RequestRecorded. */
  String key;
  long fingerprint;
  long firstSequence;

  /** HoldReserved's lines. */
  int lineCount;
  // Sized at first use: a one-off decode (an HTTP read of past events) allocates what its event
  // needs and no more; a reused one grows once to the largest event it meets.
  String[] lineSkus = NO_STRINGS;
  String[] lineLocations = NO_STRINGS;
  int[] lineQuantities = NO_INTS;

  /** Level changes in the event's order (a transfer's from, then to). */
  int changeCount;
  String[] changeSkus = NO_STRINGS;
  String[] changeLocations = NO_STRINGS;
  /** {@link #QUANTITIES} per change: before (onHand, reserved, committed, safety), then after. */
  int[] quantities = NO_INTS;
  long[] versions = NO_LONGS;

  public DecodedEvent() {}

  public long sequence() {
    return sequence;
  }

  /** The simple name of the {@link Event} record this is, for messages. */
  public String typeName() {
    return EventCodec.typeName(type);
  }

  void lines(int count) {
    if (count > lineSkus.length) {
      int size = Math.max(count, 2 * lineSkus.length);
      lineSkus = Arrays.copyOf(lineSkus, size);
      lineLocations = Arrays.copyOf(lineLocations, size);
      lineQuantities = Arrays.copyOf(lineQuantities, size);
    }
    lineCount = count;
  }

  void changes(int count) {
    if (count > changeSkus.length) {
      int size = Math.max(count, 2 * changeSkus.length);
      changeSkus = Arrays.copyOf(changeSkus, size);
      changeLocations = Arrays.copyOf(changeLocations, size);
      quantities = Arrays.copyOf(quantities, size * QUANTITIES);
      versions = Arrays.copyOf(versions, size);
    }
    changeCount = count;
  }

  int before(int change, int field) {
    return quantities[change * QUANTITIES + field];
  }

  int after(int change, int field) {
    return quantities[change * QUANTITIES + 4 + field];
  }

  Quantities beforeQuantities(int change) {
    int at = change * QUANTITIES;
    return new Quantities(quantities[at], quantities[at + 1], quantities[at + 2],
        quantities[at + 3]);
  }

  Quantities afterQuantities(int change) {
    int at = change * QUANTITIES + 4;
    return new Quantities(quantities[at], quantities[at + 1], quantities[at + 2],
        quantities[at + 3]);
  }

  LevelChange change(int index) {
    return new LevelChange(changeSkus[index], changeLocations[index], beforeQuantities(index),
        afterQuantities(index), versions[index]);
  }

  private List<LevelChange> changeList() {
    LevelChange[] changes = new LevelChange[changeCount];
    for (int i = 0; i < changeCount; i++) {
      changes[i] = change(i);
    }
    return List.of(changes);
  }

  private List<HoldLine> lineList() {
    HoldLine[] lines = new HoldLine[lineCount];
    for (int i = 0; i < lineCount; i++) {
      lines[i] = new HoldLine(lineSkus[i], lineLocations[i], lineQuantities[i]);
    }
    return List.of(lines);
  }

  /** The {@link Event} record these fields describe. */
  public Event toEvent() {
    return switch (type) {
      case EventCodec.ITEM_DEFINED -> new Event.ItemDefined(sequence, time, actor, sku, name,
          category);
      case EventCodec.STOCK_RECEIVED -> new Event.StockReceived(sequence, time, actor, change(0),
          quantity, reason);
      case EventCodec.STOCK_ADJUSTED -> new Event.StockAdjusted(sequence, time, actor, change(0),
          reason);
      case EventCodec.SAFETY_STOCK_SET -> new Event.SafetyStockSet(sequence, time, actor,
          change(0));
      case EventCodec.STOCK_TRANSFERRED -> new Event.StockTransferred(sequence, time, actor,
          change(0), change(1), quantity, reason);
      case EventCodec.SHORTAGE_DETECTED -> new Event.ShortageDetected(sequence, time, actor, sku,
          location, available);
      case EventCodec.HOLD_RESERVED -> new Event.HoldReserved(sequence, time, actor, holdId,
          lineList(), customer, reference, expiresAt, changeList());
      case EventCodec.HOLD_CONFIRMED -> new Event.HoldConfirmed(sequence, time, actor, holdId,
          changeList());
      case EventCodec.HOLD_RELEASED -> new Event.HoldReleased(sequence, time, actor, holdId,
          changeList());
      case EventCodec.HOLD_EXPIRED -> new Event.HoldExpired(sequence, time, actor, holdId,
          changeList());
      case EventCodec.HOLD_EXTENDED -> new Event.HoldExtended(sequence, time, actor, holdId,
          expiresAt);
      case EventCodec.HOLD_FULFILLED -> new Event.HoldFulfilled(sequence, time, actor, holdId,
          changeList());
      case EventCodec.STOCK_FULFILLED -> new Event.StockFulfilled(sequence, time, actor,
          change(0), quantity, reason);
      case EventCodec.STOCK_RESTOCKED -> new Event.StockRestocked(sequence, time, actor,
          change(0), quantity, reason);
      case EventCodec.REQUEST_RECORDED -> new Event.RequestRecorded(sequence, time, actor, key,
          fingerprint, firstSequence);
      default -> throw new IllegalStateException("no event decoded (type " + type + ")");
    };
  }
}
