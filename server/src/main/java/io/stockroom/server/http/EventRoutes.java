package io.stockroom.server.http;

import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.stockroom.engine.Event;
import io.stockroom.engine.EventCodec;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalReader;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** {@code GET /v1/events?after=N&limit=M}: the durable event log, in order, for pull consumers. */
final class EventRoutes {

  private final Journal journal;
  private final int limitMax;

  EventRoutes(Journal journal, int limitMax) {
    this.journal = journal;
    this.limitMax = limitMax;
  }

  void register(Routes routing) {
    routing.get("/v1/events", this::events);
  }

  private void events(ServerRequest request, ServerResponse response) {
    long last = journal.lastSequence();
    long after = Exchange.queryLong(request, "after", 0, 0, Long.MAX_VALUE);
    int limit = (int) Exchange.queryLong(request, "limit", 100, 1, limitMax);
    if (after > last) {
      throw ProblemException.badRequest("after (" + after + ") is beyond the last event ("
          + last + ")");
    }
    if (after + 1 < journal.firstSequence()) {
      throw new ProblemException(410, "events-retired", "Those events were retired",
          "events before " + journal.firstSequence() + " were compacted into a snapshot; read"
              + " the current state and continue from its sequence");
    }
    List<Event> events = new ArrayList<>(Math.min(limit, 1024));
    if (after < last) {
      try (JournalReader reader = journal.read(after + 1)) {
        while (events.size() < limit && reader.next()) {
          events.add(EventCodec.decode(reader.payload()));
        }
      } catch (IOException e) {
        throw ProblemException.unavailable("the journal could not be read: " + e.getMessage(), 1);
      }
    }
    long next = events.isEmpty() ? after : events.get(events.size() - 1).sequence();
    Exchange.json(response, 200, last, json -> {
      json.writeStartObject();
      json.writeArrayFieldStart("events");
      for (Event event : events) {
        EventJson.write(json, event);
      }
      json.writeEndArray();
      json.writeNumberField("next", next);
      json.writeNumberField("sequence", last);
      json.writeEndObject();
    });
  }
}
