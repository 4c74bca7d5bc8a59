package io.stockroom.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stockroom.engine.Command;
import io.stockroom.engine.Event;
import io.stockroom.engine.LevelChange;
import io.stockroom.server.read.ReadView;
import java.io.IOException;
import java.util.function.BiFunction;

/** Items and their stock: define, read, list, and every stock-level command. */
final class ItemRoutes {

  private final ReadView view;
  private final Reads reads;
  private final Writes writes;
  private final Exchange exchange;
  private final int listLimitMax;
  private final int listScanMax;

  ItemRoutes(ReadView view, Reads reads, Writes writes, Exchange exchange, int listLimitMax) {
    this.view = view;
    this.reads = reads;
    this.writes = writes;
    this.exchange = exchange;
    this.listLimitMax = listLimitMax;
    this.listScanMax = listLimitMax * 20;
  }

  void register(Routes routing) {
    routing.get("/v1/items", this::list)
        .get("/v1/items/{sku}", this::get)
        .put("/v1/items/{sku}", this::define)
        .post("/v1/items/{sku}/receive", levelCommand(Commands.RECEIVE_FIELDS, Commands::receive))
        .post("/v1/items/{sku}/restock", levelCommand(Commands.RECEIVE_FIELDS, Commands::restock))
        .post("/v1/items/{sku}/fulfil", levelCommand(Commands.RECEIVE_FIELDS, Commands::fulfil))
        .post("/v1/items/{sku}/adjust", levelCommand(Commands.ADJUST_FIELDS, Commands::adjust))
        .post("/v1/items/{sku}/safety-stock",
            levelCommand(Commands.SAFETY_FIELDS, Commands::safetyStock))
        .post("/v1/items/{sku}/transfer",
            levelCommand(Commands.TRANSFER_FIELDS, Commands::transfer));
  }

  private static String sku(ServerRequest request) {
    return request.path().pathParameters().get("sku");
  }

  private void get(ServerRequest request, ServerResponse response) {
    reads.awaitMinimum(request);
    // The view's sequence first: the writer replaces items before it publishes the sequence, so
    // an item read after it includes every event up to it, and maybe its own newer change.
    long published = view.sequence();
    ReadView.Item item = view.item(sku(request));
    if (item == null) {
      throw new ProblemException(404, "unknown-item", "No such item",
          "no item with sku " + sku(request));
    }
    String etag = "\"" + item.sequence() + "\"";
    response.header(HeaderNames.ETAG, etag);
    response.header(HeaderNames.CACHE_CONTROL, "max-age=1, must-revalidate");
    String ifNoneMatch = request.headers().first(HeaderNames.IF_NONE_MATCH).orElse(null);
    if (etag.equals(ifNoneMatch)) {
      response.status(Status.NOT_MODIFIED_304);
      response.send();
      return;
    }
    long sequence = Math.max(published, item.sequence());
    Exchange.json(response, 200, sequence, json -> {
      writeItem(json, item);
      json.writeNumberField("sequence", sequence);
      json.writeEndObject();
    });
  }

