package io.stockroom.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.stockroom.engine.Event;
import io.stockroom.server.http.EventJson;
import io.stockroom.server.sequencer.Sequencer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts durable events by type: {@code stockroom_events_total{type="hold-expired"}} is the
 * expiry rate, {@code hold-reserved} the reservation rate, {@code shortage-detected} the alarms.
 * Runs on the sequencer's syncer thread: one map lookup per event, counters created once per type.
 */
final class EventMetrics implements Sequencer.Listener {

  private final MeterRegistry registry;
  private final Map<Class<?>, Counter> counters = new HashMap<>();

  EventMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void onDurable(List<Event> events, long sequence) {
    for (Event event : events) {
      Counter counter = counters.get(event.getClass());
      if (counter == null) {
        counter = Counter.builder("stockroom.events.by.type")
            .description("durable events by type")
            .tag("type", EventJson.type(event))
            .register(registry);
        counters.put(event.getClass(), counter);
      }
      counter.increment();
    }
  }
}
