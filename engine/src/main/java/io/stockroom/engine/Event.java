package io.stockroom.engine;

import java.util.List;

/**
 * An immutable fact about inventory. Every event has a gap-free {@link #sequence()} (the first
 * event is 1) and the {@link #time()} of the command that caused it; its type names that command
 * (an {@link HoldExpired} is caused by time passing). Every event that moves units carries the
 * before/after quantities of each level it touched, so consumers never need engine state and
 * {@link Engine#replay} can check each event against what it holds.
 */
public sealed interface Event {

  long sequence();

  long time();

  /**
   * Who caused this event: {@link #SYSTEM_ACTOR} for what time does (expiry) and for commands
   * nobody attributed, otherwise the caller the service authenticated ({@code key:<key id>} or
   * {@code jwt:<subject>}). Never a secret.
   */
  String actor();

  /** The actor of events no caller asked for. */
  String SYSTEM_ACTOR = "system";

  /** The stock levels this event changed, in order; empty for events that move no units. */
  default List<LevelChange> changes() {
    return switch (this) {
      case StockReceived e -> List.of(e.change());
      case StockAdjusted e -> List.of(e.change());
      case SafetyStockSet e -> List.of(e.change());
      case StockFulfilled e -> List.of(e.change());
      case StockRestocked e -> List.of(e.change());
      case StockTransferred e -> List.of(e.from(), e.to());
      case HoldReserved e -> e.changes();
      case HoldConfirmed e -> e.changes();
      case HoldReleased e -> e.changes();
      case HoldExpired e -> e.changes();
      case HoldFulfilled e -> e.changes();
      case ItemDefined e -> List.of();
      case ShortageDetected e -> List.of();
      case HoldExtended e -> List.of();
      case RequestRecorded e -> List.of();
    };
  }

  record ItemDefined(
      long sequence, long time, String actor, String sku, String name, String category)
      implements Event {}

  record StockReceived(
      long sequence, long time, String actor, LevelChange change, int quantity, String reason)
      implements Event {}

  record StockAdjusted(long sequence, long time, String actor, LevelChange change, String reason)
      implements Event {}

  record SafetyStockSet(long sequence, long time, String actor, LevelChange change)
      implements Event {}

  record StockTransferred(
      long sequence, long time, String actor,
      LevelChange from, LevelChange to, int quantity, String reason)
      implements Event {}

  /** Emitted right after an event that left {@code available} below zero at a level. */
  record ShortageDetected(
      long sequence, long time, String actor,
      String sku, String location, long available) implements Event {}

  record HoldReserved(
      long sequence,
      long time,
      String actor,
      String holdId,
      List<HoldLine> lines,
      String customer,
      String reference,
      long expiresAt,
      List<LevelChange> changes) implements Event {}

  record HoldConfirmed(
      long sequence, long time, String actor, String holdId, List<LevelChange> changes)
      implements Event {}

  record HoldReleased(
      long sequence, long time, String actor, String holdId, List<LevelChange> changes)
      implements Event {}

  record HoldExpired(
      long sequence, long time, String actor, String holdId, List<LevelChange> changes)
      implements Event {}

  record HoldExtended(long sequence, long time, String actor, String holdId, long expiresAt)
      implements Event {}

  record HoldFulfilled(
      long sequence, long time, String actor, String holdId, List<LevelChange> changes)
      implements Event {}

  record StockFulfilled(
      long sequence, long time, String actor, LevelChange change, int quantity, String reason)
      implements Event {}

  record StockRestocked(
      long sequence, long time, String actor, LevelChange change, int quantity, String reason)
      implements Event {}

  /**
   * An idempotency key was used by an accepted command whose events are
   * {@code firstSequence .. sequence - 1}. Always the last event of that command, so an atomic
   * journal batch never keeps the command without its key or the key without its command.
   */
  record RequestRecorded(long sequence, long time, String actor, String key, long fingerprint,
      long firstSequence) implements Event {}
}
