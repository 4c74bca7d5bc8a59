package io.stockroom.engine;

import io.stockroom.engine.Command.Adjust;
import io.stockroom.engine.Command.Confirm;
import io.stockroom.engine.Command.DefineItem;
import io.stockroom.engine.Command.Extend;
import io.stockroom.engine.Command.Fulfil;
import io.stockroom.engine.Command.FulfilHold;
import io.stockroom.engine.Command.Attributed;
import io.stockroom.engine.Command.Keyed;
import io.stockroom.engine.Command.Receive;
import io.stockroom.engine.Command.Release;
import io.stockroom.engine.Command.Reserve;
import io.stockroom.engine.Command.Restock;
import io.stockroom.engine.Command.SetSafetyStock;
import io.stockroom.engine.Command.Tick;
import io.stockroom.engine.Command.Transfer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;

/**
 * The inventory state machine. {@link #apply} turns a command and a time into a result and
 * events; {@link #replay} rebuilds the same state from those events. It is pure: no I/O, no
 * clock, no threads, no randomness. It is not thread-safe: exactly one thread (the sequencer's
 * writer) may use an instance.
 *
 * <p>Invariants are checked on every change and throw {@link InvariantViolatedException}: a
 * broken engine must stop, not carry on. {@link #checkInvariants()} runs the full O(n) audit.
 */
public final class Engine {

  /** The location a shop with one warehouse never has to name. */
  public static final String DEFAULT_LOCATION = "default";

  private final Limits limits;
  private final Validation validation;
  private final HashMap<String, Item> items = new HashMap<>();
  private final HoldTable holds = new HoldTable();
  private final ExpiryQueue expiries = new ExpiryQueue(holds);
  /** Resolved holds in resolution order; the oldest are forgotten past the retention limit. */
  private final SlotQueue resolved = new SlotQueue();
  /**
   * Idempotency keys of accepted commands, oldest first: insertion order is the order in which
   * they are forgotten past {@link Limits#idempotencyKeysMax()}, the same live and in replay.
   */
  private final LinkedHashMap<String, KeyRecord> keys = new LinkedHashMap<>();
  /**
   * One String per location name, so a million levels at "default" share one object rather than
   * keeping whatever copy each creating request carried. Bounded; past the bound names are kept
   * as they come.
   */
  private final HashMap<String, String> locationNames = new HashMap<>();
  /**
   * Active holds and units held per non-empty customer: derived from the active holds (rebuilt
   * by replay and snapshot restore alike), so it needs no events or snapshot bytes of its own.
   * Bounded by the active holds.
   */
  private final HashMap<String, long[]> customers = new HashMap<>();
  /**
   * True while {@link #customers} lags the active holds. Replay does not keep it: it checks no
   * customer limit, and counting added and removed a map entry per hold (a tenth of replay's
   * time). It is rebuilt from the active holds before anything reads it.
   */
  private boolean customersStale;
  private long sequence;
  /** The first sequence the last applied command itself could emit (after the expiry sweep). */
  private long commandFirstSequence = 1;
  private long now = Long.MIN_VALUE;
  /** Who the command being applied is attributed to; what its events record. */
  private String actor = Event.SYSTEM_ACTOR;
  private long holdOrdinal;
  private long levelCount;
  /** For {@link #replay(Event)}: made at its first use, so engines that never replay pay nothing. */
  private EventCodec.Decoder eventDecoder;
  private DecodedEvent decodedEvent;

  /** What an idempotency key stands for: the request's digest and the events it produced. */
  record KeyRecord(long fingerprint, long firstSequence, long lastSequence, long recordedAt) {}

  private static final int LOCATION_NAMES_MAX = 100_000;

  public Engine(Limits limits) {
    this.limits = limits;
    this.validation = new Validation(limits);
  }

  public Limits limits() {
    return limits;
  }

  /** The sequence of the last event; 0 before the first. */
  public long sequence() {
    return sequence;
  }

  /** The latest time the engine has seen; it never goes backwards. */
  public long now() {
    return now;
  }

  public int itemCount() {
    return items.size();
  }

  public long levelCount() {
    return levelCount;
  }

  /** Idempotency keys currently remembered. */
  public int idempotencyKeyCount() {
    return keys.size();
  }

  public int activeHoldCount() {
    return expiries.size();
  }

  /**
   * When the next active hold falls due ({@link Long#MAX_VALUE} if none): the sequencer sends a
   * {@link Command.Tick} at that time, so expiry happens on time even when nothing else does.
   */
  public long nextExpiryAt() {
    int next = expiries.peek();
    return next == HoldTable.NONE ? Long.MAX_VALUE : holds.expiresAt(next);
  }

  // ---------------------------------------------------------------------------------------------
  // Commands

  /**
   * Applies one command at {@code time} (milliseconds; a time earlier than one already seen is
   * taken as the latest seen, so expiry never runs backwards). Holds due by then expire first,
   * at most {@link Limits#expiriesPerCommandMax()} of them. Events are appended to {@code out}.
   */
  public Result apply(long time, Command command, List<Event> out) {
    if (customersStale) {
      recountCustomers();
    }
    if (time > now) {
      now = time;
    }
    expireDue(out);
    commandFirstSequence = sequence + 1;
    return dispatch(command, out);
  }

  /**
   * The sequence of the first event the last {@link #apply}'d command emitted itself; events
   * before it in that call were expiries of holds that fell due, caused by time, not by it.
   */
  public long commandFirstSequence() {
    return commandFirstSequence;
  }

  private Result dispatch(Command command, List<Event> out) {
    return switch (command) {
      case Keyed keyed -> keyed(keyed, out);
      case Attributed attributed -> attributed(attributed, out);
      case Reserve reserve -> reserve(reserve, out);
      case Confirm confirm -> confirm(confirm, out);
      case Release release -> release(release, out);
      case Extend extend -> extend(extend, out);
      case FulfilHold fulfil -> fulfilHold(fulfil, out);
      case Receive receive -> receive(receive, out);
      case Adjust adjust -> adjust(adjust, out);
      case SetSafetyStock safety -> setSafetyStock(safety, out);
      case Transfer transfer -> transfer(transfer, out);
      case Fulfil fulfil -> fulfil(fulfil, out);
      case Restock restock -> restock(restock, out);
      case DefineItem define -> defineItem(define, out);
      case Tick tick -> Result.ACCEPTED;
    };
  }

  private Result attributed(Attributed command, List<Event> out) {
    String problem = command.actor() == null || command.actor().isEmpty()
        ? "an actor must be named"
        : validation.text("actor", command.actor(), limits.textLengthMax());
    Command inner = command.command() instanceof Keyed keyed ? keyed.command() : command.command();
    if (problem == null && (inner instanceof Attributed || inner == null)) {
      problem = "an actor must be attributed one command";
    }
    if (problem != null) {
      return Result.rejected(Rejection.INVALID_ARGUMENT, problem);
    }
    actor = command.actor();
    try {
      return dispatch(command.command(), out);
    } finally {
      actor = Event.SYSTEM_ACTOR;
    }
  }

