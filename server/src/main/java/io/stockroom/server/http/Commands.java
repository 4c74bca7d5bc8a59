package io.stockroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.HoldLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * JSON request bodies to engine commands. Shapes and types are checked here; ranges, formats and
 * existence are the engine's (one authority, one set of messages). {@code location} defaults to
 * {@value Engine#DEFAULT_LOCATION} so a one-warehouse shop never names one.
 */
final class Commands {

  private static final long INT_MIN = Integer.MIN_VALUE;
  private static final long INT_MAX = Integer.MAX_VALUE;

  private final long ttlSecondsDefault;
  private final int linesMax;

  Commands(long ttlSecondsDefault, int linesMax) {
    this.ttlSecondsDefault = ttlSecondsDefault;
    this.linesMax = linesMax;
  }

  private static String location(ObjectNode body, String field) {
    String location = Json.string(body, field, false);
    return location == null ? Engine.DEFAULT_LOCATION : location;
  }

  private static int quantity(ObjectNode body, String field) {
    return (int) Json.integer(body, field, true, 0, INT_MIN, INT_MAX);
  }

  static final Set<String> ITEM_FIELDS = Set.of("name", "category", "safetyStock");

  static Command.DefineItem defineItem(String sku, ObjectNode body) {
    return new Command.DefineItem(sku, Json.string(body, "name", true),
        Json.string(body, "category", false));
  }

  static final Set<String> RECEIVE_FIELDS = Set.of("location", "quantity", "reason");

  static Command.Receive receive(String sku, ObjectNode body) {
    return new Command.Receive(sku, location(body, "location"), quantity(body, "quantity"),
        Json.string(body, "reason", false));
  }

  static Command.Restock restock(String sku, ObjectNode body) {
    return new Command.Restock(sku, location(body, "location"), quantity(body, "quantity"),
        Json.string(body, "reason", false));
  }

  static Command.Fulfil fulfil(String sku, ObjectNode body) {
    return new Command.Fulfil(sku, location(body, "location"), quantity(body, "quantity"),
        Json.string(body, "reason", false));
  }

  static final Set<String> ADJUST_FIELDS = Set.of("location", "onHand", "expectedVersion",
      "reason");

  static Command.Adjust adjust(String sku, ObjectNode body) {
    long expected = Json.integer(body, "expectedVersion", false, Command.Adjust.ANY_VERSION, 0,
        Long.MAX_VALUE);
    return new Command.Adjust(sku, location(body, "location"), quantity(body, "onHand"), expected,
        Json.string(body, "reason", false));
  }

  static final Set<String> SAFETY_FIELDS = Set.of("location", "safetyStock");

  static Command.SetSafetyStock safetyStock(String sku, ObjectNode body) {
    return new Command.SetSafetyStock(sku, location(body, "location"),
        quantity(body, "safetyStock"));
  }

  static final Set<String> TRANSFER_FIELDS = Set.of("from", "to", "quantity", "reason");

  static Command.Transfer transfer(String sku, ObjectNode body) {
    return new Command.Transfer(sku, location(body, "from"), Json.string(body, "to", true),
        quantity(body, "quantity"), Json.string(body, "reason", false));
  }

  static final Set<String> RESERVE_FIELDS = Set.of("id", "lines", "ttlSeconds", "customer",
      "reference");
  private static final Set<String> LINE_FIELDS = Set.of("sku", "location", "quantity");

  /** {@code id} is generated when absent; with an Idempotency-Key a retry gets the first id. */
  Command.Reserve reserve(ObjectNode body) {
    String id = Json.string(body, "id", false);
    JsonNode lines = body.get("lines");
    if (lines == null || !lines.isArray()) {
      throw ProblemException.badRequest("lines is required and must be an array");
    }
    if (lines.size() > linesMax) {
      throw ProblemException.badRequest("a reservation has at most " + linesMax + " lines, this"
          + " one has " + lines.size());
    }
    List<HoldLine> parsed = new ArrayList<>(lines.size());
    for (int i = 0; i < lines.size(); i++) {
      JsonNode line = lines.get(i);
      if (!line.isObject()) {
        throw ProblemException.badRequest("lines[" + i + "] must be an object");
      }
      ObjectNode object = (ObjectNode) line;
      Json.checkFields(object, LINE_FIELDS, "lines[" + i + "].");
      parsed.add(new HoldLine(Json.string(object, "sku", true), location(object, "location"),
          (int) Json.integer(object, "quantity", true, 0, INT_MIN, INT_MAX)));
    }
    long ttlSeconds = Json.integer(body, "ttlSeconds", false, ttlSecondsDefault, INT_MIN,
        INT_MAX);
    return new Command.Reserve(id == null ? UUID.randomUUID().toString() : id, parsed,
        Json.string(body, "customer", false), Json.string(body, "reference", false),
        ttlSeconds * 1000);
  }

  static final Set<String> EXTEND_FIELDS = Set.of("ttlSeconds");

  static Command.Extend extend(String id, ObjectNode body) {
    return new Command.Extend(id, Json.integer(body, "ttlSeconds", true, 0, INT_MIN, INT_MAX)
        * 1000);
  }
}
