package io.stockroom.engine;

/**
 * Every bound the engine enforces, in one place. Values are checked against each other by
 * {@link #validate()}; an invalid combination refuses to start rather than being clamped.
 *
 * <p>Quantities are {@code int} on purpose: a stock level is the hottest object in memory
 * (millions of them), and {@link #quantityMax} below 2^31 keeps every sum of two quantities
 * inside a {@code long} and every stored quantity inside an {@code int}.
 */
public record Limits(
    int identifierLengthMax,
    int nameLengthMax,
    int textLengthMax,
    int quantityMax,
    int linesPerHoldMax,
    int locationsPerItemMax,
    int itemsMax,
    int holdsActiveMax,
    int holdsResolvedRetainedMax,
    long holdTimeoutMillisMin,
    long holdTimeoutMillisMax,
    int expiriesPerCommandMax,
    int idempotencyKeysMax,
    long idempotencyWindowMillis,
    int customerHoldsActiveMax,
    int customerUnitsHeldMax) {

  /** The defaults documented in docs/CONFIGURATION.md. */
  public static final Limits DEFAULTS = new Limits(
      64,                // identifierLengthMax: characters in a SKU, location or hold id
      200,               // nameLengthMax: characters in an item name
      200,               // textLengthMax: characters in a category, customer, reference, reason
      1_000_000_000,     // quantityMax: units in any one quantity (onHand, a line, a receipt)
      100,               // linesPerHoldMax
      1_000,             // locationsPerItemMax
      10_000_000,        // itemsMax
      5_000_000,         // holdsActiveMax
      100_000,           // holdsResolvedRetainedMax: resolved holds kept for lookups
      1_000L,            // holdTimeoutMillisMin: 1 second
      7L * 24 * 3600_000L, // holdTimeoutMillisMax: 7 days
      1_000,             // expiriesPerCommandMax: holds expired by one command at most
      1_000_000,         // idempotencyKeysMax: idempotency keys remembered, oldest forgotten first
      24L * 3600_000L,   // idempotencyWindowMillis: how long a key is honoured: 24 hours
      20,                // customerHoldsActiveMax: active reservations one customer may have
      1_000);            // customerUnitsHeldMax: units one customer may hold in active reservations

  public Limits {
    validate(identifierLengthMax, nameLengthMax, textLengthMax, quantityMax, linesPerHoldMax,
        locationsPerItemMax, itemsMax, holdsActiveMax, holdsResolvedRetainedMax,
        holdTimeoutMillisMin, holdTimeoutMillisMax, expiriesPerCommandMax);
    require(idempotencyKeysMax >= 0, "idempotencyKeysMax must not be negative, was "
        + idempotencyKeysMax);
    require(idempotencyWindowMillis >= 1, "idempotencyWindowMillis must be positive, was "
        + idempotencyWindowMillis);
    require(customerHoldsActiveMax >= 1, "customerHoldsActiveMax must be positive, was "
        + customerHoldsActiveMax);
    require(customerUnitsHeldMax >= 1, "customerUnitsHeldMax must be positive, was "
        + customerUnitsHeldMax);
  }

  private static void validate(int identifierLengthMax, int nameLengthMax, int textLengthMax,
      int quantityMax, int linesPerHoldMax, int locationsPerItemMax, int itemsMax,
      int holdsActiveMax, int holdsResolvedRetainedMax, long holdTimeoutMillisMin,
      long holdTimeoutMillisMax, int expiriesPerCommandMax) {
    require(identifierLengthMax >= 1 && identifierLengthMax <= 255,
        "identifierLengthMax must be 1..255, was " + identifierLengthMax);
    require(nameLengthMax >= 1 && nameLengthMax <= 10_000,
        "nameLengthMax must be 1..10000, was " + nameLengthMax);
    require(textLengthMax >= 1 && textLengthMax <= 10_000,
        "textLengthMax must be 1..10000, was " + textLengthMax);
    // Sums of a few quantities must stay far from int overflow: onHand + receipt, reserved + line.
    require(quantityMax >= 1 && quantityMax <= 1_000_000_000,
        "quantityMax must be 1..1000000000, was " + quantityMax);
    require(linesPerHoldMax >= 1 && linesPerHoldMax <= 1_000,
        "linesPerHoldMax must be 1..1000, was " + linesPerHoldMax);
    require(locationsPerItemMax >= 1 && locationsPerItemMax <= 100_000,
        "locationsPerItemMax must be 1..100000, was " + locationsPerItemMax);
    require(itemsMax >= 1, "itemsMax must be positive, was " + itemsMax);
    require(holdsActiveMax >= 1, "holdsActiveMax must be positive, was " + holdsActiveMax);
    require(holdsResolvedRetainedMax >= 0,
        "holdsResolvedRetainedMax must not be negative, was " + holdsResolvedRetainedMax);
    require(holdTimeoutMillisMin >= 1,
        "holdTimeoutMillisMin must be positive, was " + holdTimeoutMillisMin);
    require(holdTimeoutMillisMax >= holdTimeoutMillisMin,
        "holdTimeoutMillisMax (" + holdTimeoutMillisMax + ") must be >= holdTimeoutMillisMin ("
            + holdTimeoutMillisMin + ")");
    require(holdTimeoutMillisMax <= 365L * 24 * 3600_000L,
        "holdTimeoutMillisMax must be at most one year, was " + holdTimeoutMillisMax);
    require(expiriesPerCommandMax >= 1,
        "expiriesPerCommandMax must be positive, was " + expiriesPerCommandMax);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException("invalid engine limits: " + message);
    }
  }
}