  private Result keyed(Keyed command, List<Event> out) {
    String problem = validation.idempotencyKey(command.key());
    Command inner = command.command() instanceof Attributed attributed ? attributed.command()
        : command.command();
    if (problem == null && (inner instanceof Keyed || inner instanceof Tick || inner == null)) {
      problem = "an idempotency key must wrap one state-changing command";
    }
    if (problem != null) {
      return Result.rejected(Rejection.INVALID_ARGUMENT, problem);
    }
    KeyRecord known = keys.get(command.key());
    if (known != null && now - known.recordedAt() < limits.idempotencyWindowMillis()) {
      if (known.fingerprint() != command.fingerprint()) {
        return Result.rejected(Rejection.IDEMPOTENCY_KEY_REUSED, "idempotency key "
            + command.key() + " was used for a different request");
      }
      return Result.duplicate(known.firstSequence(), known.lastSequence());
    }
    long first = sequence + 1;
    Result result = dispatch(command.command(), out);
    if (result.accepted() && sequence >= first && limits.idempotencyKeysMax() > 0) {
      long last = sequence;
      // Attributed inside the key: that caller, not the one outside (who is none), asked.
      String requester = command.command() instanceof Attributed attributed ? attributed.actor()
          : actor;
      out.add(new Event.RequestRecorded(++sequence, now, requester, command.key(),
          command.fingerprint(), first));
      remember(command.key(), new KeyRecord(command.fingerprint(), first, last, now));
    }
    return result;
  }

  private void remember(String key, KeyRecord record) {
    keys.putLast(key, record); // a reused (expired) key moves to the young end
    while (keys.size() > limits.idempotencyKeysMax()) {
      keys.pollFirstEntry();
    }
  }

  private Result defineItem(DefineItem command, List<Event> out) {
    String problem = validation.identifier("sku", command.sku());
    if (problem == null) {
      problem = validation.text("name", command.name(), limits.nameLengthMax());
    }
    if (problem == null) {
      problem = validation.text("category", command.category(), limits.textLengthMax());
    }
    if (problem != null) {
      return Result.rejected(Rejection.INVALID_ARGUMENT, problem);
    }
    Item item = items.get(command.sku());
    if (item == null && items.size() >= limits.itemsMax()) {
      return Result.rejected(Rejection.CAPACITY_EXCEEDED,
          "the engine holds " + items.size() + " items, the limit (itemsMax)");
    }
    String name = Validation.orEmpty(command.name());
    String category = Validation.orEmpty(command.category());
    if (item == null) {
      items.put(command.sku(), new Item(command.sku(), name, category));
    } else {
      item.name = name;
      item.category = category;
    }
    out.add(new Event.ItemDefined(++sequence, now, actor, command.sku(), name, category));
    return Result.ACCEPTED;
  }

  private Result receive(Receive command, List<Event> out) {
    Located target = locate(command.sku(), command.location(), command.quantity(),
        command.reason(), true);
    if (target.rejection != null) {
      return target.rejection;
    }
    StockLevel level = target.level;
    if ((long) level.onHand + command.quantity() > limits.quantityMax()) {
      return quantityLimit(command.sku(), command.location(), "onHand", level.onHand,
          command.quantity());
    }
    Quantities before = level.quantities();
    level.onHand += command.quantity();
    LevelChange change = changed(command.sku(), level, before, command.quantity(), 0, 0, 0);
    out.add(new Event.StockReceived(++sequence, now, actor, change, command.quantity(),
        Validation.orEmpty(command.reason())));
    return Result.ACCEPTED;
  }

  private Result restock(Restock command, List<Event> out) {
    Located target = locate(command.sku(), command.location(), command.quantity(),
        command.reason(), true);
    if (target.rejection != null) {
      return target.rejection;
    }
    StockLevel level = target.level;
    if ((long) level.onHand + command.quantity() > limits.quantityMax()) {
      return quantityLimit(command.sku(), command.location(), "onHand", level.onHand,
          command.quantity());
    }
    Quantities before = level.quantities();
    level.onHand += command.quantity();
    LevelChange change = changed(command.sku(), level, before, command.quantity(), 0, 0, 0);
    out.add(new Event.StockRestocked(++sequence, now, actor, change, command.quantity(),
        Validation.orEmpty(command.reason())));
    return Result.ACCEPTED;
  }

  private Result adjust(Adjust command, List<Event> out) {
    String problem = validation.quantity("onHand", command.onHand(), true);
    if (problem == null && command.expectedVersion() < Adjust.ANY_VERSION) {
      problem = "expectedVersion must be -1 (any) or a version >= 0, was "
          + command.expectedVersion();
    }
    if (problem != null) {
      return Result.rejected(Rejection.INVALID_ARGUMENT, problem);
    }
    Located target = locate(command.sku(), command.location(), 1, command.reason(), false);
    if (target.rejection != null) {
      return target.rejection;
    }
    long version = target.level == null ? 0 : target.level.version;
    if (command.expectedVersion() != Adjust.ANY_VERSION && command.expectedVersion() != version) {
      return Result.rejected(Rejection.VERSION_CONFLICT, "level " + command.sku() + "@"
          + command.location() + " is at version " + version + ", not "
          + command.expectedVersion());
    }
    StockLevel level = target.level;
    if (level == null) {
      Result full = checkLocationCapacity(target.item);
      if (full != null) {
        return full;
      }
      level = addLevel(target.item, command.location());
    }
    Quantities before = level.quantities();
    level.onHand = command.onHand();
    LevelChange change = changed(command.sku(), level, before,
        (long) command.onHand() - before.onHand(), 0, 0, 0);
    out.add(new Event.StockAdjusted(++sequence, now, actor, change,
        Validation.orEmpty(command.reason())));
    reportShortage(command.sku(), level, out);
    return Result.ACCEPTED;
  }

  private Result setSafetyStock(SetSafetyStock command, List<Event> out) {
    String problem = validation.quantity("safetyStock", command.safetyStock(), true);
    if (problem != null) {
      return Result.rejected(Rejection.INVALID_ARGUMENT, problem);
    }
    Located target = locate(command.sku(), command.location(), 1, null, true);
    if (target.rejection != null) {
      return target.rejection;
    }
    StockLevel level = target.level;
    Quantities before = level.quantities();
    level.safetyStock = command.safetyStock();
    LevelChange change = changed(command.sku(), level, before, 0, 0, 0,
        (long) command.safetyStock() - before.safetyStock());
    out.add(new Event.SafetyStockSet(++sequence, now, actor, change));
    reportShortage(command.sku(), level, out);
    return Result.ACCEPTED;
  }

