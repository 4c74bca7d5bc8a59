package io.stockroom.bench.load;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the clients were told about each reservation they asked for: the audit checks the event
 * log against it. A claim is written only by the session that made it; the run joins every
 * session before the audit reads them. A run that will not be audited (warm-ups, ceilings,
 * {@code --no-audit}) keeps none: in process, ~150 B per reservation of the generator's would
 * otherwise survive every young collection beside the service's own state.
 */
final class Outcomes {

  private final Map<String, Claim> claims = new ConcurrentHashMap<>();
  private final boolean recording;

  private Outcomes(boolean recording) {
    this.recording = recording;
  }

  /** Outcomes the audit will read. */
  static Outcomes recorded() {
    return new Outcomes(true);
  }

  /** Outcomes of a run nobody audits: nothing is kept. */
  static Outcomes discarded() {
    return new Outcomes(false);
  }

  /** How a client ended a hold it got. */
  enum Resolution { CONFIRM, RELEASE }

  /** One reservation as its client saw it. */
  static final class Claim {
    final String id;
    final Map<String, Long> units; // SKU -> units asked for
    int reserveStatus;
    Resolution resolution;
    int resolveStatus;

    Claim(String id, Map<String, Long> units, int reserveStatus) {
      this.id = id;
      this.units = Map.copyOf(units);
      this.reserveStatus = reserveStatus;
    }
  }

  void add(Claim claim) {
    if (!recording) {
      return;
    }
    if (claims.putIfAbsent(claim.id, claim) != null) {
      throw new IllegalStateException("reservation id used twice by the generator: " + claim.id);
    }
  }

  Collection<Claim> claims() {
    return claims.values();
  }

  /**
   * Reserves {@code units} (SKU -> quantity) under {@code id} through {@code session}; returns
   * whether the service acknowledged it (201).
   */
  static boolean reserve(Session session, String id, Map<String, Long> units, int ttlSeconds) {
    StringBuilder body = new StringBuilder(96).append("{\"id\":\"").append(id)
        .append("\",\"lines\":[");
    boolean first = true;
    for (Map.Entry<String, Long> line : units.entrySet()) {
      body.append(first ? "" : ",").append("{\"sku\":\"").append(line.getKey())
          .append("\",\"quantity\":").append(line.getValue()).append('}');
      first = false;
    }
    body.append("],\"ttlSeconds\":").append(ttlSeconds).append('}');
    Http.Response response = session.call("reserve", "POST", "/v1/reservations",
        body.toString().getBytes(StandardCharsets.UTF_8));
    session.outcomes().add(new Claim(id, units, response.status()));
    return response.is(201);
  }

  /** Confirms or releases the acknowledged hold {@code id}. */
  static void resolve(Session session, String id, Resolution resolution) {
    String operation = resolution == Resolution.CONFIRM ? "confirm" : "release";
    Http.Response response = session.call(operation, "POST",
        "/v1/reservations/" + id + "/" + operation, null);
    if (!session.outcomes().recording) {
      return; // nobody audits this run
    }
    Claim claim = session.outcomes().claims.get(id);
    claim.resolution = resolution;
    claim.resolveStatus = response.status();
  }
}
