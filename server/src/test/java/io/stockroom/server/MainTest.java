package io.stockroom.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.Limits;
import io.stockroom.journal.FileStorage;
import io.stockroom.journal.JournalConfig;
import io.stockroom.server.sequencer.Ledger;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

  @TempDir
  Path data;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  /** Ten items, each received in its own batch: 20 events in 20 records, in one segment. */
  private void writeJournal() throws IOException {
    try (Ledger ledger = Ledger.open(FileStorage.open(data.resolve("journal")),
        JournalConfig.defaults(), Limits.DEFAULTS)) {
      List<Event> events = new ArrayList<>();
      long time = 1_700_000_000_000L;
      for (int i = 0; i < 10; i++) {
        String sku = "sku-" + i;
        assertThat(ledger.apply(time++, new Command.DefineItem(sku, "Item " + i, "test"), events)
            .accepted()).isTrue();
        assertThat(ledger.apply(time++, new Command.Receive(sku, Engine.DEFAULT_LOCATION, 5,
            null), events).accepted()).isTrue();
        ledger.commit(events);
        events.clear();
      }
    }
  }

  private Path onlySegment() throws IOException {
    try (Stream<Path> files = Files.list(data.resolve("journal"))) {
      List<Path> segments = files.filter(f -> f.toString().endsWith(".log")).toList();
      assertThat(segments).hasSize(1);
      return segments.get(0);
    }
  }

  @Test
  void verifyOfACleanJournalExitsZeroWithCounts() throws IOException {
    writeJournal();
    long records = ledgerEvents();

    int code = run("verify", "--data", data.toString());

    assertThat(code).as(err()).isEqualTo(0);
    assertThat(out()).contains("1 segments, " + records + " records (sequences 1.." + records
        + "), 0 snapshots").contains("ok: no problems found");
    assertThat(err()).isEmpty();
  }

  private long ledgerEvents() throws IOException {
    try (Ledger ledger = Ledger.open(FileStorage.open(data.resolve("journal")),
        JournalConfig.defaults(), Limits.DEFAULTS)) {
      return ledger.journal().lastSequence();
    }
  }

  @Test
  void verifyOfADamagedJournalExitsOneNamingFileAndOffset() throws IOException {
    writeJournal();
    Path segment = onlySegment();
    byte[] bytes = Files.readAllBytes(segment);
    // A byte in the middle of the file: a record there fails its checksum, and valid records
    // follow it, so this is corruption, not a torn tail.
    bytes[bytes.length / 3] ^= 0x10;
    Files.write(segment, bytes);

    int code = run("verify", "--data", data.toString());

    assertThat(code).isEqualTo(1);
    assertThat(out()).containsPattern("PROBLEM: " + segment.getFileName()
        + " at byte offset [1-9][0-9]*");
    assertThat(Files.readAllBytes(segment)).as("verify changes nothing").isEqualTo(bytes);
  }

  @Test
  void verifyWithoutAJournalExitsTwoAndCreatesNothing() {
    Path absent = data.resolve("absent");

    int code = run("verify", "--data", absent.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("no journal at " + absent.resolve("journal"));
    assertThat(absent).doesNotExist();
  }

  @Test
  void snapshotWritesAtTheLastSequenceAndTheJournalStillVerifies() throws IOException {
    writeJournal();
    long last = ledgerEvents();

    assertThat(run("snapshot", "--data", data.toString())).as(err()).isEqualTo(0);
    assertThat(out()).contains("snapshot written at sequence " + last);

    assertThat(run("verify", "--data", data.toString())).isEqualTo(0);
    assertThat(out()).contains(", 1 snapshots");
  }

  @Test
  void snapshotIsRefusedWhileTheServiceHoldsTheDataDirectory() throws IOException {
    writeJournal();

    try (DataDirectoryLock running = DataDirectoryLock.acquire(data)) {
      int code = run("snapshot", "--data", data.toString());

      assertThat(code).isEqualTo(1);
      assertThat(err()).contains("is in use by another Stockroom process");
    }
  }

  @Test
  void unknownFlagExitsTwoWithOneLine() {
    int code = run("verify", "--dta", data.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err()).startsWith("stockroom: Unknown option").contains("'--dta'")
        .contains("see 'stockroom verify --help'").hasLineCount(1);
  }

  @Test
  void invalidSettingExitsTwoWithOneLineAndNoStackTrace() {
    int code = run("serve", "--port", "http", "--data", data.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err()).isEqualTo("stockroom: invalid configuration: port = \"http\" (flag --port):"
        + " not a whole number" + System.lineSeparator());
  }

  @Test
  void malformedSetExitsTwo() {
    int code = run("verify", "--set", "queueCapacity", "--data", data.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err()).contains("--set takes KEY=VALUE, was 'queueCapacity'").hasLineCount(1);
  }

  @Test
  void noCommandExitsTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).contains("a command is required");
  }

  @Test
  void helpAndVersionExitZero() {
    assertThat(run("--help")).isEqualTo(0);
    assertThat(out()).contains("serve").contains("verify").contains("snapshot");
    assertThat(run("--version")).isEqualTo(0);
    assertThat(out()).contains("stockroom ");
    assertThat(run("serve", "--help")).isEqualTo(0);
    assertThat(out()).contains("--port").contains("--set");
  }
}
