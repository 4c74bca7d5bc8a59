package io.stockroom.server.sequencer;

import io.stockroom.engine.Command;
import io.stockroom.engine.HoldLine;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Shoppers and the back office of one simulated shop, from a seed: items defined, stock received
 * and counted, holds reserved with a time to live, confirmed, released, extended, shipped. One
 * request in four carries an Idempotency-Key, and keyed requests are retried later (same key,
 * same request: after an answer, a refusal, or a crash that left the answer unknown) or reused
 * by mistake (same key, another request), the way real clients do. Commands are wrapped like
 * the HTTP layer wraps them: {@code Keyed(key, fingerprint, Attributed(actor, command))}.
 */
final class SimulatedClients {

  private static final String[] SKUS = {"tee", "mug", "cap", "bag"};
  private static final String[] LOCATIONS = {"default", "north"};
  private static final String[] ACTORS = {"key:shop", "key:checkout", "jwt:clerk"};
  /** Keyed requests remembered for retries; older ones are forgotten, as clients give up. */
  private static final int KEYED_REMEMBERED_MAX = 24;

  private final SplittableRandom random;
  private final List<String> holds = new ArrayList<>();
  private final List<Command.Keyed> keyed = new ArrayList<>();
  private int nextHold;
  private int nextKey;
  /** The shop opens: every item is defined and stocked once before the rest begins. */
  private int opening;

  SimulatedClients(SplittableRandom random) {
    this.random = random;
  }

  /** The next request some client sends. */
  Command next() {
    int roll = random.nextInt(100);
    if (roll < 8 && !keyed.isEmpty()) {
      return keyed.get(random.nextInt(keyed.size())); // a retry: same key, same request
    }
    Command command = new Command.Attributed(ACTORS[random.nextInt(ACTORS.length)], plain());
    if (roll < 10 && !keyed.isEmpty()) { // the same key for another request: a client bug
      Command.Keyed earlier = keyed.get(random.nextInt(keyed.size()));
      return new Command.Keyed(earlier.key(), earlier.fingerprint() + 1, command);
    }
    if (roll < 35) {
      Command.Keyed fresh = new Command.Keyed("key-" + nextKey++, command.hashCode(), command);
      keyed.add(fresh);
      if (keyed.size() > KEYED_REMEMBERED_MAX) {
        keyed.remove(0);
      }
      return fresh;
    }
    return command;
  }

  private Command plain() {
    if (opening < 2 * SKUS.length) {
      String sku = SKUS[opening % SKUS.length];
      return opening++ < SKUS.length ? new Command.DefineItem(sku, "item " + sku, "a")
          : new Command.Receive(sku, LOCATIONS[0], 20, "opening stock");
    }
    String sku = SKUS[random.nextInt(SKUS.length)];
    String location = LOCATIONS[random.nextInt(LOCATIONS.length)];
    int roll = random.nextInt(100);
    if (roll < 8) {
      return new Command.DefineItem(sku, "item " + sku, random.nextBoolean() ? "a" : "b");
    }
    if (roll < 25) {
      return new Command.Receive(sku, location, 1 + random.nextInt(20), "delivery");
    }
    if (roll < 62) {
      return reserve(sku, location);
    }
    if (roll < 70) {
      return new Command.Confirm(hold());
    }
    if (roll < 78) {
      return new Command.Release(hold());
    }
    if (roll < 82) {
      return new Command.Extend(hold(), ttl());
    }
    if (roll < 88) {
      return new Command.Adjust(sku, location, random.nextInt(10), Command.Adjust.ANY_VERSION,
          "count");
    }
    if (roll < 91) {
      return new Command.Fulfil(sku, location, 1 + random.nextInt(2), "ship");
    }
    if (roll < 94) {
      return new Command.FulfilHold(hold());
    }
    if (roll < 96) {
      return new Command.SetSafetyStock(sku, location, random.nextInt(3));
    }
    if (roll < 98) {
      return new Command.Transfer(sku, location, LOCATIONS[0].equals(location) ? LOCATIONS[1]
          : LOCATIONS[0], 1 + random.nextInt(3), "move");
    }
    return new Command.Tick();
  }

  private Command reserve(String sku, String location) {
    String id = "h" + nextHold++;
    holds.add(id);
    List<HoldLine> lines = new ArrayList<>(2);
    lines.add(new HoldLine(sku, location, 1 + random.nextInt(3)));
    if (random.nextInt(4) == 0) {
      String other = SKUS[(List.of(SKUS).indexOf(sku) + 1 + random.nextInt(SKUS.length - 1))
          % SKUS.length];
      lines.add(new HoldLine(other, location, 1 + random.nextInt(2)));
    }
    String customer = random.nextInt(3) == 0 ? null : "c" + random.nextInt(4);
    return new Command.Reserve(id, lines, customer, "order-" + id, ttl());
  }

  /** Mostly checkout-sized holds of seconds; a few an hour long, a few at the minimum. */
  private long ttl() {
    int roll = random.nextInt(20);
    if (roll == 0) {
      return 3_600_000;
    }
    return roll == 1 ? 1_000 : 1_000 + random.nextInt(15_000);
  }

  /** Mostly a recent hold, sometimes an old one, now and then one that never existed. */
  private String hold() {
    if (holds.isEmpty() || random.nextInt(25) == 0) {
      return "nohold-" + random.nextInt(3);
    }
    int size = holds.size();
    return random.nextInt(4) == 0 ? holds.get(random.nextInt(size))
        : holds.get(size - 1 - random.nextInt(Math.min(size, 8)));
  }
}