  private Result transfer(Transfer command, List<Event> out) {
    String problem = validation.identifier("toLocation", command.toLocation());
    if (problem == null && command.toLocation().equals(command.fromLocation())) {
      problem = "fromLocation and toLocation must differ, both were " + command.toLocation();
    }
    if (problem != null) {
      return Result.rejected(Rejection.INVALID_ARGUMENT, problem);
    }
    Located source = locate(command.sku(), command.fromLocation(), command.quantity(),
        command.reason(), false);
    if (source.rejection != null) {
      return source.rejection;
    }
    long available = source.level == null ? 0 : source.level.available();
    if (available < command.quantity()) {
      return Result.rejected(Rejection.INSUFFICIENT_STOCK, "cannot transfer "
          + command.quantity() + " of " + command.sku() + " from " + command.fromLocation()
          + ": " + available + " available");
    }
    StockLevel from = source.level;
    StockLevel to = source.item.level(command.toLocation());
    if (to != null && (long) to.onHand + command.quantity() > limits.quantityMax()) {
      return quantityLimit(command.sku(), command.toLocation(), "onHand", to.onHand,
          command.quantity());
    }
    if (to == null) {
      Result full = checkLocationCapacity(source.item);
      if (full != null) {
        return full;
      }
      to = addLevel(source.item, command.toLocation());
    }
    Quantities fromBefore = from.quantities();
    Quantities toBefore = to.quantities();
    from.onHand -= command.quantity();
    to.onHand += command.quantity();
    LevelChange fromChange = changed(command.sku(), from, fromBefore, -command.quantity(), 0, 0, 0);
    LevelChange toChange = changed(command.sku(), to, toBefore, command.quantity(), 0, 0, 0);
    out.add(new Event.StockTransferred(++sequence, now, actor, fromChange, toChange,
        command.quantity(), Validation.orEmpty(command.reason())));
    return Result.ACCEPTED;
  }

  private Result fulfil(Fulfil command, List<Event> out) {
    Located target = locate(command.sku(), command.location(), command.quantity(),
        command.reason(), false);
    if (target.rejection != null) {
      return target.rejection;
    }
    StockLevel level = target.level;
    int committed = level == null ? 0 : level.committed;
    int onHand = level == null ? 0 : level.onHand;
    if (committed < command.quantity() || onHand < command.quantity()) {
      return Result.rejected(Rejection.INSUFFICIENT_COMMITTED, "cannot ship "
          + command.quantity() + " of " + command.sku() + "@" + command.location() + ": "
          + committed + " committed, " + onHand + " on hand");
    }
    Quantities before = level.quantities();
    level.onHand -= command.quantity();
    level.committed -= command.quantity();
    LevelChange change = changed(command.sku(), level, before, -command.quantity(), 0,
        -command.quantity(), 0);
    out.add(new Event.StockFulfilled(++sequence, now, actor, change, command.quantity(),
        Validation.orEmpty(command.reason())));
    return Result.ACCEPTED;
  }

  private Result reserve(Reserve command, List<Event> out) {
    String problem = validation.reserve(command);
    if (problem != null) {
      return Result.rejected(Rejection.INVALID_ARGUMENT, problem);
    }
    // Where the hold will be indexed: nothing below changes the table before it is stored.
    int vacancy = holds.vacancy(command.holdId());
    if (vacancy == HoldTable.NONE) {
      return Result.rejected(Rejection.HOLD_ID_TAKEN, "hold " + command.holdId()
          + " already exists");
    }
    if (expiries.size() >= limits.holdsActiveMax()) {
      return Result.rejected(Rejection.CAPACITY_EXCEEDED, "the engine holds "
          + expiries.size() + " active holds, the limit (holdsActiveMax)");
    }
    List<HoldLine> lines = command.lines();
    int count = lines.size();
    Result limited = checkCustomerLimits(Validation.orEmpty(command.customer()), lines);
    if (limited != null) {
      return limited;
    }
    StockLevel[] levels = new StockLevel[count];
    int[] quantities = new int[count];
    List<Shortage> shortages = null;
    for (int i = 0; i < count; i++) {
      HoldLine line = lines.get(i);
      Item item = items.get(line.sku());
      if (item == null) {
        return unknownItem(line.sku());
      }
      StockLevel level = item.level(line.location());
      levels[i] = level;
      quantities[i] = line.quantity();
      long available = level == null ? 0 : level.available();
      if (available < line.quantity()) {
        if (shortages == null) {
          shortages = new ArrayList<>(count);
        }
        shortages.add(new Shortage(line.sku(), line.location(), line.quantity(),
            Math.max(0, available)));
      }
    }
    if (shortages != null) {
      return Result.insufficientStock(shortages);
    }
    LevelChange[] changes = new LevelChange[count];
    for (int i = 0; i < count; i++) {
      StockLevel level = levels[i];
      Quantities before = level.quantities();
      level.reserved += quantities[i];
      changes[i] = changed(level.sku, level, before, 0, quantities[i], 0, 0);
    }
    String customer = Validation.orEmpty(command.customer());
    String reference = Validation.orEmpty(command.reference());
    long expiresAt = now + command.timeoutMillis();
    int hold = holds.add(vacancy, command.holdId(), levels, quantities, customer, reference,
        ++holdOrdinal, expiresAt, HoldState.ACTIVE);
    // The event names the engine's own SKU and location strings, not the request's copies.
    List<HoldLine> kept = holds.lines(hold);
    expiries.add(hold);
    countCustomer(hold, 1);
    out.add(new Event.HoldReserved(++sequence, now, actor, command.holdId(), kept, customer,
        reference, expiresAt, List.of(changes)));
    return Result.ACCEPTED;
  }

  private Result confirm(Confirm command, List<Event> out) {
    int hold = activeHold(command.holdId(), out);
    if (hold == HoldTable.NONE) {
      return notActive(command.holdId());
    }
    LevelChange[] changes = new LevelChange[holds.lineCount(hold)];
    for (int i = 0; i < changes.length; i++) {
      StockLevel level = holds.level(hold, i);
      int quantity = holds.quantity(hold, i);
      Quantities before = level.quantities();
      level.reserved -= quantity;
      level.committed += quantity;
      changes[i] = changed(level.sku, level, before, 0, -quantity, quantity, 0);
    }
    resolve(hold, HoldState.CONFIRMED); // the slot may be forgotten from here on
    out.add(new Event.HoldConfirmed(++sequence, now, actor, command.holdId(),
        List.of(changes)));
    return Result.ACCEPTED;
  }

