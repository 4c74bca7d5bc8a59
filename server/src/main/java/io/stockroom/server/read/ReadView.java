package io.stockroom.server.read;

import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.HoldState;
import io.stockroom.engine.ItemView;
import io.stockroom.engine.LevelChange;
import io.stockroom.engine.Quantities;
import io.stockroom.server.sequencer.Sequencer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What readers see: immutable records per item and per hold, replaced (never mutated) by the
 * writer after each durable batch. Readers never touch engine state and never wait for the
 * writer, except when they ask to read at least a sequence not yet reached (read-your-writes);
 * a hold lookup may wait for the one batch being published.
 * Items sit in a sorted map so listing pages by SKU with a cursor. Holds, which a busy shop keeps
 * by the million, are one compact record each ({@link HoldRecords}) behind a read-write lock.
 */
public final class ReadView implements Sequencer.Listener {

  public record Level(String location, int onHand, int reserved, int committed, int safetyStock,
      long available, long version) {

    static Level of(String location, Quantities q, long version) {
      return new Level(location, q.onHand(), q.reserved(), q.committed(), q.safetyStock(),
          q.available(), version);
    }
  }

  /** An item; {@code sequence} is the last event that changed it (its ETag). */
  public record Item(String sku, String name, String category, List<Level> levels,
      long sequence) {

    public Level level(String location) {
      for (Level level : levels) {
        if (level.location().equals(location)) {
          return level;
        }
      }
      return null;
    }

    public long available() {
      long total = 0;
      for (Level level : levels) {
        total += level.available();
      }
      return total;
    }
  }

  /** A hold; {@code sequence} is the last event that changed it. */
  public record Hold(String id, HoldState state, List<HoldLine> lines, String customer,
      String reference, long expiresAt, long sequence) {}

  private final ConcurrentSkipListMap<String, Item> items = new ConcurrentSkipListMap<>();
  /** Written by the thread that publishes durable batches, under the write lock. */
  private final HoldRecords holds = new HoldRecords();
  private final ReentrantReadWriteLock holdsLock = new ReentrantReadWriteLock();
  /**
   * Slots of resolved holds in resolution order, a ring: forgotten oldest first, like the engine
   * does (a slot stays the hold's until it is forgotten here).
   */
  private int[] resolved = new int[64];
  private int resolvedHead;
  private int resolvedCount;
  private final int resolvedRetainedMax;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition advanced = lock.newCondition();
  private volatile long sequence;

  private ReadView(int resolvedRetainedMax) {
    this.resolvedRetainedMax = resolvedRetainedMax;
  }

  /** The view of a freshly recovered engine (startup only, before the writer starts). */
  public static ReadView of(Engine engine) {
    ReadView view = new ReadView(engine.limits().holdsResolvedRetainedMax());
    long at = engine.sequence();
    engine.forEachItem(item -> view.items.put(item.sku(), fromEngine(item, at)));
    engine.forEachHold(hold -> {
      int slot = view.holds.put(HoldRecords.encode(new Hold(hold.id(), hold.state(),
          hold.lines(), hold.customer(), hold.reference(), hold.expiresAt(), at)));
      if (hold.state().isResolved()) {
        view.resolvedAdd(slot);
      }
    });
    view.sequence = at;
    return view;
  }

  private static Item fromEngine(ItemView item, long sequence) {
    List<Level> levels = new ArrayList<>(item.levels().size());
    for (ItemView.Level level : item.levels()) {
      levels.add(Level.of(level.location(), level.quantities(), level.version()));
    }
    return new Item(item.sku(), item.name(), item.category(), List.copyOf(levels), sequence);
  }

  public long sequence() {
    return sequence;
  }

  public Item item(String sku) {
    return items.get(sku);
  }

  public Hold hold(String id) {
    byte[] key = HoldRecords.utf8(id);
    byte[] record;
    holdsLock.readLock().lock();
    try {
      int slot = holds.find(key);
      record = slot < 0 ? null : holds.record(slot);
    } finally {
      holdsLock.readLock().unlock();
    }
    return record == null ? null : HoldRecords.decode(record); // records never change
  }

  /** Holds the view keeps (active and retained resolved). */
  public int holdCount() {
    holdsLock.readLock().lock();
    try {
      return holds.size();
    } finally {
      holdsLock.readLock().unlock();
    }
  }

  public int itemCount() {
    return items.size();
  }

  /**
   * Up to {@code limit} items with SKU after {@code after} (exclusive; null from the start),
   * optionally only of {@code category} and only those with total available at most
   * {@code lowStockAtMost}. Scans at most {@code scanMax} items so a filter that matches little
   * cannot make one request walk the whole catalogue; the caller pages on with the last SKU seen.
   */
  public Page list(String after, String category, Long lowStockAtMost, int limit, int scanMax) {
    var tail = after == null ? items : items.tailMap(after, false);
    List<Item> page = new ArrayList<>(Math.min(limit, 256));
    String last = null;
    int scanned = 0;
    for (Item item : tail.values()) {
      if (page.size() == limit || scanned == scanMax) {
        return new Page(page, last);
      }
      scanned++;
      last = item.sku();
      if (category != null && !category.equals(item.category())) {
        continue;
      }
      if (lowStockAtMost != null && item.available() > lowStockAtMost) {
        continue;
      }
      page.add(item);
    }
    return new Page(page, null);
  }

