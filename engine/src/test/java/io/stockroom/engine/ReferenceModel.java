package io.stockroom.engine;

import io.stockroom.engine.Command.Adjust;
import io.stockroom.engine.Command.Confirm;
import io.stockroom.engine.Command.DefineItem;
import io.stockroom.engine.Command.Extend;
import io.stockroom.engine.Command.Fulfil;
import io.stockroom.engine.Command.FulfilHold;
import io.stockroom.engine.Command.Receive;
import io.stockroom.engine.Command.Release;
import io.stockroom.engine.Command.Reserve;
import io.stockroom.engine.Command.Restock;
import io.stockroom.engine.Command.SetSafetyStock;
import io.stockroom.engine.Command.Tick;
import io.stockroom.engine.Command.Transfer;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A deliberately simple second implementation of the stock rules, written without looking at
 * the engine's data structures: levels are arrays in a map keyed by "sku@location", expiry is a
 * sorted set, validation is a regular expression. It predicts each command's rejection (or null
 * for accepted) and the resulting state; the randomized test checks the engine agrees.
 *
 * <p>The precedence of rejections it encodes is the engine's documented contract: malformed
 * input first, then unknown things, then state (hold lifecycle, versions), then quantities.
 *
 * <p>Public, and shipped in the engine's test jar, so the server's node simulation checks the
 * whole node against this same oracle instead of a second one.
 */
public final class ReferenceModel {

