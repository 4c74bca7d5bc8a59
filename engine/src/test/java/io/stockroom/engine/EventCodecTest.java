package io.stockroom.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventCodecTest {

  private static final Quantities BEFORE = new Quantities(10, 2, 3, 1);
  private static final Quantities AFTER = new Quantities(9, 1, 3, 1);
  private static final LevelChange CHANGE = new LevelChange("tee", "default", BEFORE, AFTER, 7);
  private static final LevelChange OTHER = new LevelChange("mug", "paris", AFTER, BEFORE, 2);

  static List<Event> everyKind() {
    return List.of(
        new Event.ItemDefined(1, 100, "system", "tee", "T-shirt « été »", "apparel"),
        new Event.StockReceived(2, 101, "jwt:ünïcode@shop.example", CHANGE, 5, "delivery 42"),
        new Event.StockAdjusted(3, 102, "key:k1a2b3c4d5e6", CHANGE, ""),
        new Event.SafetyStockSet(4, 103, "system", CHANGE),
        new Event.StockTransferred(5, 104, "jwt:ünïcode@shop.example", CHANGE, OTHER, 3,
            "rebalance"),
        new Event.ShortageDetected(6, 105, "key:k1a2b3c4d5e6", "tee", "default", -4),
        new Event.HoldReserved(7, 106, "system", "h1",
            List.of(new HoldLine("tee", "default", 1), new HoldLine("mug", "paris", 2)),
            "alice", "cart-9", 60_106, List.of(CHANGE, OTHER)),
        new Event.HoldConfirmed(8, 107, "jwt:ünïcode@shop.example", "h1", List.of(CHANGE)),
        new Event.HoldReleased(9, 108, "key:k1a2b3c4d5e6", "h2", List.of(CHANGE, OTHER)),
        new Event.HoldExpired(10, 109, "system", "h3", List.of(OTHER)),
        new Event.HoldExtended(11, 110, "jwt:ünïcode@shop.example", "h4", Long.MAX_VALUE),
        new Event.HoldFulfilled(12, 111, "key:k1a2b3c4d5e6", "h1", List.of(CHANGE)),
        new Event.StockFulfilled(13, 112, "system", CHANGE, 1, "ship"),
        new Event.StockRestocked(14, 113, "jwt:ünïcode@shop.example", CHANGE, 2, "return"),
        new Event.RequestRecorded(15, 114, "key:k1a2b3c4d5e6", "0b5a-idempotency", -77, 13));
  }

  @Test
  void everyEventKindRoundTrips() {
    List<Event> kinds = everyKind();
    Set<Class<?>> covered = new HashSet<>();
    for (Event event : kinds) {
      byte[] bytes = EventCodec.encode(event);
      assertThat(EventCodec.decode(bytes)).isEqualTo(event);
      assertThat(bytes.length).isLessThanOrEqualTo(EventCodec.sizeBound(event));
      covered.add(event.getClass());
    }
    assertThat(covered).hasSameSizeAs(Event.class.getPermittedSubclasses());
  }

  @Test
  void eventsOfARealRunRoundTrip() {
    Engine engine = new Engine(Limits.DEFAULTS);
    List<Event> events = new ArrayList<>();
    engine.apply(1, new Command.DefineItem("tee", "T", "c"), events);
    engine.apply(2, new Command.Receive("tee", "default", 5, null), events);
    engine.apply(3, new Command.Reserve("h", List.of(new HoldLine("tee", "default", 2)), null,
        null, 1000), events);
    engine.apply(5000, new Command.Tick(), events);

    Engine replica = new Engine(Limits.DEFAULTS);
    for (Event event : events) {
      replica.replay(EventCodec.decode(EventCodec.encode(event)));
    }
    assertThat(replica.checksum()).isEqualTo(engine.checksum());
  }

  @Test
  void cachingDecoderReturnsEqualEventsAndReusesStrings() {
    EventCodec.Decoder decoder = new EventCodec.Decoder(1024);
    for (Event event : everyKind()) {
      assertThat(decoder.decode(EventCodec.encode(event))).isEqualTo(event);
    }
    byte[] bytes = EventCodec.encode(everyKind().get(1));
    Event.StockReceived first = (Event.StockReceived) decoder.decode(bytes);
    Event.StockReceived second = (Event.StockReceived) decoder.decode(bytes);
    assertThat(second.change().sku()).isSameAs(first.change().sku());
    assertThat(second.change().location()).isSameAs(first.change().location());
    // A colliding slot is replaced, never confused: another SKU decodes as itself.
    EventCodec.Decoder tiny = new EventCodec.Decoder(1);
    for (int i = 0; i < 100; i++) {
      Event event = new Event.ItemDefined(i + 1, 1, "system", "sku-" + i, "n" + (i % 3), "c");
      assertThat(tiny.decode(EventCodec.encode(event))).isEqualTo(event);
    }
  }

  @Test
  void namesStayCanonicalWhateverTextsPassThroughTheCache() {
    EventCodec.Decoder decoder = new EventCodec.Decoder(16, 1024);
    Event.StockReceived first = (Event.StockReceived) decoder.decode(
        EventCodec.encode(everyKind().get(1)));
    for (int i = 0; i < 10_000; i++) {
      // A reason per purchase order: enough distinct texts to cycle the text cache many times.
      Event receipt = new Event.StockReceived(i, 1, "system", CHANGE, 5, "po-" + i);
      assertThat(decoder.decode(EventCodec.encode(receipt))).isEqualTo(receipt);
    }
    Event.StockReceived later = (Event.StockReceived) decoder.decode(
        EventCodec.encode(everyKind().get(1)));
    assertThat(later.change().sku()).isSameAs(first.change().sku());
    assertThat(later.change().location()).isSameAs(first.change().location());
  }

  @Test
  void truncatedEventIsRefusedAtEveryLength() {
    for (Event event : everyKind()) {
      byte[] bytes = EventCodec.encode(event);
      for (int length = 0; length < bytes.length; length++) {
        byte[] cut = Arrays.copyOf(bytes, length);
        assertThatThrownBy(() -> EventCodec.decode(cut))
            .as("%s cut to %d bytes", event, length)
            .isInstanceOf(IllegalArgumentException.class);
      }
    }
  }

  @Test
  void trailingBytesAndUnknownTypesAreRefused() {
    byte[] bytes = EventCodec.encode(everyKind().get(0));
    byte[] longer = Arrays.copyOf(bytes, bytes.length + 1);
    assertThatThrownBy(() -> EventCodec.decode(longer))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trailing");
    byte[] unknown = bytes.clone();
    unknown[0] = 99;
    assertThatThrownBy(() -> EventCodec.decode(unknown))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown event type");
  }

  @Test
  void randomBytesNeverDecodeSilentlyIntoSomethingElse() {
    long seed = System.nanoTime();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < 20_000; i++) {
      byte[] garbage = new byte[random.nextInt(80)];
      for (int j = 0; j < garbage.length; j++) {
        garbage[j] = (byte) random.nextInt(256);
      }
      try {
        Event event = EventCodec.decode(garbage);
        // Rarely, garbage is well-formed; then it must re-encode to exactly the same bytes.
        assertThat(EventCodec.encode(event)).as("seed=%d", seed).isEqualTo(garbage);
      } catch (IllegalArgumentException expected) {
        assertThat(expected.getMessage()).as("seed=%d", seed).isNotBlank();
      }
    }
  }
}
