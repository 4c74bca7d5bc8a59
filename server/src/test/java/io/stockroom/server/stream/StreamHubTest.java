package io.stockroom.server.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stockroom.engine.Event;
import io.stockroom.engine.Limits;
import io.stockroom.journal.FileStorage;
import io.stockroom.journal.JournalConfig;
import io.stockroom.server.read.ReadView;
import io.stockroom.server.sequencer.Ledger;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hub without HTTP: channels that record, or that hang like a socket nobody reads. */
class StreamHubTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir
  Path directory;
  private Ledger ledger;
  private StreamHub hub;
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @BeforeEach
  void open() throws Exception {
    ledger = Ledger.open(FileStorage.open(directory), JournalConfig.defaults(), Limits.DEFAULTS);
    hub = new StreamHub(ledger.journal(), ReadView.of(ledger.engine()),
        StreamFixture.config(100, 16, 200), registry);
  }

  @AfterEach
  void close() throws Exception {
    hub.close();
    ledger.close();
  }

  private static Event event(long sequence) {
    return new Event.ItemDefined(sequence, 0, "system", "sku" + sequence, "n", "c");
  }

  private Subscriber serve(Channel channel) {
    Subscriber subscriber = hub.open(Transport.SSE, StreamFilter.ALL);
    Thread.ofVirtual().start(() -> subscriber.serve(channel, 0));
    return subscriber;
  }

  @Test
  void writerNeverWaitsForAStuckSubscriberAndTheWatchdogFreesIt() throws Exception {
    HangingChannel stuck = new HangingChannel();
    serve(stuck);

    long started = System.nanoTime();
    for (long sequence = 1; sequence <= 100_000; sequence++) {
      hub.onDurable(List.of(event(sequence)), sequence);
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

    assertThat(tookMillis).as("100,000 batches fanned out").isLessThan(5_000);
    // Stuck in its first event, or, if the cut came first, in its resync.
    assertThat(stuck.writing.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(registry.get("stockroom.stream.subscribers.cut").tag("transport", "sse")
        .counter().count()).isEqualTo(1);
    // One heartbeat interval after the cut, the watchdog interrupts the stuck write.
    await().atMost(WAIT).until(() -> hub.subscriberCount() == 0);
    assertThat(stuck.interrupted).isTrue();
  }

  @Test
  void batchLargerThanTheBufferStillReachesAnIdleSubscriber() {
    RecordingChannel channel = new RecordingChannel();
    serve(channel);
    List<Event> big = new ArrayList<>();
    for (long sequence = 1; sequence <= 100; sequence++) {
      big.add(event(sequence));
    }

    hub.onDurable(big, 100);

    await().atMost(WAIT).until(() -> channel.sequences.size() == 100);
    assertThat(channel.resyncs).isEmpty();
  }

  @Test
  void closeEndsHealthyStreamsWithResyncAndAbortsStuckOnes() throws Exception {
    RecordingChannel healthy = new RecordingChannel();
    HangingChannel stuck = new HangingChannel();
    serve(healthy);
    serve(stuck);
    hub.onDurable(List.of(event(1)), 1);
    await().atMost(WAIT).until(() -> healthy.sequences.size() == 1);

    long started = System.nanoTime();
    hub.close();

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(5_000);
    await().atMost(WAIT).until(() -> hub.subscriberCount() == 0);
    assertThat(healthy.resyncs).singleElement()
        .satisfies(r -> assertThat(r.reason()).isEqualTo("server stopping"))
        .satisfies(r -> assertThat(r.lastSequence()).isEqualTo(1));
    assertThat(stuck.interrupted).isTrue();
  }

  /** Records what it is sent. */
  static final class RecordingChannel implements Channel {
    final List<Long> sequences = new CopyOnWriteArrayList<>();
    final List<Resync> resyncs = new CopyOnWriteArrayList<>();

    @Override
    public void start() {}

    @Override
    public void event(long sequence, String type, byte[] json) {
      sequences.add(sequence);
    }

    @Override
    public void flush() {}

    @Override
    public void heartbeat() {}

    @Override
    public void resync(Resync resync) {
      resyncs.add(resync);
    }

    @Override
    public void end() {}
  }

  /** Blocks in any write like a socket whose peer never reads, until interrupted. */
  static final class HangingChannel implements Channel {
    final CountDownLatch writing = new CountDownLatch(1);
    volatile boolean interrupted;

    @Override
    public void start() {}

    @Override
    public void event(long sequence, String type, byte[] json) throws InterruptedIOException {
      hang();
    }

    @Override
    public void flush() {}

    @Override
    public void heartbeat() {}

    @Override
    public void resync(Resync resync) throws InterruptedIOException {
      hang();
    }

    private void hang() throws InterruptedIOException {
      writing.countDown();
      try {
        new CountDownLatch(1).await();
      } catch (InterruptedException e) {
        interrupted = true;
        throw new InterruptedIOException("socket closed by interrupt");
      }
    }

    @Override
    public void end() {}
  }
}
