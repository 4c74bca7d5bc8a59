package io.stockroom.engine;

import java.util.List;

/**
 * The outcome of one command. Accepted commands share one instance (no allocation on the hot
 * path); their details are in the events they appended. Rejected commands changed nothing.
 */
public final class Result {

  public static final Result ACCEPTED = new Result(null, "", List.of());

  private final Rejection rejection;
  private final String detail;
  private final List<Shortage> shortages;

  private Result(Rejection rejection, String detail, List<Shortage> shortages) {
    this.rejection = rejection;
    this.detail = detail;
    this.shortages = shortages;
  }

  public static Result rejected(Rejection rejection, String detail) {
    return new Result(rejection, detail, List.of());
  }

  public static Result insufficientStock(List<Shortage> shortages) {
    return new Result(Rejection.INSUFFICIENT_STOCK, "not enough stock for "
        + shortages.size() + " line(s)", List.copyOf(shortages));
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
    return accepted() ? "ACCEPTED" : rejection + "(" + detail + ")";
  }
}
