package io.stockroom.server.sequencer;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.EventCodec;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.Limits;
import io.stockroom.journal.FileStorage;
import io.stockroom.journal.JournalConfig;
import io.stockroom.journal.JournalReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {

  private static final long TIME = 1_700_000_000_000L;

  /**
   * Commit encodes a batch back to back into a reused buffer that grows mid-batch for big events:
   * the journal must still hold exactly {@link EventCodec#encode(Event)}'s bytes, for the events
   * before the growth, small events after a big one, and a smaller batch after a bigger one.
   */
  @Test
  void commitJournalsExactlyTheCodecsBytesAcrossEventSizes(@TempDir Path directory)
      throws Exception {
    List<Event> committed = new ArrayList<>();
    try (Ledger ledger = Ledger.open(FileStorage.open(directory), JournalConfig.defaults(),
        Limits.DEFAULTS)) {
      List<Event> events = new ArrayList<>();
      List<HoldLine> manyLines = new ArrayList<>();
      for (int i = 0; i < 60; i++) { // a bound of ~31 KB: past the initial 4 KB buffer
        String sku = "SKU-" + i;
        ledger.apply(TIME, new Command.DefineItem(sku, "Item " + i, "category"), events);
        ledger.apply(TIME, new Command.Receive(sku, Engine.DEFAULT_LOCATION, 10, "count"),
            events);
        manyLines.add(new HoldLine(sku, Engine.DEFAULT_LOCATION, 1));
      }
      ledger.apply(TIME, new Command.Reserve("small-1", List.of(manyLines.get(0)), "c", null,
          60_000), events);
      ledger.apply(TIME, new Command.Reserve("big", manyLines, "customer-é", "order-ü", 60_000),
          events);
      ledger.apply(TIME, new Command.Reserve("small-2", List.of(manyLines.get(1)), null, null,
          60_000), events);
      ledger.commit(events);
      committed.addAll(events);
      assertThat(EventCodec.sizeBound(committed.get(committed.size() - 2))).isGreaterThan(4096);
      events.clear();
      ledger.apply(TIME, new Command.Reserve("small-3", List.of(manyLines.get(2)), "d", null,
          60_000), events);
      ledger.commit(events);
      committed.addAll(events);
    }
    try (Ledger reopened = Ledger.open(FileStorage.open(directory), JournalConfig.defaults(),
        Limits.DEFAULTS);
        JournalReader reader = reopened.journal().read(1)) {
      for (Event event : committed) {
        assertThat(reader.next()).isTrue();
        assertThat(reader.sequence()).isEqualTo(event.sequence());
        assertThat(reader.payload()).isEqualTo(EventCodec.encode(event));
      }
      assertThat(reader.next()).isFalse();
      assertThat(reopened.engine().hold("big").lines()).hasSize(60);
    }
  }
}
