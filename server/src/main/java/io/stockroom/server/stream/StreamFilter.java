package io.stockroom.server.stream;

import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.LevelChange;
import io.stockroom.server.http.EventJson;
import io.stockroom.server.read.ReadView;
import java.util.List;
import java.util.Set;

/**
 * Which events a subscriber wants: each non-empty set is a condition (any of its values), and
 * the conditions combine with AND. Evaluated on the subscriber's thread, never the writer's.
 *
 * <p>An event matches {@code skus} if it touches one of them; {@code locations} if one of its
 * level changes (or its shortage) is at one of them; {@code categories} if one of its SKUs is an
 * item of one of them (the item's current category in the read view; an {@code item-defined}
 * event's own category). A {@code hold-extended} event carries no SKU: it is matched through its
 * reservation's lines in the read view, and dropped by any filter when the view no longer holds
 * the reservation. {@code request-recorded} (idempotency bookkeeping) is never streamed.
 */
record StreamFilter(Set<String> skus, Set<String> locations, Set<String> categories) {

  static final StreamFilter ALL = new StreamFilter(Set.of(), Set.of(), Set.of());

  boolean isEverything() {
    return skus.isEmpty() && locations.isEmpty() && categories.isEmpty();
  }

  boolean matches(Event event, ReadView view) {
    if (event instanceof Event.RequestRecorded) {
      return false;
    }
    if (isEverything()) {
      return true;
    }
    if (event instanceof Event.HoldExtended extended) {
      ReadView.Hold hold = view.hold(extended.holdId());
      return hold != null && matchesLines(hold.lines(), view);
    }
    List<String> eventSkus = EventJson.skus(event);
    return (skus.isEmpty() || anyIn(eventSkus, skus))
        && (locations.isEmpty() || matchesLocation(event))
        && (categories.isEmpty() || matchesCategory(event, eventSkus, view));
  }

  private boolean matchesLines(List<HoldLine> lines, ReadView view) {
    boolean sku = skus.isEmpty();
    boolean location = locations.isEmpty();
    boolean category = categories.isEmpty();
    for (HoldLine line : lines) {
      sku |= skus.contains(line.sku());
      location |= locations.contains(line.location());
      category |= inCategory(line.sku(), view);
    }
    return sku && location && category;
  }

  private boolean matchesLocation(Event event) {
    if (event instanceof Event.ShortageDetected shortage) {
      return locations.contains(shortage.location());
    }
    for (LevelChange change : EventJson.changes(event)) {
      if (locations.contains(change.location())) {
        return true;
      }
    }
    return false;
  }

  private boolean matchesCategory(Event event, List<String> eventSkus, ReadView view) {
    if (event instanceof Event.ItemDefined defined) {
      return categories.contains(defined.category());
    }
    for (String sku : eventSkus) {
      if (inCategory(sku, view)) {
        return true;
      }
    }
    return false;
  }

  private boolean inCategory(String sku, ReadView view) {
    ReadView.Item item = view.item(sku);
    return item != null && categories.contains(item.category());
  }

  private static boolean anyIn(List<String> values, Set<String> wanted) {
    for (String value : values) {
      if (wanted.contains(value)) {
        return true;
      }
    }
    return false;
  }
}