  private Result release(Release command, List<Event> out) {
    int hold = activeHold(command.holdId(), out);
    if (hold == HoldTable.NONE) {
      return notActive(command.holdId());
    }
    out.add(new Event.HoldReleased(++sequence, now, actor, command.holdId(),
        giveBack(hold, HoldState.RELEASED)));
    return Result.ACCEPTED;
  }

  private Result extend(Extend command, List<Event> out) {
    String problem = validation.timeout(command.timeoutMillis());
    if (problem != null) {
      return Result.rejected(Rejection.INVALID_ARGUMENT, problem);
    }
    int hold = activeHold(command.holdId(), out);
    if (hold == HoldTable.NONE) {
      return notActive(command.holdId());
    }
    holds.expiresAt(hold, now + command.timeoutMillis());
    expiries.reorder(hold);
    out.add(new Event.HoldExtended(++sequence, now, actor, command.holdId(),
        holds.expiresAt(hold)));
    return Result.ACCEPTED;
  }

  private Result fulfilHold(FulfilHold command, List<Event> out) {
    String id = command.holdId();
    int hold = id == null ? HoldTable.NONE : holds.find(id);
    if (hold == HoldTable.NONE) {
      return notActive(id);
    }
    if (holds.state(hold) != HoldState.CONFIRMED) {
      return holds.state(hold) == HoldState.ACTIVE
          ? Result.rejected(Rejection.HOLD_NOT_CONFIRMED, "hold " + id
              + " is active; confirm it before fulfilling")
          : notActive(id);
    }
    int lineCount = holds.lineCount(hold);
    for (int i = 0; i < lineCount; i++) {
      StockLevel level = holds.level(hold, i);
      int quantity = holds.quantity(hold, i);
      if (level.committed < quantity || level.onHand < quantity) {
        return Result.rejected(Rejection.INSUFFICIENT_COMMITTED, "cannot ship hold " + id
            + ": " + level.sku + "@" + level.location + " has " + level.committed
            + " committed and " + level.onHand + " on hand for a line of " + quantity);
      }
    }
    LevelChange[] changes = new LevelChange[lineCount];
    for (int i = 0; i < changes.length; i++) {
      StockLevel level = holds.level(hold, i);
      int quantity = holds.quantity(hold, i);
      Quantities before = level.quantities();
      level.onHand -= quantity;
      level.committed -= quantity;
      changes[i] = changed(level.sku, level, before, -quantity, 0, -quantity, 0);
    }
    holds.state(hold, HoldState.FULFILLED);
    out.add(new Event.HoldFulfilled(++sequence, now, actor, id, List.of(changes)));
    return Result.ACCEPTED;
  }

  // ---------------------------------------------------------------------------------------------
  // Expiry

  /** Expires holds whose deadline has passed, oldest deadline first, up to the per-command cap. */
  private void expireDue(List<Event> out) {
    int budget = limits.expiriesPerCommandMax();
    while (budget > 0) {
      int due = expiries.peek();
      if (due == HoldTable.NONE || holds.expiresAt(due) > now) {
        return;
      }
      expire(due, out);
      budget--;
    }
  }

  private void expire(int hold, List<Event> out) {
    String id = holds.id(hold); // before giveBack, which may forget the slot
    out.add(new Event.HoldExpired(++sequence, now, Event.SYSTEM_ACTOR, id,
        giveBack(hold, HoldState.EXPIRED)));
  }

  /**
   * The hold with this id if it is active and not yet due. A hold past its deadline that the
   * bounded sweep has not reached yet is expired here, so no command ever acts on a hold that
   * should already have expired.
   */
  private int activeHold(String holdId, List<Event> out) {
    int hold = holdId == null ? HoldTable.NONE : holds.find(holdId);
    if (hold == HoldTable.NONE || holds.state(hold) != HoldState.ACTIVE) {
      return HoldTable.NONE;
    }
    if (holds.expiresAt(hold) <= now) {
      expire(hold, out);
      return HoldTable.NONE;
    }
    return hold;
  }

  /** Gives the hold's units back and resolves it; its slot may be forgotten by the time it returns. */
  private List<LevelChange> giveBack(int hold, HoldState state) {
    LevelChange[] changes = new LevelChange[holds.lineCount(hold)];
    for (int i = 0; i < changes.length; i++) {
      StockLevel level = holds.level(hold, i);
      int quantity = holds.quantity(hold, i);
      Quantities before = level.quantities();
      level.reserved -= quantity;
      changes[i] = changed(level.sku, level, before, 0, -quantity, 0, 0);
    }
    resolve(hold, state);
    return List.of(changes);
  }

  /**
   * Moves an active hold to {@code state} and retains it; past the retention limit the oldest
   * resolved holds are forgotten, which may be this one (a limit of 0): callers must not read
   * the slot afterwards.
   */
  private void resolve(int hold, HoldState state) {
    if (holds.state(hold) != HoldState.ACTIVE) {
      throw new InvariantViolatedException("hold " + holds.id(hold) + " resolved twice: "
          + holds.state(hold) + " then " + state);
    }
    holds.state(hold, state);
    expiries.remove(hold);
    if (!customersStale) {
      countCustomer(hold, -1);
    }
    resolved.addLast(hold);
    // Bounded retention: the oldest resolved holds are forgotten first (deterministically, so
    // replay forgets the same ones).
    while (resolved.size() > limits.holdsResolvedRetainedMax()) {
      holds.forget(resolved.removeFirst());
    }
  }

  private Result checkCustomerLimits(String customer, List<HoldLine> lines) {
    if (customer.isEmpty()) {
      return null; // anonymous carts are not counted; a checkout should name its customer
    }
    long units = 0;
    for (HoldLine line : lines) {
      units += line.quantity();
    }
    long[] usage = customers.get(customer);
    long holdsNow = usage == null ? 0 : usage[0];
    long unitsNow = usage == null ? 0 : usage[1];
    if (holdsNow >= limits.customerHoldsActiveMax()) {
      return Result.rejected(Rejection.CUSTOMER_LIMIT_EXCEEDED, "customer " + customer
          + " has " + holdsNow + " active reservations, the limit (customerHoldsActiveMax)");
    }
    if (unitsNow + units > limits.customerUnitsHeldMax()) {
      return Result.rejected(Rejection.CUSTOMER_LIMIT_EXCEEDED, "customer " + customer
          + " holds " + unitsNow + " units; " + units + " more would pass the limit"
          + " (customerUnitsHeldMax " + limits.customerUnitsHeldMax() + ")");
    }
    return null;
  }

  private void countCustomer(int hold, int sign) {
    String customer = holds.customer(hold);
    if (customer.isEmpty()) {
      return;
    }
    long units = holds.units(hold);
    long[] usage = customers.computeIfAbsent(customer, c -> new long[2]);
    usage[0] += sign;
    usage[1] += sign * units;
    if (usage[0] < 0 || usage[1] < 0) {
      throw new InvariantViolatedException("customer " + customer + " usage below zero");
    }
    if (usage[0] == 0) {
      customers.remove(customer);
    }
  }

