package io.stockroom.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stockroom.engine.Command;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.HoldState;
import io.stockroom.server.read.ReadView;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/** Reservations (holds): create, read, confirm, release, extend, fulfil. */
final class ReservationRoutes {

  private final ReadView view;
  private final Reads reads;
  private final Writes writes;
  private final Exchange exchange;
  private final Commands commands;

  ReservationRoutes(ReadView view, Reads reads, Writes writes, Exchange exchange,
      Commands commands) {
    this.view = view;
    this.reads = reads;
    this.writes = writes;
    this.exchange = exchange;
    this.commands = commands;
  }

  void register(Routes routing) {
    routing.post("/v1/reservations", this::create)
        .get("/v1/reservations/{id}", this::get)
        .post("/v1/reservations/{id}/confirm", transition(Command.Confirm::new))
        .post("/v1/reservations/{id}/release", transition(Command.Release::new))
        .post("/v1/reservations/{id}/fulfil", transition(Command.FulfilHold::new))
        .post("/v1/reservations/{id}/extend", this::extend);
  }

  private static String id(ServerRequest request) {
    return request.path().pathParameters().get("id");
  }

  private void create(ServerRequest request, ServerResponse response) {
    byte[] body = exchange.body(request);
    ObjectNode object = exchange.object(request, body, Commands.RESERVE_FIELDS);
    Writes.Written written = writes.execute(commands.reserve(object), request, body);
    Event.HoldReserved reserved = written.first(Event.HoldReserved.class);
    Exchange.written(response, 201, written, json -> reservation(json, reserved.holdId(),
        HoldState.ACTIVE, reserved.expiresAt(), reserved.lines(), reserved.customer(),
        reserved.reference(), written.sequence()));
  }

  private void get(ServerRequest request, ServerResponse response) {
    reads.awaitMinimum(request);
    // The view's sequence first, as ItemRoutes.get does: the hold read after it is that new.
    long published = view.sequence();
    ReadView.Hold hold = view.hold(id(request));
    if (hold == null) {
      throw new ProblemException(404, "unknown-reservation", "No such reservation",
          "no reservation " + id(request));
    }
    long sequence = Math.max(published, hold.sequence());
    Exchange.json(response, 200, sequence, json -> reservation(json, hold.id(), hold.state(),
        hold.expiresAt(), hold.lines(), hold.customer(), hold.reference(), sequence));
  }

  /**
   * Confirm, release and fulfil take no body (an empty one or {@code {}} is accepted), so the
   * Idempotency-Key fingerprint is the method and path.
   */
  private io.helidon.webserver.http.Handler transition(Function<String, Command> command) {
    return (request, response) -> {
      byte[] body = optionalEmptyBody(request);
      Writes.Written written = writes.execute(command.apply(id(request)), request, body);
      Event event = written.events().get(written.events().size() - 1);
      HoldState state = switch (event) {
        case Event.HoldConfirmed e -> HoldState.CONFIRMED;
        case Event.HoldReleased e -> HoldState.RELEASED;
        case Event.HoldFulfilled e -> HoldState.FULFILLED;
        default -> throw new IllegalStateException("unexpected event " + event);
      };
      List<HoldLine> lines = EventJson.changes(event).stream().map(c -> new HoldLine(c.sku(),
          c.location(), Math.abs((state == HoldState.FULFILLED ? c.before().committed()
              - c.after().committed() : c.before().reserved() - c.after().reserved()))))
          .toList();
      Exchange.written(response, 200, written, json -> {
        json.writeStartObject();
        json.writeStringField("id", id(request));
        json.writeStringField("state", state.name());
        EventJson.lines(json, lines);
        json.writeNumberField("sequence", written.sequence());
        json.writeEndObject();
      });
    };
  }

  private byte[] optionalEmptyBody(ServerRequest request) {
    if (request.headers().contentLength().orElse(0) == 0 && !request.content().hasEntity()) {
      return new byte[0];
    }
    byte[] body = exchange.body(request);
    if (body.length > 0) {
      exchange.object(request, body, Set.of());
    }
    return body;
  }

  private void extend(ServerRequest request, ServerResponse response) {
    byte[] body = exchange.body(request);
    Command extend = Commands.extend(id(request),
        exchange.object(request, body, Commands.EXTEND_FIELDS));
    Writes.Written written = writes.execute(extend, request, body);
    Event.HoldExtended extended = written.first(Event.HoldExtended.class);
    Exchange.written(response, 200, written, json -> {
      json.writeStartObject();
      json.writeStringField("id", extended.holdId());
      json.writeStringField("state", HoldState.ACTIVE.name());
      json.writeNumberField("expiresAt", extended.expiresAt());
      json.writeNumberField("sequence", written.sequence());
      json.writeEndObject();
    });
  }

  static void reservation(JsonGenerator json, String id, HoldState state, long expiresAt,
      List<HoldLine> lines, String customer, String reference, long sequence) throws IOException {
    json.writeStartObject();
    json.writeStringField("id", id);
    json.writeStringField("state", state.name());
    json.writeNumberField("expiresAt", expiresAt);
    EventJson.lines(json, lines);
    json.writeStringField("customer", customer);
    json.writeStringField("reference", reference);
    json.writeNumberField("sequence", sequence);
    json.writeEndObject();
  }
}
