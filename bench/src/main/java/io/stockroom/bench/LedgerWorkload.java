package io.stockroom.bench;

import io.stockroom.engine.Command;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.Quantities;
import io.stockroom.engine.Result;
import io.stockroom.server.sequencer.Ledger;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Drives a real {@link Ledger} with a storefront-like command mix, from a seed, and commits its
 * events in batches of about {@value #BATCH_EVENTS} (a batch is committed as soon as it holds at
 * least that many, so a command's events are never split; a command that also expires due holds
 * can push one batch a little past it).
 *
 * <p>Setup defines {@code skus} items with 1 to 3 locations each and receives stock at every
 * level. Then, per command: reserve (1 to 3 lines, a named customer; each hold is destined to be
 * confirmed, released or abandoned, and an abandoned hold expires by itself), confirm, release,
 * fulfil a confirmed hold, receive, adjust after a count, transfer between locations, rename an
 * item; about one command in ten carries an idempotency key. Time advances 0 to 2 ms per command.
 * Rejections (an expired hold confirmed late, a customer at their limit) are counted, not thrown.
 */
final class LedgerWorkload {

  static final int BATCH_EVENTS = 1000;
  static final long TIME_START = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
  private static final String[] LOCATIONS = {"default", "store-1", "store-2"};
  private static final int CUSTOMERS = 200_000;

  private final Ledger ledger;
  private final SplittableRandom random;
  private final String holdPrefix;
  private final int skus;
  private final String[] skuNames;
  private final int[] levelsPerSku;
  private final List<String> toConfirm = new ArrayList<>();
  private final List<String> toRelease = new ArrayList<>();
  private final List<String> confirmed = new ArrayList<>();
  private final List<Event> events = new ArrayList<>(2 * BATCH_EVENTS);
  private final Map<String, Long> eventsByType = new TreeMap<>();
  private final Map<String, Long> rejectionsByType = new TreeMap<>();
  private long time;
  private long holds;
  private long keys;
  private long commands;
  private long batches;

  LedgerWorkload(Ledger ledger, long seed, String holdPrefix, int skus) {
    this.ledger = ledger;
    this.random = new SplittableRandom(seed);
    this.holdPrefix = holdPrefix;
    this.skus = skus;
    this.skuNames = new String[skus];
    this.levelsPerSku = new int[skus];
    for (int i = 0; i < skus; i++) {
      skuNames[i] = String.format("SKU-%06d", i + 1);
      levelsPerSku[i] = 1 + (i % 3); // a third each with 1, 2 and 3 locations
    }
    this.time = Math.max(TIME_START, ledger.engine().now());
  }

  /** Defines every item and receives stock at each of its levels. */
  void defineItems() throws IOException {
    for (int i = 0; i < skus; i++) {
      apply(new Command.DefineItem(skuNames[i], "Item " + (i + 1), "category-" + (i % 50)));
      for (int l = 0; l < levelsPerSku[i]; l++) {
        apply(new Command.Receive(skuNames[i], LOCATIONS[l], 100_000, "initial-count"));
      }
    }
    flush();
  }

  /** Runs the mix until the journal holds at least {@code eventsTotal} events, all committed. */
  void runUntil(long eventsTotal) throws IOException {
    while (ledger.engine().sequence() < eventsTotal) {
      step();
    }
    flush();
  }

  private void step() throws IOException {
    time += random.nextInt(3);
    int roll = random.nextInt(100);
    if (roll < 36) {
      reserve();
    } else if (roll < 58) {
      resolve(toConfirm, true);
    } else if (roll < 67) {
      resolve(toRelease, false);
    } else if (roll < 87) {
      fulfil();
    } else if (roll < 94) {
      int sku = random.nextInt(skus);
      apply(new Command.Receive(skuNames[sku], location(sku), 10 + random.nextInt(500),
          "po-" + random.nextInt(1_000_000)));
    } else if (roll < 97) {
      adjust();
    } else if (roll < 99) {
      transfer();
    } else {
      int sku = random.nextInt(skus);
      apply(new Command.DefineItem(skuNames[sku], "Item " + (sku + 1) + " v" + random.nextInt(9),
          "category-" + random.nextInt(50)));
    }
  }

