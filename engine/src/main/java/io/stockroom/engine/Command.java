package io.stockroom.engine;

import java.util.List;

/**
 * Everything that can change inventory. Commands carry no time: the sequencer passes the time
 * of the batch to {@link Engine#apply}, so the same commands at the same times always produce
 * the same events. String fields are validated by the engine against {@link Limits}; a bad
 * value is rejected with {@link Rejection#INVALID_ARGUMENT}, never thrown.
 */
public sealed interface Command {

  /** Creates an item, or renames/recategorises an existing one. */
  record DefineItem(String sku, String name, String category) implements Command {}

  /** Adds {@code quantity} units to {@code onHand} (goods in). */
  record Receive(String sku, String location, int quantity, String reason) implements Command {}

  /**
   * Sets {@code onHand} to what a stock count found; reality wins. With {@code expectedVersion}
   * >= 0 it is a compare-and-set on the level's version ({@link #ANY_VERSION} to skip it).
   */
  record Adjust(String sku, String location, int onHand, long expectedVersion, String reason)
      implements Command {
    public static final long ANY_VERSION = -1;
  }

  /** Sets the units at a level that are never offered for sale. */
  record SetSafetyStock(String sku, String location, int safetyStock) implements Command {}

  /** Moves available units between two locations of one item, atomically. */
  record Transfer(String sku, String fromLocation, String toLocation, int quantity, String reason)
      implements Command {}

  /** Holds units for a checkout: every line or none. */
  record Reserve(
      String holdId, List<HoldLine> lines, String customer, String reference, long timeoutMillis)
      implements Command {}

  /** Turns an active hold into a sale: reserved units become committed. */
  record Confirm(String holdId) implements Command {}

  /** Gives an active hold's units back. */
  record Release(String holdId) implements Command {}

  /** Sets an active hold's expiry to {@code timeoutMillis} from now. */
  record Extend(String holdId, long timeoutMillis) implements Command {}

  /** Ships a confirmed hold: its committed units leave {@code onHand}. */
  record FulfilHold(String holdId) implements Command {}

  /** Ships committed units of one level, independently of holds (ERP-driven shipping). */
  record Fulfil(String sku, String location, int quantity, String reason) implements Command {}

  /** Puts returned units back on hand. */
  record Restock(String sku, String location, int quantity, String reason) implements Command {}

  /**
   * A command sent with an idempotency key. The first time, {@code command} is applied and, if
   * accepted, remembered with {@code fingerprint} (a digest of the request it came from). A
   * repeat with the same fingerprint changes nothing and answers with the original events; a
   * repeat with another fingerprint is {@link Rejection#IDEMPOTENCY_KEY_REUSED}. Rejected
   * commands are not remembered: retrying them runs them again.
   */
  record Keyed(String key, long fingerprint, Command command) implements Command {}

  /**
   * {@code command} on behalf of {@code actor} (who the service authenticated), which every
   * event it causes records; unattributed commands record {@link Event#SYSTEM_ACTOR}. Wraps a
   * {@link Keyed} command or is wrapped by one, but never another {@code Attributed}.
   */
  record Attributed(String actor, Command command) implements Command {}

  /** Only lets time pass, so holds past their deadline expire when nothing else happens. */
  record Tick() implements Command {}
}
