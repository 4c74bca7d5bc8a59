package io.stockroom.journal;

/**
 * A state blob the caller saved at a sequence: the state after applying records 1..sequence. Replay
 * continues with the record at {@code sequence + 1}.
 */
public record Snapshot(long sequence, byte[] state) {}