  private void reserve() throws IOException {
    int lineCount = random.nextInt(10) < 7 ? 1 : 2 + random.nextInt(2);
    List<HoldLine> lines = new ArrayList<>(lineCount);
    for (int i = 0; i < lineCount; i++) {
      int sku = random.nextInt(skus);
      HoldLine line = new HoldLine(skuNames[sku], location(sku), 1 + random.nextInt(3));
      boolean repeated = false;
      for (HoldLine existing : lines) {
        repeated |= existing.sku().equals(line.sku()) && existing.location().equals(line.location());
      }
      if (!repeated) {
        lines.add(line);
      }
    }
    String holdId = holdPrefix + (++holds);
    String reference = random.nextInt(2) == 0 ? null : "order-" + holds;
    long timeoutMillis = 60_000 + random.nextInt(540_000);
    Result result = apply(new Command.Reserve(holdId, List.copyOf(lines),
        "customer-" + random.nextInt(CUSTOMERS), reference, timeoutMillis));
    if (result.accepted()) {
      int fate = random.nextInt(100);
      if (fate < 60) {
        toConfirm.add(holdId);
      } else if (fate < 85) {
        toRelease.add(holdId);
      } // else abandoned: it expires
    }
  }

  /** Resolves one of the holds waiting for it, preferring recent ones (carts are short-lived). */
  private void resolve(List<String> waiting, boolean confirm) throws IOException {
    if (waiting.isEmpty()) {
      return;
    }
    int index = waiting.size() - 1 - random.nextInt(Math.min(waiting.size(), 64));
    String holdId = waiting.get(index);
    waiting.set(index, waiting.get(waiting.size() - 1));
    waiting.remove(waiting.size() - 1);
    Result result = apply(confirm ? new Command.Confirm(holdId) : new Command.Release(holdId));
    if (confirm && result.accepted()) {
      confirmed.add(holdId);
    }
  }

  private void fulfil() throws IOException {
    if (confirmed.isEmpty()) {
      return;
    }
    int index = random.nextInt(confirmed.size());
    String holdId = confirmed.get(index);
    confirmed.set(index, confirmed.get(confirmed.size() - 1));
    confirmed.remove(confirmed.size() - 1);
    apply(new Command.FulfilHold(holdId));
  }

  private void adjust() throws IOException {
    int sku = random.nextInt(skus);
    String location = location(sku);
    Quantities level = ledger.engine().level(skuNames[sku], location);
    int counted = Math.max(0, level.onHand() - random.nextInt(4));
    apply(new Command.Adjust(skuNames[sku], location, counted, Command.Adjust.ANY_VERSION,
        "cycle-count"));
  }

  private void transfer() throws IOException {
    int sku = random.nextInt(skus / 3) * 3 + 2; // an item with all three locations
    if (sku >= skus) {
      return;
    }
    int from = random.nextInt(3);
    int to = (from + 1 + random.nextInt(2)) % 3;
    apply(new Command.Transfer(skuNames[sku], LOCATIONS[from], LOCATIONS[to],
        1 + random.nextInt(20), "rebalance"));
  }

  private String location(int sku) {
    return LOCATIONS[random.nextInt(levelsPerSku[sku])];
  }

  /** Applies one command (one in ten with an idempotency key) and commits a full batch. */
  private Result apply(Command command) throws IOException {
    if (random.nextInt(10) == 0 && !(command instanceof Command.DefineItem)) {
      command = new Command.Keyed("key-" + holdPrefix + (++keys), random.nextLong(), command);
    }
    commands++;
    Result result = ledger.apply(time, command, events);
    if (!result.accepted()) {
      rejectionsByType.merge(String.valueOf(result.rejection()), 1L, Long::sum);
    }
    if (events.size() >= BATCH_EVENTS) {
      flush();
    }
    return result;
  }

  private void flush() throws IOException {
    if (events.isEmpty()) {
      return;
    }
    for (Event event : events) {
      eventsByType.merge(event.getClass().getSimpleName(), 1L, Long::sum);
    }
    ledger.commit(events);
    events.clear();
    batches++;
  }

  long time() {
    return time;
  }

  long commands() {
    return commands;
  }

  long batches() {
    return batches;
  }

  Map<String, Long> eventsByType() {
    return eventsByType;
  }

  Map<String, Long> rejectionsByType() {
    return rejectionsByType;
  }
}
