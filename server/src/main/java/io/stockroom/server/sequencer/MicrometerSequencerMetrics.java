package io.stockroom.server.sequencer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** The writer's metrics on Micrometer: batch sizes, commit (fsync) latency, overload. */
public final class MicrometerSequencerMetrics implements SequencerMetrics {

  private final DistributionSummary batchCommands;
  private final DistributionSummary batchEvents;
  private final Timer commit;
  private final Timer linger;
  private final Counter overload;
  private final Counter events;

  public MicrometerSequencerMetrics(MeterRegistry registry) {
    batchCommands = DistributionSummary.builder("stockroom.batch.commands")
        .description("commands per durable batch").publishPercentileHistogram()
        .register(registry);
    batchEvents = DistributionSummary.builder("stockroom.batch.events")
        .description("events per durable batch").register(registry);
    commit = Timer.builder("stockroom.journal.commit")
        .description("journal append and fsync of one batch").publishPercentileHistogram()
        .register(registry);
    linger = Timer.builder("stockroom.batch.linger")
        .description("time the writer held a batch open for commands still arriving")
        .register(registry);
    overload = Counter.builder("stockroom.queue.rejected")
        .description("commands refused because the write queue was full").register(registry);
    events = Counter.builder("stockroom.events").description("durable events")
        .register(registry);
  }

  @Override
  public void batch(int commands, int eventCount, long commitNanos) {
    batchCommands.record(commands);
    batchEvents.record(eventCount);
    events.increment(eventCount);
    commit.record(commitNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void lingered(long nanos) {
    linger.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void rejectedOverload() {
    overload.increment();
  }
}