  private void list(ServerRequest request, ServerResponse response) {
    reads.awaitMinimum(request);
    String after = Exchange.query(request, "after");
    String category = Exchange.query(request, "category");
    String lowStock = Exchange.query(request, "lowStock");
    Long lowStockAtMost = lowStock == null ? null
        : Exchange.queryLong(request, "lowStock", 0, 0, Long.MAX_VALUE);
    int limit = (int) Exchange.queryLong(request, "limit", 100, 1, listLimitMax);
    long published = view.sequence(); // first: see get
    ReadView.Page page = view.list(after, category, lowStockAtMost, limit, listScanMax);
    long sequence = Math.max(published,
        page.items().stream().mapToLong(ReadView.Item::sequence).max().orElse(0));
    Exchange.json(response, 200, sequence, json -> {
      json.writeStartObject();
      json.writeArrayFieldStart("items");
      for (ReadView.Item item : page.items()) {
        writeItem(json, item);
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeStringField("next", page.next());
      json.writeNumberField("sequence", sequence);
      json.writeEndObject();
    });
  }

  /** Writes an item object without closing it, so callers can add fields. */
  static void writeItem(JsonGenerator json, ReadView.Item item) throws IOException {
    json.writeStartObject();
    json.writeStringField("sku", item.sku());
    json.writeStringField("name", item.name());
    json.writeStringField("category", item.category());
    long onHand = 0;
    long reserved = 0;
    long committed = 0;
    long safetyStock = 0;
    long available = 0;
    json.writeArrayFieldStart("levels");
    for (ReadView.Level level : item.levels()) {
      json.writeStartObject();
      json.writeStringField("location", level.location());
      json.writeNumberField("onHand", level.onHand());
      json.writeNumberField("reserved", level.reserved());
      json.writeNumberField("committed", level.committed());
      json.writeNumberField("safetyStock", level.safetyStock());
      json.writeNumberField("available", level.available());
      json.writeNumberField("version", level.version());
      json.writeEndObject();
      onHand += level.onHand();
      reserved += level.reserved();
      committed += level.committed();
      safetyStock += level.safetyStock();
      available += level.available();
    }
    json.writeEndArray();
    json.writeObjectFieldStart("totals");
    json.writeNumberField("onHand", onHand);
    json.writeNumberField("reserved", reserved);
    json.writeNumberField("committed", committed);
    json.writeNumberField("safetyStock", safetyStock);
    json.writeNumberField("available", available);
    json.writeEndObject();
  }

  private void define(ServerRequest request, ServerResponse response) {
    byte[] body = exchange.body(request);
    ObjectNode object = exchange.object(request, body, Commands.ITEM_FIELDS);
    Command define = Commands.defineItem(sku(request), object);
    Command safety = object.has("safetyStock")
        ? Commands.safetyStock(sku(request), object) : null;
    String key = Exchange.idempotencyKey(request);
    Writes.Written defined = writes.execute(define, request, key, body);
    Writes.Written safetySet = safety == null ? null : writes.execute(safety, request,
        key == null ? null : key + ":safety-stock", body);
    Event.ItemDefined event = defined.first(Event.ItemDefined.class);
    Writes.Written last = safetySet == null ? defined : safetySet;
    Exchange.written(response, 200, last, json -> {
      json.writeStartObject();
      json.writeStringField("sku", event.sku());
      json.writeStringField("name", event.name());
      json.writeStringField("category", event.category());
      if (safetySet != null) {
        EventJson.quantities(json, "level",
            safetySet.first(Event.SafetyStockSet.class).change().after());
      }
      json.writeNumberField("sequence", last.sequence());
      json.writeEndObject();
    });
  }

  private io.helidon.webserver.http.Handler levelCommand(java.util.Set<String> fields,
      BiFunction<String, ObjectNode, Command> parse) {
    return (request, response) -> {
      byte[] body = exchange.body(request);
      Command command = parse.apply(sku(request), exchange.object(request, body, fields));
      Writes.Written written = writes.execute(command, request, body);
      Exchange.written(response, 200, written, json -> levelResponse(json, written));
    };
  }

  /** The levels a stock command changed, their new quantities, and any shortage it revealed. */
  private static void levelResponse(JsonGenerator json, Writes.Written written)
      throws IOException {
    json.writeStartObject();
    json.writeArrayFieldStart("levels");
    boolean shortage = false;
    for (Event event : written.events()) {
      for (LevelChange change : EventJson.changes(event)) {
        json.writeStartObject();
        json.writeStringField("sku", change.sku());
        json.writeStringField("location", change.location());
        json.writeNumberField("onHand", change.after().onHand());
        json.writeNumberField("reserved", change.after().reserved());
        json.writeNumberField("committed", change.after().committed());
        json.writeNumberField("safetyStock", change.after().safetyStock());
        json.writeNumberField("available", change.after().available());
        json.writeNumberField("version", change.version());
        json.writeEndObject();
      }
      shortage |= event instanceof Event.ShortageDetected;
    }
    json.writeEndArray();
    json.writeBooleanField("shortage", shortage);
    json.writeNumberField("sequence", written.sequence());
    json.writeEndObject();
  }
}
