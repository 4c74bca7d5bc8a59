package io.stockroom.engine;

/** One line of a hold: {@code quantity} units of {@code sku} at {@code location}. */
public record HoldLine(String sku, String location, int quantity) {}
