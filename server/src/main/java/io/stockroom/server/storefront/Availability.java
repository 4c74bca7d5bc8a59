package io.stockroom.server.storefront;

/**
 * What a storefront may know about a SKU's stock: a bucket, never a count (exact counts tell
 * competitors and scalper bots how a sale goes).
 */
public enum Availability {
  IN_STOCK("in_stock"),
  LOW("low"),
  OUT_OF_STOCK("out_of_stock");

  private final String wire;

  Availability(String wire) {
    this.wire = wire;
  }

  /** The name on the wire. */
  public String wire() {
    return wire;
  }

  /**
   * The bucket of {@code available} units (summed over locations, safety stock already taken
   * off): none or fewer is out of stock, up to {@code lowStockUnits} is low.
   */
  public static Availability of(long available, int lowStockUnits) {
    if (available <= 0) {
      return OUT_OF_STOCK;
    }
    return available <= lowStockUnits ? LOW : IN_STOCK;
  }
}
