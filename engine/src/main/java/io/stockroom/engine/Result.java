package io.stockroom.engine;

import java.util.List;

/**
 * The outcome of one command. Accepted commands share one instance (no allocation on the hot
 * path); their details are in the events they appended. Rejected commands changed nothing.
 */
public final class Result {

  public static final Result ACCEPTED = new Result(null, "", List.of(), 0, 0);

  private final Rejection rejection;
  private final String detail;
  private final List<Shortage> shortages;
  private final long originalFirstSequence;
  private final long originalLastSequence;

  private Result(Rejection rejection, String detail, List<Shortage> shortages,
      long originalFirstSequence, long originalLastSequence) {
    this.rejection = rejection;
    this.detail = detail;
    this.shortages = shortages;
    this.originalFirstSequence = originalFirstSequence;
    this.originalLastSequence = originalLastSequence;
  }

  /** A repeat of an already accepted keyed command: its events were these. */
  public static Result duplicate(long firstSequence, long lastSequence) {
    return new Result(null, "", List.of(), firstSequence, lastSequence);
  }

  /** True for a repeated keyed command that changed nothing this time. */
  public boolean duplicate() {
    return originalFirstSequence != 0;
  }

  /** For a {@link #duplicate()}: the first event of the original command. */
  public long originalFirstSequence() {
    return originalFirstSequence;
  }

  /** For a {@link #duplicate()}: the last event of the original command. */
  public long originalLastSequence() {
    return originalLastSequence;
  }

  public static Result rejected(Rejection rejection, String detail) {
    return new Result(rejection, detail, List.of(), 0, 0);
  }

  public static Result insufficientStock(List<Shortage> shortages) {
    StringBuilder detail = new StringBuilder("not enough stock:");
    for (int i = 0; i < shortages.size() && i < 5; i++) {
      Shortage s = shortages.get(i);
      detail.append(i == 0 ? " " : "; ").append(s.sku()).append('@').append(s.location())
          .append(" requested ").append(s.requested()).append(", available ")
          .append(s.available());
    }
    if (shortages.size() > 5) {
      detail.append("; and ").append(shortages.size() - 5).append(" more");
    }
    return new Result(Rejection.INSUFFICIENT_STOCK, detail.toString(), List.copyOf(shortages),
        0, 0);
  }

  public boolean accepted() {
    return rejection == null;
  }

  /** The reason, or {@code null} when accepted. */
  public Rejection rejection() {
    return rejection;
  }

  /** A human-readable explanation; empty when accepted. */
  public String detail() {
    return detail;
  }

  /** For {@link Rejection#INSUFFICIENT_STOCK}: every line that fell short. */
  public List<Shortage> shortages() {
    return shortages;
  }

  @Override
  public String toString() {
    if (duplicate()) {
      return "DUPLICATE(" + originalFirstSequence + ".." + originalLastSequence + ")";
    }
    return accepted() ? "ACCEPTED" : rejection + "(" + detail + ")";
  }
}
