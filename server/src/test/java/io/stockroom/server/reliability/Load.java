package io.stockroom.server.reliability;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Load generators for one request: a closed loop (N clients, each sending its next request when
 * the last is answered: what the service can sustain) and an open loop (requests launched at a
 * fixed rate whatever the answers: what overload looks like, since real shoppers do not wait for
 * each other). Both return a {@link Tally}.
 */
final class Load {

  /** The one request a load sends, again and again. */
  interface Request {
    Client.Reply send() throws IOException;
  }

  private Load() {}

  static Tally closedLoop(Request request, int clients, Duration duration)
      throws InterruptedException {
    Tally tally = new Tally();
    long end = System.nanoTime() + duration.toNanos();
    try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < clients; i++) {
        threads.submit(() -> {
          while (System.nanoTime() < end) {
            tally.time(request);
          }
        });
      }
    }
    tally.finish(duration);
    return tally;
  }

  /**
   * Launches {@code ratePerSecond} requests a second for {@code duration}, each on its own
   * virtual thread, topped up every millisecond; then waits for the last answer. With
   * {@code inFlightMax} outstanding, a request that falls due is counted as not sent instead.
   */
  static Tally openLoop(Request request, double ratePerSecond, Duration duration,
      int inFlightMax) throws InterruptedException {
    Tally tally = new Tally();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicLong launched = new AtomicLong();
    long start = System.nanoTime();
    long nanos = duration.toNanos();
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor();
    ticks.scheduleAtFixedRate(() -> {
      long elapsed = Math.min(System.nanoTime() - start, nanos);
      long due = (long) (ratePerSecond * elapsed / 1e9);
      while (launched.get() < due) {
        launched.incrementAndGet();
        if (inFlight.get() >= inFlightMax) {
          tally.notSent.incrementAndGet();
          continue;
        }
        inFlight.incrementAndGet();
        threads.submit(() -> {
          try {
            tally.time(request);
          } finally {
            inFlight.decrementAndGet();
          }
        });
      }
    }, 0, 1, TimeUnit.MILLISECONDS);
    await().atMost(duration.plusMinutes(1)).until(() -> System.nanoTime() - start >= nanos
        && launched.get() >= (long) (ratePerSecond * nanos / 1e9));
    ticks.shutdownNow();
    threads.shutdown();
    if (!threads.awaitTermination(2, TimeUnit.MINUTES)) {
      throw new AssertionError("open-loop requests still unanswered 2 minutes after the load");
    }
    tally.finish(duration);
    return tally;
  }

  /** What a load got back: statuses, latencies, and anything that should not happen. */
  static final class Tally {
    private final Map<Integer, AtomicLong> statuses = new ConcurrentHashMap<>();
    private final Queue<Long> admittedNanos = new ConcurrentLinkedQueue<>();
    private final Queue<Long> refusedNanos = new ConcurrentLinkedQueue<>();
    private final Queue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final Map<String, AtomicLong> refusals = new ConcurrentHashMap<>();
    final AtomicLong refusedWithoutRetryAfter = new AtomicLong();
    final AtomicLong ioErrors = new AtomicLong();
    final AtomicLong notSent = new AtomicLong();
    private Duration duration;

    private void time(Request request) {
      long sent = System.nanoTime();
      Client.Reply reply;
      try {
        reply = request.send();
      } catch (IOException e) {
        ioErrors.incrementAndGet();
        if (unexpected.size() < 5) {
          unexpected.add("I/O error: " + e);
        }
        return;
      }
      long took = System.nanoTime() - sent;
      statuses.computeIfAbsent(reply.status(), s -> new AtomicLong()).incrementAndGet();
      if (reply.status() == 503 || reply.status() == 429) {
        refusedNanos.add(took);
        String where = reply.status() != 503 ? ""
            : reply.body().contains("requestsInFlightMax") ? " (requests in flight)"
            : " (write queue)";
        refusals.computeIfAbsent(reply.status() + " " + reply.problem() + where,
            p -> new AtomicLong()).incrementAndGet();
        if (reply.retryAfter().isEmpty()) {
          refusedWithoutRetryAfter.incrementAndGet();
        }
      } else if (reply.ok() || reply.status() == 409) {
        admittedNanos.add(took); // 409: admitted and answered, just out of stock
      } else if (unexpected.size() < 5) {
        unexpected.add(reply.status() + " " + reply.body());
      }
    }

    private void finish(Duration took) {
      duration = took;
    }

    long count(int status) {
      AtomicLong count = statuses.get(status);
      return count == null ? 0 : count.get();
    }

    long refused() {
      return count(503) + count(429);
    }

    long answered() {
      return statuses.values().stream().mapToLong(AtomicLong::get).sum();
    }

    long succeeded() {
      return statuses.entrySet().stream().filter(e -> e.getKey() >= 200 && e.getKey() < 300)
          .mapToLong(e -> e.getValue().get()).sum();
    }

    /** Statuses other than 2xx, 409, 429 and 503: none are expected under overload. */
    long otherStatuses() {
      return statuses.entrySet().stream().filter(e -> !(e.getKey() >= 200 && e.getKey() < 300)
              && e.getKey() != 409 && e.getKey() != 429 && e.getKey() != 503)
          .mapToLong(e -> e.getValue().get()).sum();
    }

    double succeededPerSecond() {
      return succeeded() / (duration.toNanos() / 1e9);
    }

    double answeredPerSecond() {
      return answered() / (duration.toNanos() / 1e9);
    }

    List<String> unexpected() {
      return new ArrayList<>(unexpected);
    }

    Map<Integer, Long> statuses() {
      Map<Integer, Long> sorted = new TreeMap<>();
      statuses.forEach((status, count) -> sorted.put(status, count.get()));
      return sorted;
    }

    /** Refusals by status and problem type, e.g. {@code 503 overloaded}. */
    Map<String, Long> refusals() {
      Map<String, Long> sorted = new TreeMap<>();
      refusals.forEach((problem, count) -> sorted.put(problem, count.get()));
      return sorted;
    }

    String admittedLatency() {
      return percentiles(admittedNanos);
    }

    String refusedLatency() {
      return percentiles(refusedNanos);
    }

    private static String percentiles(Queue<Long> nanos) {
      long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      if (sorted.length == 0) {
        return "none";
      }
      return String.format("p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms (n=%d)",
          at(sorted, 0.50), at(sorted, 0.99), at(sorted, 0.999),
          sorted[sorted.length - 1] / 1e6, sorted.length);
    }

    private static double at(long[] sorted, double quantile) {
      int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
      return sorted[Math.max(0, index)] / 1e6;
    }
  }
}