  private void recountCustomers() {
    customers.clear();
    for (int i = 0; i < expiries.size(); i++) {
      countCustomer(expiries.at(i), 1);
    }
    customersStale = false;
  }

  private Result notActive(String holdId) {
    int hold = holdId == null ? HoldTable.NONE : holds.find(holdId);
    if (hold == HoldTable.NONE) {
      return Result.rejected(Rejection.HOLD_NOT_FOUND, "no hold " + holdId);
    }
    return switch (holds.state(hold)) {
      case EXPIRED -> Result.rejected(Rejection.HOLD_EXPIRED, "hold " + holdId
          + " expired at " + holds.expiresAt(hold));
      case CONFIRMED -> Result.rejected(Rejection.HOLD_ALREADY_CONFIRMED, "hold " + holdId
          + " was already confirmed");
      case RELEASED -> Result.rejected(Rejection.HOLD_ALREADY_RELEASED, "hold " + holdId
          + " was already released");
      case FULFILLED -> Result.rejected(Rejection.HOLD_ALREADY_FULFILLED, "hold " + holdId
          + " was already fulfilled");
      case ACTIVE -> throw new InvariantViolatedException("hold " + holdId
          + " is active but was treated as resolved");
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Levels

  /** A validated (item, level) target of a single-level command, or the reason it is refused. */
  private record Located(Item item, StockLevel level, Result rejection) {}

  /**
   * Validates the common fields of a single-level command and finds its level, creating it when
   * {@code create} is set and the location is new.
   */
  private Located locate(String sku, String location, int quantity, String reason,
      boolean create) {
    String problem = validation.identifier("sku", sku);
    if (problem == null) {
      problem = validation.identifier("location", location);
    }
    if (problem == null) {
      problem = validation.quantity("quantity", quantity, false);
    }
    if (problem == null) {
      problem = validation.text("reason", reason, limits.textLengthMax());
    }
    if (problem != null) {
      return new Located(null, null, Result.rejected(Rejection.INVALID_ARGUMENT, problem));
    }
    Item item = items.get(sku);
    if (item == null) {
      return new Located(null, null, unknownItem(sku));
    }
    StockLevel level = item.level(location);
    if (level == null && create) {
      Result full = checkLocationCapacity(item);
      if (full != null) {
        return new Located(item, null, full);
      }
      level = addLevel(item, location);
    }
    return new Located(item, level, null);
  }

  private Result checkLocationCapacity(Item item) {
    if (item.levelCount >= limits.locationsPerItemMax()) {
      return Result.rejected(Rejection.CAPACITY_EXCEEDED, "item " + item.sku + " has "
          + item.levelCount + " locations, the limit (locationsPerItemMax)");
    }
    return null;
  }

  private StockLevel addLevel(Item item, String location) {
    levelCount++;
    String name = locationNames.get(location);
    if (name == null) {
      name = location;
      if (locationNames.size() < LOCATION_NAMES_MAX) {
        locationNames.put(name, name);
      }
    }
    return item.addLevel(name);
  }

  private static Result unknownItem(String sku) {
    return Result.rejected(Rejection.UNKNOWN_ITEM, "no item with sku " + sku);
  }

  private Result quantityLimit(String sku, String location, String field, int current,
      int adding) {
    return Result.rejected(Rejection.QUANTITY_LIMIT_EXCEEDED, sku + "@" + location + ": "
        + field + " " + current + " + " + adding + " would exceed quantityMax "
        + limits.quantityMax());
  }

  private void reportShortage(String sku, StockLevel level, List<Event> out) {
    long available = level.available();
    if (available < 0) {
      out.add(new Event.ShortageDetected(++sequence, now, actor, sku, level.location, available));
    }
  }

  /**
   * Records a level's change after the caller mutated it, and proves the mutation moved exactly
   * the units the command says (conservation) and left every quantity in range.
   */
  private LevelChange changed(String sku, StockLevel level, Quantities before, long onHandDelta,
      long reservedDelta, long committedDelta, long safetyDelta) {
    Quantities after = level.quantities();
    if ((long) after.onHand() - before.onHand() != onHandDelta
        || (long) after.reserved() - before.reserved() != reservedDelta
        || (long) after.committed() - before.committed() != committedDelta
        || (long) after.safetyStock() - before.safetyStock() != safetyDelta) {
      throw new InvariantViolatedException("units not conserved at " + sku + "@" + level.location
          + ": " + before + " -> " + after + " for deltas onHand " + onHandDelta + ", reserved "
          + reservedDelta + ", committed " + committedDelta + ", safetyStock " + safetyDelta);
    }
    checkRange(sku, level);
    level.version++;
    return new LevelChange(sku, level.location, before, after, level.version);
  }

  private void checkRange(String sku, StockLevel level) {
    int max = limits.quantityMax();
    if (level.onHand < 0 || level.onHand > max
        || level.reserved < 0 || level.reserved > max
        || level.committed < 0 || level.committed > max
        || level.safetyStock < 0 || level.safetyStock > max) {
      throw new InvariantViolatedException("quantity out of range at " + sku + "@"
          + level.location + ": " + level.quantities());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Replay

  /**
   * Applies an event produced earlier by {@link #apply}. Applying every event in order to an
   * empty engine rebuilds the state that produced them. Each event is checked against the state
   * it lands on; a mismatch means the log is not this engine's history and throws {@link
   * InvariantViolatedException}.
   *
   * <p>The event is replayed as the journal would give it back, encoded and decoded: there is one
   * replay, the one recovery runs ({@link #replay(DecodedEvent)}), and every check it makes
   * applies to events handed in directly too (tests, simulations, replicas).
   */
  public void replay(Event event) {
    if (eventDecoder == null) {
      eventDecoder = new EventCodec.Decoder(256, 1 << 16);
      decodedEvent = new DecodedEvent();
    }
    byte[] bytes = EventCodec.encode(event);
    eventDecoder.decodeInto(bytes, 0, bytes.length, decodedEvent);
    replay(decodedEvent);
  }

  /**
   * Applies an event as the journal's decoder read it: what recovery calls for every event after
   * the snapshot. It reads the event's fields where they lie and keeps only the Strings a hold
   * or key retains, so two million events leave little garbage behind.
   */
  public void replay(DecodedEvent event) {
    if (event.sequence != sequence + 1) {
      throw new InvariantViolatedException("replay expected sequence " + (sequence + 1)
          + " but got " + event.sequence);
    }
    if (event.time > now) {
      now = event.time;
    }
    customersStale = true;
    long quantity = event.quantity;
    switch (event.type) {
      case EventCodec.ITEM_DEFINED -> replayItem(event);
      case EventCodec.STOCK_RECEIVED, EventCodec.STOCK_RESTOCKED ->
          replayChange(event, 0, quantity, 0, 0, 0);
      case EventCodec.STOCK_ADJUSTED -> replayChange(event, 0, ANY, 0, 0, 0);
      case EventCodec.SAFETY_STOCK_SET -> replayChange(event, 0, 0, 0, 0, ANY);
      case EventCodec.STOCK_FULFILLED -> replayChange(event, 0, -quantity, 0, -quantity, 0);
      case EventCodec.STOCK_TRANSFERRED -> {
        if (!event.changeSkus[0].equals(event.changeSkus[1])) {
          throw new InvariantViolatedException("replay: transfer " + event.sequence + " from "
              + event.changeSkus[0] + " to another item, " + event.changeSkus[1]);
        }
        replayChange(event, 0, -quantity, 0, 0, 0);
        replayChange(event, 1, quantity, 0, 0, 0);
      }
      case EventCodec.SHORTAGE_DETECTED -> replayShortage(event);
      case EventCodec.HOLD_RESERVED -> replayReserved(event);
      // Per unit of a line: confirm moves reserved to committed, release and expiry give it back.
      case EventCodec.HOLD_CONFIRMED -> replayResolved(event, HoldState.CONFIRMED, 0, -1, 1);
      case EventCodec.HOLD_RELEASED -> replayResolved(event, HoldState.RELEASED, 0, -1, 0);
      case EventCodec.HOLD_EXPIRED -> replayResolved(event, HoldState.EXPIRED, 0, -1, 0);
      case EventCodec.HOLD_EXTENDED -> replayExtended(event);
      case EventCodec.HOLD_FULFILLED -> replayFulfilled(event);
      case EventCodec.REQUEST_RECORDED -> remember(event.key, new KeyRecord(event.fingerprint,
          event.firstSequence, event.sequence - 1, event.time));
      default -> throw new InvariantViolatedException("replay: event " + event.sequence
          + " is of no known type (" + event.typeName() + ")");
    }
    sequence = event.sequence;
  }

  private void replayItem(DecodedEvent e) {
    Item item = items.get(e.sku);
    if (item == null) {
      items.put(e.sku, new Item(e.sku, e.name, e.category));
    } else {
      item.name = e.name;
      item.category = e.category;
    }
  }

  /** Checks change {@code index} moved what its kind says, then applies it to its level. */
  private StockLevel replayChange(DecodedEvent e, int index, long onHand, long reserved,
      long committed, long safety) {
    checkShape(e, index, onHand, reserved, committed, safety);
    String sku = e.changeSkus[index];
    Item item = items.get(sku);
    if (item == null) {
      throw new InvariantViolatedException("replay: change to unknown item " + sku);
    }
    StockLevel level = item.level(e.changeLocations[index]);
    if (level == null) {
      level = addLevel(item, e.changeLocations[index]);
    }
    return replayOnto(level, e, index);
  }

  /** Applies change {@code index} to the level it names, after checking the level is where it says. */
  private StockLevel replayOnto(StockLevel level, DecodedEvent e, int index) {
    int[] q = e.quantities;
    int at = index * DecodedEvent.QUANTITIES;
    long version = e.versions[index];
    if (level.onHand != q[at] || level.reserved != q[at + 1] || level.committed != q[at + 2]
        || level.safetyStock != q[at + 3] || level.version + 1 != version) {
      throw notWhereItSays(level, e, index);
    }
    level.onHand = q[at + 4];
    level.reserved = q[at + 5];
    level.committed = q[at + 6];
    level.safetyStock = q[at + 7];
    level.version = version;
    checkRange(e.changeSkus[index], level);
    return level;
  }

  // The messages of replay's failures are built out of line, so the methods every event runs
  // stay small: quicker for the JIT to compile at a restart, and inlined where they are called.

  private static InvariantViolatedException notWhereItSays(StockLevel level, DecodedEvent e,
      int index) {
    return new InvariantViolatedException("replay: " + e.changeSkus[index] + "@"
        + e.changeLocations[index] + " is " + level.quantities() + " v" + level.version
        + " but the event expects " + e.beforeQuantities(index) + " before v"
        + e.versions[index]);
  }

  private static InvariantViolatedException notItsLine(String holdId, int line, String sku,
      String location, DecodedEvent e) {
    return new InvariantViolatedException("replay: hold " + holdId + " line " + line + " is "
        + sku + "@" + location + " but the event changes " + e.changeSkus[line] + "@"
        + e.changeLocations[line]);
  }

  private static InvariantViolatedException notItsLineCount(String holdId, int lines,
      DecodedEvent e) {
    return new InvariantViolatedException("replay: hold " + holdId + " has " + lines
        + " lines but the event changes " + e.changeCount + " levels");
  }

  private static InvariantViolatedException notWhatItMoved(DecodedEvent e, int index) {
    return new InvariantViolatedException("replay: event " + e.sequence + " ("
        + e.typeName() + ") changes " + e.changeSkus[index] + "@" + e.changeLocations[index]
        + " from " + e.beforeQuantities(index) + " to " + e.afterQuantities(index)
        + ", not by what it says it moved");
  }

  private void replayShortage(DecodedEvent e) {
    Item item = items.get(e.sku);
    StockLevel level = item == null ? null : item.level(e.location);
    if (level == null || level.available() != e.available) {
      throw new InvariantViolatedException("replay: shortage at " + e.sku + "@" + e.location
          + " does not match the level's available quantity");
    }
  }

  private void replayReserved(DecodedEvent e) {
    int count = e.changeCount;
    if (count != e.lineCount || count == 0) {
      throw notItsLineCount(e.holdId, e.lineCount, e);
    }
    StockLevel[] levels = new StockLevel[count];
    int[] quantities = new int[count];
    for (int i = 0; i < count; i++) {
      String sku = e.lineSkus[i];
      if (!e.changeSkus[i].equals(sku) || !e.changeLocations[i].equals(e.lineLocations[i])) {
        throw notItsLine(e.holdId, i, sku, e.lineLocations[i], e);
      }
      quantities[i] = e.lineQuantities[i];
      levels[i] = replayChange(e, i, 0, quantities[i], 0, 0);
    }
    int hold;
    try {
      hold = holds.add(e.holdId, levels, quantities, e.customer, e.reference, ++holdOrdinal,
          e.expiresAt, HoldState.ACTIVE);
    } catch (IllegalArgumentException malformed) {
      throw new InvariantViolatedException("replay: hold " + e.holdId + ": "
          + malformed.getMessage());
    }
    // One lookup, not two: a duplicate is fatal anyway, so the levels changed above don't matter.
    if (hold == HoldTable.NONE) {
      throw new InvariantViolatedException("replay: hold " + e.holdId + " reserved twice");
    }
    expiries.add(hold);
  }

  private void replayResolved(DecodedEvent e, HoldState state, int onHand, int reserved,
      int committed) {
    int hold = holds.find(e.holdId);
    if (hold == HoldTable.NONE || holds.state(hold) != HoldState.ACTIVE) {
      throw new InvariantViolatedException("replay: hold " + e.holdId + " is not active for "
          + state);
    }
    replayHoldChanges(e, hold, onHand, reserved, committed);
    resolve(hold, state);
  }

  /**
   * A resolution's changes land on the hold's own levels, line by line in the hold's order (as
   * {@link #confirm}, {@link #giveBack} and {@link #fulfilHold} emit them): the hold already
   * references them, so replay skips the item and level lookups, which were most of the time
   * spent replaying confirms, releases, expiries and shipments. Each change must still name
   * the hold's line exactly and move exactly the line's units the way its kind does ({@code
   * onHand}, {@code reserved}, {@code committed}: each field's move per unit of the line), so a
   * log that does not match this state fails here.
   */
  private void replayHoldChanges(DecodedEvent e, int hold, int onHand, int reserved,
      int committed) {
    if (e.changeCount != holds.lineCount(hold)) {
      throw notItsLineCount(e.holdId, holds.lineCount(hold), e);
    }
    for (int i = 0; i < e.changeCount; i++) {
      StockLevel level = holds.level(hold, i);
      if (!e.changeSkus[i].equals(level.sku) || !e.changeLocations[i].equals(level.location)) {
        throw notItsLine(e.holdId, i, level.sku, level.location, e);
      }
      long quantity = holds.quantity(hold, i);
      checkShape(e, i, onHand * quantity, reserved * quantity, committed * quantity, 0);
      replayOnto(level, e, i);
    }
  }

  /**
   * A field an event may set to any value (a count sets on hand, safety stock is set). A long
   * no int difference can equal, so no event's own numbers can make a delta mean "any".
   */
  private static final long ANY = Long.MIN_VALUE;

  /**
   * An event moves exactly the units it says, and only in the fields its kind moves: change
   * {@code index}'s {@code on hand}, {@code reserved}, {@code committed} and {@code safety} each
   * move by the required after-minus-before ({@link #ANY} where the kind sets the field). A
   * checksum-valid forgery that shifts units elsewhere while keeping the totals fails here, not
   * silently.
   */
  private static void checkShape(DecodedEvent e, int index, long onHand, long reserved,
      long committed, long safety) {
    if (!moved(e, index, 0, onHand) || !moved(e, index, 1, reserved)
        || !moved(e, index, 2, committed) || !moved(e, index, 3, safety)) {
      throw notWhatItMoved(e, index);
    }
  }

  private static boolean moved(DecodedEvent e, int index, int field, long delta) {
    return delta == ANY || (long) e.after(index, field) - e.before(index, field) == delta;
  }

  private void replayExtended(DecodedEvent e) {
    int hold = holds.find(e.holdId);
    if (hold == HoldTable.NONE || holds.state(hold) != HoldState.ACTIVE) {
      throw new InvariantViolatedException("replay: hold " + e.holdId + " is not active");
    }
    holds.expiresAt(hold, e.expiresAt);
    expiries.reorder(hold);
  }

  private void replayFulfilled(DecodedEvent e) {
    int hold = holds.find(e.holdId);
    if (hold == HoldTable.NONE || holds.state(hold) != HoldState.CONFIRMED) {
      throw new InvariantViolatedException("replay: hold " + e.holdId + " is not confirmed");
    }
    replayHoldChanges(e, hold, -1, 0, -1); // shipped: off the shelf and out of committed
    holds.state(hold, HoldState.FULFILLED);
  }

  // ---------------------------------------------------------------------------------------------
  // Reads (for tests, recovery, and building the server's read view at startup)

  /** The quantities at (sku, location), or null when there is no such level. */
  public Quantities level(String sku, String location) {
    Item item = items.get(sku);
    StockLevel level = item == null ? null : item.level(location);
    return level == null ? null : level.quantities();
  }

  /** The version of (sku, location); 0 when there is no such level. */
  public long levelVersion(String sku, String location) {
    Item item = items.get(sku);
    StockLevel level = item == null ? null : item.level(location);
    return level == null ? 0 : level.version;
  }

  public ItemView item(String sku) {
    Item item = items.get(sku);
    return item == null ? null : view(item);
  }

  public HoldView hold(String holdId) {
    int hold = holdId == null ? HoldTable.NONE : holds.find(holdId);
    return hold == HoldTable.NONE ? null : holds.view(hold);
  }

  /** Visits every item (in no particular order). */
  public void forEachItem(Consumer<ItemView> visitor) {
    for (Item item : items.values()) {
      visitor.accept(view(item));
    }
  }

  /**
   * Visits every hold the engine knows: first the retained resolved ones in the order they
   * resolved (the order in which they will be forgotten), then the active ones.
   */
  public void forEachHold(Consumer<HoldView> visitor) {
    for (int i = 0; i < resolved.size(); i++) {
      visitor.accept(holds.view(resolved.get(i)));
    }
    for (int hold = 0; hold < holds.slotLimit(); hold++) {
      if (holds.inUse(hold) && holds.state(hold) == HoldState.ACTIVE) {
        visitor.accept(holds.view(hold));
      }
    }
  }

  private static ItemView view(Item item) {
    List<ItemView.Level> levels = new ArrayList<>(item.levelCount);
    for (StockLevel level = item.firstLevel; level != null; level = level.next) {
      levels.add(new ItemView.Level(level.location, level.quantities(), level.version));
    }
    return new ItemView(item.sku, item.name, item.category, List.copyOf(levels));
  }

  // ---------------------------------------------------------------------------------------------
  // Whole-state checks, checksum and snapshots

  /**
   * The full audit, O(state): every level's reserved equals the sum of its active hold lines,
   * every quantity is in range, the expiry queue holds exactly the active holds in order, and
   * the retained resolved holds are exactly the resolved ones indexed.
   */
  public void checkInvariants() {
    // Right after a recount the usage is the active holds' by construction: nothing to audit.
    boolean recounted = customersStale;
    if (recounted) {
      recountCustomers();
    }
    // One pass over the holds, boxing nothing: at a restart this runs once, mostly before the
    // JIT has compiled it, and a pass per check with boxed sums took up to 0.15 s.
    HashMap<StockLevel, long[]> reservedByLevel = new HashMap<>();
    HashMap<String, long[]> holdsByCustomer = new HashMap<>();
    int active = 0;
    for (int hold = 0; hold < holds.slotLimit(); hold++) {
      if (!holds.inUse(hold)) {
        continue;
      }
      if (holds.state(hold) == HoldState.ACTIVE) {
        active++;
        if (holds.queuePosition(hold) < 0) {
          throw new InvariantViolatedException("active hold " + holds.id(hold)
              + " is not queued");
        }
        for (int i = 0; i < holds.lineCount(hold); i++) {
          reservedByLevel.computeIfAbsent(holds.level(hold, i), level -> new long[1])[0] +=
              holds.quantity(hold, i);
        }
        String customer = holds.customer(hold);
        if (!recounted && !customer.isEmpty()) {
          holdsByCustomer.computeIfAbsent(customer, c -> new long[1])[0]++;
        }
      } else if (holds.queuePosition(hold) >= 0) {
        throw new InvariantViolatedException("resolved hold " + holds.id(hold)
            + " is still queued");
      }
    }
    if (active != expiries.size() || holds.size() - active != resolved.size()) {
      throw new InvariantViolatedException("hold counts disagree: " + active + " active, "
          + expiries.size() + " queued, " + (holds.size() - active) + " resolved indexed, "
          + resolved.size() + " retained");
    }
    expiries.check();
    if (!recounted) {
      checkCustomers(holdsByCustomer);
    }
    long levels = 0;
    for (Item item : items.values()) {
      for (StockLevel level = item.firstLevel; level != null; level = level.next) {
        levels++;
        checkRange(item.sku, level);
        long[] held = reservedByLevel.get(level);
        long expected = held == null ? 0 : held[0];
        if (level.reserved != expected) {
          throw new InvariantViolatedException("reserved at " + item.sku + "@" + level.location
              + " is " + level.reserved + " but active holds hold " + expected);
        }
      }
    }
    if (levels != levelCount) {
      throw new InvariantViolatedException("level count " + levelCount + " but found " + levels);
    }
  }

  private void checkCustomers(HashMap<String, long[]> holdsByCustomer) {
    if (holdsByCustomer.size() != customers.size()) {
      throw new InvariantViolatedException("customer usage tracks " + customers.size()
          + " customers but " + holdsByCustomer.size() + " have active holds");
    }
    for (var entry : holdsByCustomer.entrySet()) {
      long[] usage = customers.get(entry.getKey());
      if (usage == null || usage[0] != entry.getValue()[0]) {
        throw new InvariantViolatedException("customer " + entry.getKey() + " usage disagrees"
            + " with their active holds");
      }
    }
  }

  /**
   * A 64-bit digest of the whole state that does not depend on hash-map iteration order, so a
   * state rebuilt from a snapshot or by replay can be compared with the live one. Time is not
   * part of it: it is an input, not state.
   */
  public long checksum() {
    long sum = Digest.mix(sequence) ^ Digest.mix(holdOrdinal * 31 + levelCount);
    for (Item item : items.values()) {
      long itemHash = Digest.of(item.sku, item.name, item.category);
      sum += Digest.mix(itemHash);
      for (StockLevel level = item.firstLevel; level != null; level = level.next) {
        long h = Digest.combine(itemHash, Digest.of(level.location));
        h = Digest.combine(h, ((long) level.onHand << 32) | (level.reserved & 0xffffffffL));
        h = Digest.combine(h, ((long) level.committed << 32) | (level.safetyStock & 0xffffffffL));
        sum += Digest.mix(Digest.combine(h, level.version));
      }
    }
    for (int hold = 0; hold < holds.slotLimit(); hold++) {
      if (!holds.inUse(hold)) {
        continue;
      }
      long h = Digest.of(holds.id(hold), holds.customer(hold), holds.reference(hold));
      h = Digest.combine(h, holds.ordinal(hold));
      h = Digest.combine(h, holds.expiresAt(hold));
      h = Digest.combine(h, holds.state(hold).ordinal());
      for (int i = 0; i < holds.lineCount(hold); i++) {
        StockLevel level = holds.level(hold, i);
        h = Digest.combine(h, Digest.of(level.sku, level.location));
        h = Digest.combine(h, holds.quantity(hold, i));
      }
      sum += Digest.mix(h);
    }
    long order = 0;
    for (int i = 0; i < resolved.size(); i++) {
      order = Digest.combine(order, holds.ordinal(resolved.get(i)));
    }
    for (var entry : keys.entrySet()) {
      KeyRecord key = entry.getValue();
      order = Digest.combine(order, Digest.of(entry.getKey()));
      order = Digest.combine(order, key.fingerprint());
      order = Digest.combine(order, key.firstSequence() * 31 + key.lastSequence());
      order = Digest.combine(order, key.recordedAt());
    }
    return sum ^ Digest.mix(order);
  }

  /** Writes the whole state as compact bytes; {@link #fromSnapshot} reads them back. */
  public byte[] snapshot() {
    return EngineSnapshot.write(this, items.values(), holds, resolved, keys, sequence,
        now, holdOrdinal);
  }

  /**
   * Rebuilds an engine from {@link #snapshot()} bytes and checks the rebuilt state against the
   * checksum stored in them.
   *
   * @throws IllegalArgumentException when the bytes are not a valid snapshot
   */
  public static Engine fromSnapshot(Limits limits, byte[] bytes) {
    return EngineSnapshot.read(limits, bytes);
  }

  // Package-private hooks for EngineSnapshot.

  void restoreCounters(long sequence, long now, long holdOrdinal) {
    this.sequence = sequence;
    this.now = now;
    this.holdOrdinal = holdOrdinal;
  }

  Item restoreItem(String sku, String name, String category) {
    Item item = new Item(sku, name, category);
    if (items.put(sku, item) != null) {
      throw new IllegalArgumentException("snapshot lists item " + sku + " twice");
    }
    return item;
  }

  StockLevel restoreLevel(Item item, String location) {
    if (item.level(location) != null) {
      throw new IllegalArgumentException("snapshot lists level " + item.sku + "@" + location
          + " twice");
    }
    return addLevel(item, location);
  }

  Item itemForRestore(String sku) {
    return items.get(sku);
  }

  void restoreKey(String key, KeyRecord record) {
    if (keys.put(key, record) != null) {
      throw new IllegalArgumentException("snapshot lists idempotency key " + key + " twice");
    }
  }

  void restoreHold(String id, StockLevel[] levels, int[] quantities, String customer,
      String reference, long ordinal, long expiresAt, HoldState state) {
    int hold = holds.add(id, levels, quantities, customer, reference, ordinal, expiresAt, state);
    if (hold == HoldTable.NONE) {
      throw new IllegalArgumentException("snapshot lists hold " + id + " twice");
    }
    if (state == HoldState.ACTIVE) {
      expiries.add(hold);
      countCustomer(hold, 1);
    } else {
      resolved.addLast(hold);
    }
  }
}
