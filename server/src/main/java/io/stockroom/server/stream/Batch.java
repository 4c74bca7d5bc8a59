package io.stockroom.server.stream;

import io.stockroom.engine.Event;
import java.util.List;

/**
 * One durable batch as handed to every subscriber: the writer wraps it once and offers the same
 * object to all of them, so fan-out costs the writer one allocation per batch, not per
 * subscriber. Each event's JSON is rendered at most a few times (by whichever subscriber thread
 * needs it first) instead of once per subscriber.
 */
final class Batch {

  private final List<Event> events;
  /**
   * Rendered JSON per event, filled lazily. Racy on purpose: two threads may render the same
   * event, both results are identical, and an array store of a reference is atomic.
   */
  private final byte[][] json;

  Batch(List<Event> events) {
    this.events = events;
    this.json = new byte[events.size()][];
  }

  int size() {
    return events.size();
  }

  Event event(int index) {
    return events.get(index);
  }

  byte[] json(int index) {
    byte[] rendered = json[index];
    if (rendered == null) {
      rendered = Wire.json(events.get(index));
      json[index] = rendered;
    }
    return rendered;
  }
}
