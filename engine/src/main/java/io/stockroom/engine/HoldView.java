package io.stockroom.engine;

import java.util.List;

/** A read-only copy of a hold at one moment. */
public record HoldView(
    String id,
    HoldState state,
    List<HoldLine> lines,
    String customer,
    String reference,
    long expiresAt) {}
