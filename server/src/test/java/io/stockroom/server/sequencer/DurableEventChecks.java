package io.stockroom.server.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.LevelChange;
import java.util.HashMap;
import java.util.Map;

/**
 * Named invariants over the stream of durable events of one simulated shop, across every crash
 * and restart: each durable event passes through {@link #accept} exactly once, whether a
 * subscriber was told of it live or recovery found it on disk (a batch whose fsync failed but
 * whose pages reached the disk anyway).
 */
final class DurableEventChecks {

  private final String where;
  /**
   * With a sweep bound far above the number of holds, every expiry comes from a sweep in
   * deadline order. Under a tight bound a command may expire a due hold it touches before the
   * sweep reaches an earlier one (documented in docs/ARCHITECTURE.md), so the order is not
   * checked then.
   */
  private final boolean sweepsInDeadlineOrder;
  private final Map<String, Long> deadlines = new HashMap<>();
  /** Per hold id: 0 while active, 1 once resolved. */
  private final Map<String, Integer> resolutions = new HashMap<>();
  /** Sum of all before/after deltas: onHand, reserved, committed, safetyStock. */
  private final long[] totals = new long[4];
  private long lastSequence;
  private long lastTime = Long.MIN_VALUE;
  private long lastExpiredDeadline = Long.MIN_VALUE;
  private long expiries;

  DurableEventChecks(String where, boolean sweepsInDeadlineOrder) {
    this.where = where;
    this.sweepsInDeadlineOrder = sweepsInDeadlineOrder;
  }

  long lastSequence() {
    return lastSequence;
  }

  long expiries() {
    return expiries;
  }

  void accept(Event event) {
    assertThat(event.sequence()).as("SequenceGapFree %s", where).isEqualTo(lastSequence + 1);
    assertThat(event.time()).as("TimeNeverRunsBackward %s at %d", where, event.sequence())
        .isGreaterThanOrEqualTo(lastTime);
    lastSequence = event.sequence();
    lastTime = event.time();
    for (LevelChange change : event.changes()) {
      totals[0] += change.after().onHand() - change.before().onHand();
      totals[1] += change.after().reserved() - change.before().reserved();
      totals[2] += change.after().committed() - change.before().committed();
      totals[3] += change.after().safetyStock() - change.before().safetyStock();
    }
    switch (event) {
      case Event.HoldReserved e -> reserved(e);
      case Event.HoldExtended e -> deadlines.put(e.holdId(), e.expiresAt());
      case Event.HoldExpired e -> expired(e);
      case Event.HoldConfirmed e -> resolved(e.holdId(), e.sequence());
      case Event.HoldReleased e -> resolved(e.holdId(), e.sequence());
      default -> { }
    }
  }

  private void reserved(Event.HoldReserved e) {
    // A hold id may come back only once the first hold of that name is resolved and forgotten.
    Integer earlier = resolutions.get(e.holdId());
    assertThat(earlier == null || earlier == 1).as("HoldResolvesOnce %s: %s reserved while"
        + " still active, at %d", where, e.holdId(), e.sequence()).isTrue();
    resolutions.put(e.holdId(), 0);
    deadlines.put(e.holdId(), e.expiresAt());
    assertThat(e.expiresAt()).as("HoldDeadlineAhead %s: %s", where, e.holdId())
        .isGreaterThan(e.time());
  }

  private void expired(Event.HoldExpired e) {
    long deadline = deadlines.get(e.holdId());
    assertThat(e.time()).as("NoHoldExpiresEarly %s: %s due at %d expired at %d (event %d)",
        where, e.holdId(), deadline, e.time(), e.sequence()).isGreaterThanOrEqualTo(deadline);
    if (sweepsInDeadlineOrder) {
      assertThat(deadline).as("ExpiriesInDeadlineOrder %s: %s due at %d expired after a hold"
          + " due at %d (event %d)", where, e.holdId(), deadline, lastExpiredDeadline,
          e.sequence()).isGreaterThanOrEqualTo(lastExpiredDeadline);
    }
    lastExpiredDeadline = Math.max(lastExpiredDeadline, deadline);
    expiries++;
    resolved(e.holdId(), e.sequence());
  }

  private void resolved(String holdId, long sequence) {
    assertThat(resolutions.merge(holdId, 1, Integer::sum))
        .as("HoldResolvesOnce %s: %s resolved twice, at %d", where, holdId, sequence)
        .isEqualTo(1);
  }

  /**
   * {@code UnitsConserved}: the deltas of every durable event add up to {@code durable}'s
   * stock, and {@code StockNeverNegative}: none of its quantities is below zero.
   */
  void checkState(Engine durable, String when) {
    long[] state = new long[4];
    durable.forEachItem(item -> item.levels().forEach(level -> {
      var q = level.quantities();
      assertThat(q.onHand() >= 0 && q.reserved() >= 0 && q.committed() >= 0
          && q.safetyStock() >= 0).as("StockNeverNegative %s %s: %s@%s %s", where, when,
          item.sku(), level.location(), q).isTrue();
      state[0] += q.onHand();
      state[1] += q.reserved();
      state[2] += q.committed();
      state[3] += q.safetyStock();
    }));
    assertThat(state).as("UnitsConserved %s %s (event deltas vs state)", where, when)
        .isEqualTo(totals);
  }
}
