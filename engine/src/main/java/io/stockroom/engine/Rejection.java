package io.stockroom.engine;

/** Why a command changed nothing. The server maps each to one HTTP status and problem type. */
public enum Rejection {
  /** A field broke a format or {@link Limits} rule (bad SKU characters, zero quantity, ...). */
  INVALID_ARGUMENT,
  /** The SKU names no item. */
  UNKNOWN_ITEM,
  /** At least one hold line asked for more than was available; the shortages say which. */
  INSUFFICIENT_STOCK,
  /** A transfer or fulfilment asked for more than the level has. */
  INSUFFICIENT_COMMITTED,
  /** A quantity would exceed {@link Limits#quantityMax()}. */
  QUANTITY_LIMIT_EXCEEDED,
  /** An adjust's expected version is not the level's version. */
  VERSION_CONFLICT,
  /** No hold (active or retained) has this id. */
  HOLD_NOT_FOUND,
  /** A hold with this id already exists (or is still retained after resolving). */
  HOLD_ID_TAKEN,
  /** The hold expired before this command. */
  HOLD_EXPIRED,
  /** The hold was already confirmed. */
  HOLD_ALREADY_CONFIRMED,
  /** The hold was already released. */
  HOLD_ALREADY_RELEASED,
  /** The hold was already fulfilled. */
  HOLD_ALREADY_FULFILLED,
  /** Fulfilment needs a confirmed hold and this one is still active. */
  HOLD_NOT_CONFIRMED,
  /**
   * The customer already has {@link Limits#customerHoldsActiveMax()} active holds, or this hold
   * would take their held units past {@link Limits#customerUnitsHeldMax()} (anti-hoarding).
   */
  CUSTOMER_LIMIT_EXCEEDED,
  /** The idempotency key was used before for a different request. */
  IDEMPOTENCY_KEY_REUSED,
  /** A capacity limit of the engine (items, locations, active holds) is reached. */
  CAPACITY_EXCEEDED
}
