package io.stockroom.bench.load;

/**
 * A run's state, reported about four times a second while it runs (the live status line).
 *
 * @param phase {@code setup}, {@code warmup}, {@code ceiling}, {@code run}, {@code drain} or
 *     {@code audit}
 * @param elapsedMillis since the phase began
 * @param requests answered or failed in the phase so far
 * @param errors of those, how many were errors (see {@link LoadReport#errors()})
 * @param inFlight sessions running now
 * @param waiting open loop: sessions due by the schedule but not yet sent (the in-flight bound
 *     is reached); closed loop: 0
 * @param requestsPerSecond over the last second
 */
public record Progress(String phase, long elapsedMillis, long requests, long errors,
    long inFlight, long waiting, double requestsPerSecond) {}
