package io.stockroom.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stockroom.engine.Command;
import io.stockroom.server.sequencer.Sequencer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /v1/batch}: many stock commands in one request (bulk import, ERP sync), each with
 * its own result. Commands are queued together, so they usually share one durable batch, and
 * applied in the order given; they are not a transaction: each succeeds or fails on its own.
 * Each may carry its own {@code idempotencyKey}.
 */
final class BatchRoutes {

  private static final Set<String> FIELDS = Set.of("commands");

  private final Writes writes;
  private final Exchange exchange;
  private final Commands commands;
  private final int commandsMax;

  BatchRoutes(Writes writes, Exchange exchange, Commands commands, int commandsMax) {
    this.writes = writes;
    this.exchange = exchange;
    this.commands = commands;
    this.commandsMax = commandsMax;
  }

  void register(Routes routing) {
    routing.post("/v1/batch", this::batch);
  }

  private record Parsed(Command command, String key, byte[] fingerprintBody,
      ProblemException problem) {}

  private void batch(ServerRequest request, ServerResponse response) {
    byte[] body = exchange.body(request);
    ObjectNode object = exchange.object(request, body, FIELDS);
    JsonNode list = object.get("commands");
    if (list == null || !list.isArray() || list.isEmpty()) {
      throw ProblemException.badRequest("commands is required and must be a non-empty array");
    }
    if (list.size() > commandsMax) {
      throw ProblemException.badRequest("a batch has at most " + commandsMax
          + " commands (batchRequestCommandsMax), this one has " + list.size());
    }
    List<Parsed> parsed = new ArrayList<>(list.size());
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      parsed.add(parse(list.get(i), i, keys));
    }
    List<CompletableFuture<Sequencer.Outcome>> futures = new ArrayList<>(parsed.size());
    String actor = Exchange.actor(request);
    for (Parsed p : parsed) {
      futures.add(p.problem() != null ? null : writes.submit(p.command(), actor, p.key(),
          "BATCH", "/v1/batch", p.fingerprintBody()));
    }
    List<Object> results = new ArrayList<>(parsed.size());
    long sequence = 0;
    for (int i = 0; i < parsed.size(); i++) {
      ProblemException problem = parsed.get(i).problem();
      if (problem == null) {
        try {
          Writes.Written written = writes.await(futures.get(i));
          sequence = Math.max(sequence, written.sequence());
          results.add(written);
          continue;
        } catch (ProblemException e) {
          problem = e;
        }
      }
      results.add(problem);
    }
    long last = sequence;
    Exchange.json(response, 200, last, json -> {
      json.writeStartObject();
      json.writeArrayFieldStart("results");
      for (Object result : results) {
        json.writeStartObject();
        if (result instanceof Writes.Written written) {
          json.writeNumberField("status", 200);
          json.writeNumberField("sequence", written.sequence());
          json.writeArrayFieldStart("events");
          for (var event : written.events()) {
            EventJson.write(json, event);
          }
          json.writeEndArray();
        } else {
          ProblemException problem = (ProblemException) result;
          json.writeNumberField("status", problem.status());
          json.writeFieldName("problem");
          Problems.write(json, problem, null);
        }
        json.writeEndObject();
      }
      json.writeEndArray();
      json.writeNumberField("sequence", last);
      json.writeEndObject();
    });
  }

  private Parsed parse(JsonNode node, int index, Set<String> keys) {
    try {
      if (!node.isObject()) {
        throw ProblemException.badRequest("commands[" + index + "] must be an object");
      }
      ObjectNode object = (ObjectNode) node.deepCopy();
      String op = Json.string(object, "op", true);
      String key = Json.string(object, "idempotencyKey", false);
      if (key != null && !keys.add(key)) {
        throw ProblemException.badRequest("idempotencyKey " + key + " appears twice in the batch");
      }
      byte[] fingerprintBody = Json.MAPPER.writeValueAsBytes(object);
      object.remove("op");
      object.remove("idempotencyKey");
      String sku = "reserve".equals(op) ? null : Json.string(object, "sku", true);
      object.remove("sku");
      Command command = switch (op) {
        case "define" -> define(sku, object);
        case "receive" -> checked(object, Commands.RECEIVE_FIELDS, Commands.receive(sku, object));
        case "restock" -> checked(object, Commands.RECEIVE_FIELDS, Commands.restock(sku, object));
        case "fulfil" -> checked(object, Commands.RECEIVE_FIELDS, Commands.fulfil(sku, object));
        case "adjust" -> checked(object, Commands.ADJUST_FIELDS, Commands.adjust(sku, object));
        case "safety-stock" -> checked(object, Commands.SAFETY_FIELDS,
            Commands.safetyStock(sku, object));
        case "transfer" -> checked(object, Commands.TRANSFER_FIELDS,
            Commands.transfer(sku, object));
        case "reserve" -> checked(object, Commands.RESERVE_FIELDS, commands.reserve(object));
        default -> throw ProblemException.badRequest("commands[" + index + "].op '" + op
            + "' is not one of define, receive, restock, fulfil, adjust, safety-stock, transfer,"
            + " reserve");
      };
      return new Parsed(command, key, fingerprintBody, null);
    } catch (ProblemException e) {
      return new Parsed(null, null, null, e);
    } catch (java.io.IOException e) {
      return new Parsed(null, null, null, ProblemException.badRequest(e.getMessage()));
    }
  }

  private static Command define(String sku, ObjectNode object) {
    Json.checkFields(object, Set.of("name", "category"), "");
    return Commands.defineItem(sku, object);
  }

  private static Command checked(ObjectNode object, Set<String> fields, Command command) {
    Json.checkFields(object, fields, "");
    return command;
  }
}
