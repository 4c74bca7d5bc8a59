package io.stockroom.engine;

/**
 * How one stock level changed in one event: the quantities before and after, and the level's
 * version after the change (versions start at 1 and grow by one per change). Replay checks that
 * {@code before} equals the state it holds, so a journal that skipped or reordered an event is
 * caught at the first level it touches.
 */
public record LevelChange(
    String sku, String location, Quantities before, Quantities after, long version) {}
