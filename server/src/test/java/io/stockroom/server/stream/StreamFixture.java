package io.stockroom.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.webserver.WebServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stockroom.engine.Command;
import io.stockroom.engine.Event;
import io.stockroom.engine.EventCodec;
import io.stockroom.engine.Limits;
import io.stockroom.journal.FileStorage;
import io.stockroom.journal.JournalConfig;
import io.stockroom.journal.JournalReader;
import io.stockroom.server.config.ServerConfig;
import io.stockroom.server.read.ReadView;
import io.stockroom.server.sequencer.Ledger;
import io.stockroom.server.sequencer.Sequencer;
import io.stockroom.server.sequencer.SequencerMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** A real ledger, writer, read view, hub and Helidon server on a free port. */
final class StreamFixture implements AutoCloseable {

  final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
  final AtomicReference<Throwable> fatal = new AtomicReference<>();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  final Ledger ledger;
  final ReadView view;
  final StreamHub hub;
  final Sequencer sequencer;
  final WebServer server;

  private StreamFixture(Path directory, ServerConfig config, JournalConfig journal,
      long snapshotEveryEvents) throws Exception {
    ledger = Ledger.open(FileStorage.open(directory), journal, Limits.DEFAULTS);
    view = ReadView.of(ledger.engine());
    hub = new StreamHub(ledger.journal(), view, config, registry);
    sequencer = new Sequencer(ledger, clock::get,
        new Sequencer.Settings(config.queueCapacity(), 512, snapshotEveryEvents),
        List.of(view, hub), SequencerMetrics.NONE, (thread, error) -> fatal.set(error));
    sequencer.start();
    server = WebServer.builder()
        .host("127.0.0.1")
        .port(0)
        .routing(hub::routing)
        .addRouting(hub.wsRouting())
        .build()
        .start();
  }

  static StreamFixture start(Path directory, ServerConfig config) throws Exception {
    return new StreamFixture(directory, config, JournalConfig.defaults(), 1_000_000);
  }

  static StreamFixture start(Path directory, ServerConfig config, JournalConfig journal,
      long snapshotEveryEvents) throws Exception {
    return new StreamFixture(directory, config, journal, snapshotEveryEvents);
  }

  /** The defaults with other stream limits (the record's canonical constructor). */
  static ServerConfig config(int subscribersMax, int bufferEventsMax, long heartbeatMillis) {
    ServerConfig d = ServerConfig.defaults();
    return d.withStreams(subscribersMax, bufferEventsMax, heartbeatMillis);
  }

  Sequencer.Outcome run(Command command) {
    Sequencer.Outcome outcome = sequencer.submit(command).join();
    assertThat(outcome.result().accepted()).as("%s", command).isTrue();
    return outcome;
  }

  long sequence() {
    return sequencer.durableSequence();
  }

  URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
  }

  URI wsUri(String pathAndQuery) {
    return URI.create("ws://127.0.0.1:" + server.port() + pathAndQuery);
  }

  double counter(String name, String transport) {
    var counter = registry.find(name).tag("transport", transport).counter();
    return counter == null ? 0 : counter.count();
  }

  double gauge(String transport) {
    return registry.get("stockroom.stream.subscribers").tag("transport", transport).gauge()
        .value();
  }

  /** Every durable event after {@code after}, from the journal. */
  List<Event> journal(long after) throws Exception {
    List<Event> events = new ArrayList<>();
    try (JournalReader reader = ledger.journal().read(after + 1)) {
      while (reader.next()) {
        events.add(EventCodec.decode(reader.payload()));
      }
    }
    return events;
  }

  @Override
  public void close() throws Exception {
    sequencer.close();
    hub.close();
    server.stop();
    ledger.close();
    assertThat(fatal.get()).isNull();
  }
}
