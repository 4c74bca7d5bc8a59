package io.stockroom.engine;

/** A hold line that could not be met: what was asked for and what was available. */
public record Shortage(String sku, String location, int requested, long available) {}
