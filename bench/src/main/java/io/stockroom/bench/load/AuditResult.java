package io.stockroom.bench.load;

import java.util.List;

/**
 * What the audit found, reading back the final stock and the event log after a run.
 *
 * @param passed every check held
 * @param oversold units sold beyond the units received (must be 0): the larger of what the log
 *     and what the clients' acknowledged confirmations say, plus any level the log shows below
 *     zero available
 * @param undersold units neither sold nor held when demand exceeded supply and every winner
 *     confirmed (must be 0), or -1 when that does not apply to the run
 * @param unitsConserved per SKU the final stock equals what the log adds up to: on hand as
 *     received, reserved as the units of the holds still active, committed as those confirmed,
 *     and available as the rest
 * @param acknowledged reservations the service answered 201
 * @param rejected reservations the service refused (409)
 * @param unknown reservations whose outcome the client never learned (timeout, connection
 *     failure, 5xx): not checked either way
 * @param acknowledgedMissing acknowledged reservations (or confirmations, releases) absent from
 *     the log (must be 0)
 * @param rejectedPresent refused reservations present in the log (must be 0)
 * @param eventsRead events read back from {@code GET /v1/events}
 * @param violations the first violations found, as sentences
 */
public record AuditResult(
    boolean passed,
    long oversold,
    long undersold,
    boolean unitsConserved,
    long acknowledged,
    long rejected,
    long unknown,
    long acknowledgedMissing,
    long rejectedPresent,
    long eventsRead,
    List<String> violations) {}