  /** A page of items and the cursor for the next one (null at the end). */
  public record Page(List<Item> items, String next) {}

  /**
   * Waits until the view reflects at least {@code minimum}, up to {@code timeoutMillis}.
   *
   * @return true if reached
   */
  public boolean awaitSequence(long minimum, long timeoutMillis) throws InterruptedException {
    if (sequence >= minimum) {
      return true;
    }
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    lock.lock();
    try {
      while (sequence < minimum) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        advanced.awaitNanos(left);
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Writer side

  @Override
  public void onDurable(List<Event> events, long durableSequence) {
    holdsLock.writeLock().lock();
    try {
      for (Event event : events) {
        apply(event);
      }
    } finally {
      holdsLock.writeLock().unlock();
    }
    lock.lock();
    try {
      sequence = durableSequence;
      advanced.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void apply(Event event) {
    long at = event.sequence();
    switch (event) {
      case Event.ItemDefined e -> {
        Item old = items.get(e.sku());
        items.put(e.sku(), new Item(e.sku(), e.name(), e.category(),
            old == null ? List.of() : old.levels(), at));
      }
      case Event.StockReceived e -> change(e.change(), at);
      case Event.StockAdjusted e -> change(e.change(), at);
      case Event.SafetyStockSet e -> change(e.change(), at);
      case Event.StockFulfilled e -> change(e.change(), at);
      case Event.StockRestocked e -> change(e.change(), at);
      case Event.StockTransferred e -> {
        change(e.from(), at);
        change(e.to(), at);
      }
      case Event.ShortageDetected e -> { }
      case Event.RequestRecorded e -> { }
      case Event.HoldReserved e -> {
        e.changes().forEach(c -> change(c, at));
        holds.put(HoldRecords.encode(new Hold(e.holdId(), HoldState.ACTIVE, e.lines(),
            e.customer(), e.reference(), e.expiresAt(), at)));
      }
      case Event.HoldConfirmed e -> resolve(e.holdId(), e.changes(), HoldState.CONFIRMED, at);
      case Event.HoldReleased e -> resolve(e.holdId(), e.changes(), HoldState.RELEASED, at);
      case Event.HoldExpired e -> resolve(e.holdId(), e.changes(), HoldState.EXPIRED, at);
      case Event.HoldFulfilled e -> {
        e.changes().forEach(c -> change(c, at));
        restate(e.holdId(), HoldState.FULFILLED, at);
      }
      case Event.HoldExtended e -> {
        int slot = holds.find(HoldRecords.utf8(e.holdId()));
        if (slot >= 0) {
          byte[] record = holds.record(slot);
          holds.replace(slot, HoldRecords.withState(record, HoldRecords.state(record),
              e.expiresAt(), at));
        }
      }
    }
  }

  private void resolve(String holdId, List<LevelChange> changes, HoldState state, long at) {
    changes.forEach(c -> change(c, at));
    int slot = restate(holdId, state, at);
    if (slot < 0) {
      return;
    }
    resolvedAdd(slot);
    while (resolvedCount > resolvedRetainedMax) {
      int oldest = resolved[resolvedHead];
      resolvedHead = (resolvedHead + 1) % resolved.length;
      resolvedCount--;
      holds.remove(oldest);
    }
  }

  /** A hold's new state as of {@code at}; returns its slot, or -1 when the view lacks it. */
  private int restate(String holdId, HoldState state, long at) {
    int slot = holds.find(HoldRecords.utf8(holdId));
    if (slot >= 0) {
      byte[] record = holds.record(slot);
      holds.replace(slot, HoldRecords.withState(record, state, HoldRecords.expiresAt(record), at));
    }
    return slot;
  }

  private void resolvedAdd(int slot) {
    if (resolvedCount == resolved.length) {
      int[] grown = new int[resolved.length * 2];
      for (int i = 0; i < resolvedCount; i++) {
        grown[i] = resolved[(resolvedHead + i) % resolved.length];
      }
      resolved = grown;
      resolvedHead = 0;
    }
    resolved[(resolvedHead + resolvedCount) % resolved.length] = slot;
    resolvedCount++;
  }

  private void change(LevelChange change, long at) {
    Item old = items.get(change.sku());
    if (old == null) {
      throw new IllegalStateException("read view: level change for unknown item "
          + change.sku() + " at sequence " + at);
    }
    Level updated = Level.of(change.location(), change.after(), change.version());
    List<Level> levels = new ArrayList<>(old.levels().size() + 1);
    boolean replaced = false;
    for (Level level : old.levels()) {
      if (level.location().equals(change.location())) {
        levels.add(updated);
        replaced = true;
      } else {
        levels.add(level);
      }
    }
    if (!replaced) {
      levels.add(updated);
    }
    items.put(change.sku(), new Item(old.sku(), old.name(), old.category(),
        List.copyOf(levels), at));
  }
}
