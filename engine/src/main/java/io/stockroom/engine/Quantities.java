package io.stockroom.engine;

/**
 * The quantities of one stock level at one moment. {@link #available()} is derived and may be
 * negative only after a stock count or safety-stock change left fewer units than promised; the
 * engine reports that with a {@link Event.ShortageDetected} event rather than hiding it.
 */
public record Quantities(int onHand, int reserved, int committed, int safetyStock) {

  public static final Quantities ZERO = new Quantities(0, 0, 0, 0);

  /** {@code onHand - reserved - committed - safetyStock}, computed in long so it cannot wrap. */
  public long available() {
    return (long) onHand - reserved - committed - safetyStock;
  }
}
