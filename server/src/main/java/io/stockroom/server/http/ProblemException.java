package io.stockroom.server.http;

import io.stockroom.engine.Rejection;
import io.stockroom.engine.Result;
import io.stockroom.engine.Shortage;
import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem to answer with: thrown by handlers, rendered as
 * {@code application/problem+json} by {@link Problems}. {@code type} is a stable slug per reason
 * (documented in docs/API.md), rendered as {@code urn:stockroom:problem:<slug>}.
 */
public final class ProblemException extends RuntimeException {

  private final int status;
  private final String slug;
  private final String title;
  private final Map<String, Object> extra;
  private final int retryAfterSeconds;

  public ProblemException(int status, String slug, String title, String detail) {
    this(status, slug, title, detail, Map.of(), 0);
  }

  public ProblemException(int status, String slug, String title, String detail,
      Map<String, Object> extra, int retryAfterSeconds) {
    super(detail, null, false, false);
    this.status = status;
    this.slug = slug;
    this.title = title;
    this.extra = extra;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(400, "invalid-request", "The request is invalid", detail);
  }

  public static ProblemException unavailable(String detail, int retryAfterSeconds) {
    return new ProblemException(503, "unavailable", "Service unavailable", detail, Map.of(),
        retryAfterSeconds);
  }

  /** The one place engine rejections become HTTP statuses and problem types. */
  public static ProblemException of(Result result) {
    Rejection rejection = result.rejection();
    String detail = result.detail();
    return switch (rejection) {
      case INVALID_ARGUMENT -> new ProblemException(400, "invalid-argument",
          "A field is invalid", detail);
      case UNKNOWN_ITEM -> new ProblemException(404, "unknown-item", "No such item", detail);
      case INSUFFICIENT_STOCK -> new ProblemException(409, "insufficient-stock",
          "Not enough stock", detail, Map.of("shortages", shortages(result.shortages())), 0);
      case INSUFFICIENT_COMMITTED -> new ProblemException(409, "insufficient-committed",
          "Not enough committed stock", detail);
      case QUANTITY_LIMIT_EXCEEDED -> new ProblemException(422, "quantity-limit-exceeded",
          "A quantity would exceed its limit", detail);
      case VERSION_CONFLICT -> new ProblemException(409, "version-conflict",
          "The stock level changed since it was read", detail);
      case HOLD_NOT_FOUND -> new ProblemException(404, "unknown-reservation",
          "No such reservation", detail);
      case HOLD_ID_TAKEN -> new ProblemException(409, "reservation-exists",
          "A reservation with this id exists", detail);
      case HOLD_EXPIRED -> new ProblemException(409, "reservation-expired",
          "The reservation expired", detail);
      case HOLD_ALREADY_CONFIRMED -> new ProblemException(409, "reservation-confirmed",
          "The reservation was already confirmed", detail);
      case HOLD_ALREADY_RELEASED -> new ProblemException(409, "reservation-released",
          "The reservation was already released", detail);
      case HOLD_ALREADY_FULFILLED -> new ProblemException(409, "reservation-fulfilled",
          "The reservation was already fulfilled", detail);
      case HOLD_NOT_CONFIRMED -> new ProblemException(409, "reservation-not-confirmed",
          "The reservation is not confirmed", detail);
      case CUSTOMER_LIMIT_EXCEEDED -> new ProblemException(429, "customer-limit-exceeded",
          "The customer holds too much already", detail);
      case IDEMPOTENCY_KEY_REUSED -> new ProblemException(422, "idempotency-key-reused",
          "The Idempotency-Key was used for a different request", detail);
      case CAPACITY_EXCEEDED -> new ProblemException(409, "capacity-exceeded",
          "A capacity limit is reached", detail);
    };
  }

  private static List<Map<String, Object>> shortages(List<Shortage> shortages) {
    return shortages.stream().map(s -> {
      Map<String, Object> fields = new java.util.LinkedHashMap<>(); // a stable field order
      fields.put("sku", s.sku());
      fields.put("location", s.location());
      fields.put("requested", s.requested());
      fields.put("available", s.available());
      return fields;
    }).toList();
  }

  public int status() {
    return status;
  }

  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }

  public Map<String, Object> extra() {
    return extra;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
