package io.stockroom.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.LevelChange;
import io.stockroom.engine.Quantities;
import java.io.IOException;
import java.util.List;

/**
 * The one JSON schema of events on the wire ({@code /v1/events}, SSE, WebSocket, later Kafka and
 * webhooks). Every event has {@code sequence}, {@code type} (the event's name in kebab case),
 * {@code time} (epoch ms), {@code actor} (who caused it) and its fields; a level change is
 * {@code {"sku","location","before":{..},"after":{..},"version"}} with quantities
 * {@code {"onHand","reserved","committed","safetyStock","available"}}. Documented in docs/API.md.
 */
public final class EventJson {

  private EventJson() {}

  /** The wire name of an event type, e.g. {@code hold-reserved}. */
  public static String type(Event event) {
    return switch (event) {
      case Event.ItemDefined e -> "item-defined";
      case Event.StockReceived e -> "stock-received";
      case Event.StockAdjusted e -> "stock-adjusted";
      case Event.SafetyStockSet e -> "safety-stock-set";
      case Event.StockTransferred e -> "stock-transferred";
      case Event.ShortageDetected e -> "shortage-detected";
      case Event.HoldReserved e -> "hold-reserved";
      case Event.HoldConfirmed e -> "hold-confirmed";
      case Event.HoldReleased e -> "hold-released";
      case Event.HoldExpired e -> "hold-expired";
      case Event.HoldExtended e -> "hold-extended";
      case Event.HoldFulfilled e -> "hold-fulfilled";
      case Event.StockFulfilled e -> "stock-fulfilled";
      case Event.StockRestocked e -> "stock-restocked";
      case Event.RequestRecorded e -> "request-recorded";
    };
  }

  /** The SKUs an event touches (for stream filters). */
  public static List<String> skus(Event event) {
    return switch (event) {
      case Event.ItemDefined e -> List.of(e.sku());
      case Event.StockReceived e -> List.of(e.change().sku());
      case Event.StockAdjusted e -> List.of(e.change().sku());
      case Event.SafetyStockSet e -> List.of(e.change().sku());
      case Event.StockTransferred e -> List.of(e.from().sku());
      case Event.ShortageDetected e -> List.of(e.sku());
      case Event.HoldReserved e -> e.lines().stream().map(HoldLine::sku).toList();
      case Event.HoldConfirmed e -> e.changes().stream().map(LevelChange::sku).toList();
      case Event.HoldReleased e -> e.changes().stream().map(LevelChange::sku).toList();
      case Event.HoldExpired e -> e.changes().stream().map(LevelChange::sku).toList();
      case Event.HoldFulfilled e -> e.changes().stream().map(LevelChange::sku).toList();
      case Event.StockFulfilled e -> List.of(e.change().sku());
      case Event.StockRestocked e -> List.of(e.change().sku());
      case Event.HoldExtended e -> List.of();
      case Event.RequestRecorded e -> List.of();
    };
  }

  /** The level changes an event carries (for stream filters by location). */
  public static List<LevelChange> changes(Event event) {
    return event.changes();
  }

  public static void write(JsonGenerator json, Event event) throws IOException {
    json.writeStartObject();
    json.writeNumberField("sequence", event.sequence());
    json.writeStringField("type", type(event));
    json.writeNumberField("time", event.time());
    json.writeStringField("actor", event.actor());
    switch (event) {
      case Event.ItemDefined e -> {
        json.writeStringField("sku", e.sku());
        json.writeStringField("name", e.name());
        json.writeStringField("category", e.category());
      }
      case Event.StockReceived e -> {
        change(json, "change", e.change());
        json.writeNumberField("quantity", e.quantity());
        json.writeStringField("reason", e.reason());
      }
      case Event.StockAdjusted e -> {
        change(json, "change", e.change());
        json.writeStringField("reason", e.reason());
      }
      case Event.SafetyStockSet e -> change(json, "change", e.change());
      case Event.StockTransferred e -> {
        change(json, "from", e.from());
        change(json, "to", e.to());
        json.writeNumberField("quantity", e.quantity());
        json.writeStringField("reason", e.reason());
      }
      case Event.ShortageDetected e -> {
        json.writeStringField("sku", e.sku());
        json.writeStringField("location", e.location());
        json.writeNumberField("available", e.available());
      }
      case Event.HoldReserved e -> {
        json.writeStringField("reservationId", e.holdId());
        lines(json, e.lines());
        json.writeStringField("customer", e.customer());
        json.writeStringField("reference", e.reference());
        json.writeNumberField("expiresAt", e.expiresAt());
        changes(json, e.changes());
      }
      case Event.HoldConfirmed e -> hold(json, e.holdId(), e.changes());
      case Event.HoldReleased e -> hold(json, e.holdId(), e.changes());
      case Event.HoldExpired e -> hold(json, e.holdId(), e.changes());
      case Event.HoldFulfilled e -> hold(json, e.holdId(), e.changes());
      case Event.HoldExtended e -> {
        json.writeStringField("reservationId", e.holdId());
        json.writeNumberField("expiresAt", e.expiresAt());
      }
      case Event.StockFulfilled e -> {
        change(json, "change", e.change());
        json.writeNumberField("quantity", e.quantity());
        json.writeStringField("reason", e.reason());
      }
      case Event.StockRestocked e -> {
        change(json, "change", e.change());
        json.writeNumberField("quantity", e.quantity());
        json.writeStringField("reason", e.reason());
      }
      case Event.RequestRecorded e -> json.writeNumberField("firstSequence", e.firstSequence());
    }
    json.writeEndObject();
  }

  private static void hold(JsonGenerator json, String holdId, List<LevelChange> changes)
      throws IOException {
    json.writeStringField("reservationId", holdId);
    changes(json, changes);
  }

  static void lines(JsonGenerator json, List<HoldLine> lines) throws IOException {
    json.writeArrayFieldStart("lines");
    for (HoldLine line : lines) {
      json.writeStartObject();
      json.writeStringField("sku", line.sku());
      json.writeStringField("location", line.location());
      json.writeNumberField("quantity", line.quantity());
      json.writeEndObject();
    }
    json.writeEndArray();
  }

  private static void changes(JsonGenerator json, List<LevelChange> changes) throws IOException {
    json.writeArrayFieldStart("changes");
    for (LevelChange change : changes) {
      change(json, null, change);
    }
    json.writeEndArray();
  }

  private static void change(JsonGenerator json, String field, LevelChange change)
      throws IOException {
    if (field == null) {
      json.writeStartObject();
    } else {
      json.writeObjectFieldStart(field);
    }
    json.writeStringField("sku", change.sku());
    json.writeStringField("location", change.location());
    quantities(json, "before", change.before());
    quantities(json, "after", change.after());
    json.writeNumberField("version", change.version());
    json.writeEndObject();
  }

  static void quantities(JsonGenerator json, String field, Quantities q) throws IOException {
    json.writeObjectFieldStart(field);
    json.writeNumberField("onHand", q.onHand());
    json.writeNumberField("reserved", q.reserved());
    json.writeNumberField("committed", q.committed());
    json.writeNumberField("safetyStock", q.safetyStock());
    json.writeNumberField("available", q.available());
    json.writeEndObject();
  }
}
