package io.stockroom.journal;

/** A segment file known to the journal: its name and the first sequence its header names. */
record SegmentRef(String name, long firstSequence) {}