  public static final int ON_HAND = 0;
  public static final int RESERVED = 1;
  public static final int COMMITTED = 2;
  public static final int SAFETY = 3;
  public static final int VERSION = 4;

  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]*");

  static final class ModelHold {
    final String id;
    final List<HoldLine> lines;
    final long ordinal;
    final String customer;
    long expiresAt;
    HoldState state = HoldState.ACTIVE;

    ModelHold(String id, List<HoldLine> lines, long ordinal, long expiresAt, String customer) {
      this.id = id;
      this.lines = lines;
      this.ordinal = ordinal;
      this.expiresAt = expiresAt;
      this.customer = customer;
    }
  }

  final Limits limits;
  final Set<String> items = new HashSet<>();
  final Map<String, long[]> levels = new HashMap<>();
  final Map<String, Integer> locationCount = new HashMap<>();
  final Map<String, ModelHold> holds = new HashMap<>();
  final TreeSet<ModelHold> active = new TreeSet<>(
      Comparator.<ModelHold>comparingLong(h -> h.expiresAt).thenComparingLong(h -> h.ordinal));
  final ArrayDeque<ModelHold> resolved = new ArrayDeque<>();
  long now = Long.MIN_VALUE;
  long ordinal;
  /** key -> {fingerprint, recordedAt}; insertion order = forgetting order. */
  final java.util.LinkedHashMap<String, long[]> keys = new java.util.LinkedHashMap<>();

  public ReferenceModel(Limits limits) {
    this.limits = limits;
  }

  static String key(String sku, String location) {
    return sku + "@" + location;
  }

  /** {onHand, reserved, committed, safetyStock, version}, or null if there is no such level. */
  public long[] level(String sku, String location) {
    return levels.get(key(sku, location));
  }

  /** Every level, as "sku@location". */
  public Set<String> levelKeys() {
    return java.util.Collections.unmodifiableSet(levels.keySet());
  }

  public int itemCount() {
    return items.size();
  }

  /** Holds still remembered (active, and resolved within the retention limit). */
  public Set<String> holdIds() {
    return java.util.Collections.unmodifiableSet(holds.keySet());
  }

  /** The state of a remembered hold, or null. */
  public HoldState holdState(String id) {
    ModelHold hold = holds.get(id);
    return hold == null ? null : hold.state;
  }

  public long holdExpiresAt(String id) {
    return holds.get(id).expiresAt;
  }

  public int activeHoldCount() {
    return active.size();
  }

  /** The earliest deadline of an active hold, or {@link Long#MAX_VALUE} with none. */
  public long nextExpiryAt() {
    return active.isEmpty() ? Long.MAX_VALUE : active.first().expiresAt;
  }

  static long available(long[] level) {
    return level == null ? 0
        : level[ON_HAND] - level[RESERVED] - level[COMMITTED] - level[SAFETY];
  }

  /** The rejection the engine must answer {@code command} with at {@code time}, or null. */
  public Rejection apply(long time, Command command) {
    now = Math.max(now, time);
    expireDue();
    return dispatch(command);
  }

  private Rejection dispatch(Command command) {
    return switch (command) {
      case Command.Keyed c -> keyed(c);
      case Command.Attributed c -> attributed(c);
      case DefineItem c -> defineItem(c);
      case Receive c -> addOnHand(c.sku(), c.location(), c.quantity(), c.reason());
      case Restock c -> addOnHand(c.sku(), c.location(), c.quantity(), c.reason());
      case Adjust c -> adjust(c);
      case SetSafetyStock c -> safety(c);
      case Transfer c -> transfer(c);
      case Fulfil c -> fulfil(c);
      case Reserve c -> reserve(c);
      case Confirm c -> resolveActive(c.holdId(), HoldState.CONFIRMED);
      case Release c -> resolveActive(c.holdId(), HoldState.RELEASED);
      case Extend c -> extend(c);
      case FulfilHold c -> fulfilHold(c);
      case Tick c -> null;
    };
  }

  private Rejection attributed(Command.Attributed c) {
    Command inner = c.command() instanceof Command.Keyed k ? k.command() : c.command();
    if (c.actor() == null || !c.actor().matches("[^\\p{Cc}]{1," + limits.textLengthMax() + "}")
        || inner == null || inner instanceof Command.Attributed) {
      return Rejection.INVALID_ARGUMENT;
    }
    return dispatch(c.command());
  }

  private Rejection keyed(Command.Keyed c) {
    Command inner = c.command() instanceof Command.Attributed a ? a.command() : c.command();
    if (c.key() == null || !c.key().matches("[\\x21-\\x7e]{1," + limits.textLengthMax() + "}")
        || inner == null || inner instanceof Tick || inner instanceof Command.Keyed) {
      return Rejection.INVALID_ARGUMENT;
    }
    long[] known = keys.get(c.key());
    if (known != null && now - known[1] < limits.idempotencyWindowMillis()) {
      return known[0] == c.fingerprint() ? null : Rejection.IDEMPOTENCY_KEY_REUSED;
    }
    Rejection rejection = dispatch(c.command());
    if (rejection == null) {
      keys.remove(c.key());
      keys.put(c.key(), new long[] {c.fingerprint(), now});
      while (keys.size() > limits.idempotencyKeysMax()) {
        keys.remove(keys.keySet().iterator().next());
      }
    }
    return rejection;
  }

  private void expireDue() {
    for (int i = 0; i < limits.expiriesPerCommandMax(); i++) {
      if (active.isEmpty() || active.first().expiresAt > now) {
        return;
      }
      expire(active.first());
    }
  }

  private void expire(ModelHold hold) {
    for (HoldLine line : hold.lines) {
      long[] level = level(line.sku(), line.location());
      level[RESERVED] -= line.quantity();
      level[VERSION]++;
    }
    resolve(hold, HoldState.EXPIRED);
  }

  private void resolve(ModelHold hold, HoldState state) {
    active.remove(hold);
    hold.state = state;
    resolved.addLast(hold);
    while (resolved.size() > limits.holdsResolvedRetainedMax()) {
      holds.remove(resolved.removeFirst().id);
    }
  }

  private boolean badIdentifier(String value) {
    return value == null || value.isEmpty() || value.length() > limits.identifierLengthMax()
        || !IDENTIFIER.matcher(value).matches();
  }

  private static boolean badText(String value, int max) {
    return value != null && (value.length() > max || value.chars().anyMatch(Character::isISOControl));
  }

  private boolean badQuantity(long value, boolean zeroAllowed) {
    return value < (zeroAllowed ? 0 : 1) || value > limits.quantityMax();
  }

  private boolean locationsFull(String sku) {
    return locationCount.getOrDefault(sku, 0) >= limits.locationsPerItemMax();
  }

  private long[] createLevel(String sku, String location) {
    long[] level = new long[5];
    levels.put(key(sku, location), level);
    locationCount.merge(sku, 1, Integer::sum);
    return level;
  }

  private Rejection defineItem(DefineItem c) {
    if (badIdentifier(c.sku()) || badText(c.name(), limits.nameLengthMax())
        || badText(c.category(), limits.textLengthMax())) {
      return Rejection.INVALID_ARGUMENT;
    }
    if (!items.contains(c.sku()) && items.size() >= limits.itemsMax()) {
      return Rejection.CAPACITY_EXCEEDED;
    }
    items.add(c.sku());
    return null;
  }

  /** Common checks of single-level commands: the rejection, or null. */
  private Rejection checkTarget(String sku, String location, long quantity, String reason) {
    if (badIdentifier(sku) || badIdentifier(location) || badQuantity(quantity, false)
        || badText(reason, limits.textLengthMax())) {
      return Rejection.INVALID_ARGUMENT;
    }
    return items.contains(sku) ? null : Rejection.UNKNOWN_ITEM;
  }

  private Rejection addOnHand(String sku, String location, int quantity, String reason) {
    Rejection rejection = checkTarget(sku, location, quantity, reason);
    if (rejection != null) {
      return rejection;
    }
    long[] level = level(sku, location);
    if (level == null) {
      if (locationsFull(sku)) {
        return Rejection.CAPACITY_EXCEEDED;
      }
      level = createLevel(sku, location);
    }
    if (level[ON_HAND] + quantity > limits.quantityMax()) {
      return Rejection.QUANTITY_LIMIT_EXCEEDED;
    }
    level[ON_HAND] += quantity;
    level[VERSION]++;
    return null;
  }

  private Rejection adjust(Adjust c) {
    if (badQuantity(c.onHand(), true) || c.expectedVersion() < -1) {
      return Rejection.INVALID_ARGUMENT;
    }
    Rejection rejection = checkTarget(c.sku(), c.location(), 1, c.reason());
    if (rejection != null) {
      return rejection;
    }
    long[] level = level(c.sku(), c.location());
    long version = level == null ? 0 : level[VERSION];
    if (c.expectedVersion() != -1 && c.expectedVersion() != version) {
      return Rejection.VERSION_CONFLICT;
    }
    if (level == null) {
      if (locationsFull(c.sku())) {
        return Rejection.CAPACITY_EXCEEDED;
      }
      level = createLevel(c.sku(), c.location());
    }
    level[ON_HAND] = c.onHand();
    level[VERSION]++;
    return null;
  }

  private Rejection safety(SetSafetyStock c) {
    if (badQuantity(c.safetyStock(), true)) {
      return Rejection.INVALID_ARGUMENT;
    }
    Rejection rejection = checkTarget(c.sku(), c.location(), 1, null);
    if (rejection != null) {
      return rejection;
    }
    long[] level = level(c.sku(), c.location());
    if (level == null) {
      if (locationsFull(c.sku())) {
        return Rejection.CAPACITY_EXCEEDED;
      }
      level = createLevel(c.sku(), c.location());
    }
    level[SAFETY] = c.safetyStock();
    level[VERSION]++;
    return null;
  }

  private Rejection transfer(Transfer c) {
    if (badIdentifier(c.toLocation()) || c.toLocation().equals(c.fromLocation())) {
      return Rejection.INVALID_ARGUMENT;
    }
    Rejection rejection = checkTarget(c.sku(), c.fromLocation(), c.quantity(), c.reason());
    if (rejection != null) {
      return rejection;
    }
    long[] from = level(c.sku(), c.fromLocation());
    if (available(from) < c.quantity()) {
      return Rejection.INSUFFICIENT_STOCK;
    }
    long[] to = level(c.sku(), c.toLocation());
    if (to != null && to[ON_HAND] + c.quantity() > limits.quantityMax()) {
      return Rejection.QUANTITY_LIMIT_EXCEEDED;
    }
    if (to == null) {
      if (locationsFull(c.sku())) {
        return Rejection.CAPACITY_EXCEEDED;
      }
      to = createLevel(c.sku(), c.toLocation());
    }
    from[ON_HAND] -= c.quantity();
    from[VERSION]++;
    to[ON_HAND] += c.quantity();
    to[VERSION]++;
    return null;
  }

  private Rejection fulfil(Fulfil c) {
    Rejection rejection = checkTarget(c.sku(), c.location(), c.quantity(), c.reason());
    if (rejection != null) {
      return rejection;
    }
    long[] level = level(c.sku(), c.location());
    if (level == null || level[COMMITTED] < c.quantity() || level[ON_HAND] < c.quantity()) {
      return Rejection.INSUFFICIENT_COMMITTED;
    }
    level[ON_HAND] -= c.quantity();
    level[COMMITTED] -= c.quantity();
    level[VERSION]++;
    return null;
  }

  private Rejection reserve(Reserve c) {
    if (badIdentifier(c.holdId())
        || c.timeoutMillis() < limits.holdTimeoutMillisMin()
        || c.timeoutMillis() > limits.holdTimeoutMillisMax()
        || badText(c.customer(), limits.textLengthMax())
        || badText(c.reference(), limits.textLengthMax())
        || badLines(c.lines())) {
      return Rejection.INVALID_ARGUMENT;
    }
    if (holds.containsKey(c.holdId())) {
      return Rejection.HOLD_ID_TAKEN;
    }
    if (active.size() >= limits.holdsActiveMax()) {
      return Rejection.CAPACITY_EXCEEDED;
    }
    String customer = c.customer() == null ? "" : c.customer();
    if (!customer.isEmpty()) {
      // Simple on purpose: count the customer's active holds and units by walking them all.
      long holdsNow = active.stream().filter(h -> h.customer.equals(customer)).count();
      long unitsNow = active.stream().filter(h -> h.customer.equals(customer))
          .flatMap(h -> h.lines.stream()).mapToLong(HoldLine::quantity).sum();
      long units = c.lines().stream().mapToLong(HoldLine::quantity).sum();
      if (holdsNow >= limits.customerHoldsActiveMax()
          || unitsNow + units > limits.customerUnitsHeldMax()) {
        return Rejection.CUSTOMER_LIMIT_EXCEEDED;
      }
    }
    boolean short_ = false;
    for (HoldLine line : c.lines()) {
      if (!items.contains(line.sku())) {
        return Rejection.UNKNOWN_ITEM;
      }
      short_ |= available(level(line.sku(), line.location())) < line.quantity();
    }
    if (short_) {
      return Rejection.INSUFFICIENT_STOCK;
    }
    for (HoldLine line : c.lines()) {
      long[] level = level(line.sku(), line.location());
      level[RESERVED] += line.quantity();
      level[VERSION]++;
    }
    ModelHold hold = new ModelHold(c.holdId(), List.copyOf(c.lines()), ++ordinal,
        now + c.timeoutMillis(), customer);
    holds.put(hold.id, hold);
    active.add(hold);
    return null;
  }

  private boolean badLines(List<HoldLine> lines) {
    if (lines == null || lines.isEmpty() || lines.size() > limits.linesPerHoldMax()) {
      return true;
    }
    Set<String> seen = new HashSet<>();
    for (HoldLine line : lines) {
      if (line == null || badIdentifier(line.sku()) || badIdentifier(line.location())
          || badQuantity(line.quantity(), false) || !seen.add(key(line.sku(), line.location()))) {
        return true;
      }
    }
    return false;
  }

  /** The hold if it is active and not due; a due one is expired on the spot. */
  private ModelHold activeHold(String holdId) {
    ModelHold hold = holdId == null ? null : holds.get(holdId);
    if (hold == null || hold.state != HoldState.ACTIVE) {
      return null;
    }
    if (hold.expiresAt <= now) {
      expire(hold);
      return null;
    }
    return hold;
  }

  private Rejection notActive(String holdId) {
    ModelHold hold = holdId == null ? null : holds.get(holdId);
    if (hold == null) {
      return Rejection.HOLD_NOT_FOUND;
    }
    return switch (hold.state) {
      case EXPIRED -> Rejection.HOLD_EXPIRED;
      case CONFIRMED -> Rejection.HOLD_ALREADY_CONFIRMED;
      case RELEASED -> Rejection.HOLD_ALREADY_RELEASED;
      case FULFILLED -> Rejection.HOLD_ALREADY_FULFILLED;
      case ACTIVE -> throw new AssertionError("active hold reported as resolved");
    };
  }

  private Rejection resolveActive(String holdId, HoldState outcome) {
    ModelHold hold = activeHold(holdId);
    if (hold == null) {
      return notActive(holdId);
    }
    for (HoldLine line : hold.lines) {
      long[] level = level(line.sku(), line.location());
      level[RESERVED] -= line.quantity();
      if (outcome == HoldState.CONFIRMED) {
        level[COMMITTED] += line.quantity();
      }
      level[VERSION]++;
    }
    resolve(hold, outcome);
    return null;
  }

  private Rejection extend(Extend c) {
    if (c.timeoutMillis() < limits.holdTimeoutMillisMin()
        || c.timeoutMillis() > limits.holdTimeoutMillisMax()) {
      return Rejection.INVALID_ARGUMENT;
    }
    ModelHold hold = activeHold(c.holdId());
    if (hold == null) {
      return notActive(c.holdId());
    }
    active.remove(hold);
    hold.expiresAt = now + c.timeoutMillis();
    active.add(hold);
    return null;
  }

  private Rejection fulfilHold(FulfilHold c) {
    ModelHold hold = c.holdId() == null ? null : holds.get(c.holdId());
    if (hold == null) {
      return Rejection.HOLD_NOT_FOUND;
    }
    if (hold.state == HoldState.ACTIVE) {
      return Rejection.HOLD_NOT_CONFIRMED;
    }
    if (hold.state != HoldState.CONFIRMED) {
      return notActive(hold.id);
    }
    for (HoldLine line : hold.lines) {
      long[] level = level(line.sku(), line.location());
      if (level[COMMITTED] < line.quantity() || level[ON_HAND] < line.quantity()) {
        return Rejection.INSUFFICIENT_COMMITTED;
      }
    }
    for (HoldLine line : hold.lines) {
      long[] level = level(line.sku(), line.location());
      level[ON_HAND] -= line.quantity();
      level[COMMITTED] -= line.quantity();
      level[VERSION]++;
    }
    hold.state = HoldState.FULFILLED;
    return null;
  }
}
