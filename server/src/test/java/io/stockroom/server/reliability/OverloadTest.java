package io.stockroom.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.stockroom.server.security.ApiKeys;
import io.stockroom.server.security.Role;
import io.stockroom.server.testing.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overload of the real process: a service with a small heap and a small write queue, first
 * measured (a closed loop: what it sustains), then driven at {@value #OVERLOAD_FACTOR} times that
 * by an open loop (requests at a fixed rate, whatever the answers). The excess must be refused
 * with 503 or 429 and {@code Retry-After}, nothing else may fail, the process must stay alive
 * (it runs with {@code -XX:+ExitOnOutOfMemoryError}, so running out of heap would end it), and
 * once the load drops it must serve normally with a state that audits clean. Latencies, rates and
 * memory are measured and printed, not asserted (docs/RELIABILITY.md has a run's figures).
 */
class OverloadTest {

  static final double OVERLOAD_FACTOR = 2.5;
  static final String HEAP = "-Xmx96m";
  static final int QUEUE_CAPACITY = 64;
  /**
   * Sized for the small heap: an open connection holds about 35 KiB (a class histogram taken
   * during this test's overload: ~28 KiB of buffers and ~8 KiB of virtual-thread stack each).
   */
  static final int CONNECTIONS_MAX = 1_000;
  static final int REQUESTS_IN_FLIGHT_MAX = 48;
  static final int STREAM_SUBSCRIBERS_MAX = 100;
  /**
   * Requests the open loop keeps outstanding at most: fewer than the service accepts connections,
   * so no answer waits on the kernel's listen backlog (SYN retries take seconds) and the test's
   * outcome does not hang on how busy the machine is.
   */
  private static final int OPEN_LOOP_IN_FLIGHT_MAX = CONNECTIONS_MAX * 3 / 4;
  /** Enough that batches fill as under overload (group commit), fewer than the queue holds. */
  private static final int CLOSED_LOOP_CLIENTS = 48;
  private static final Duration WARM_UP = Duration.ofSeconds(2);
  private static final Duration MEASURE = Duration.ofSeconds(3);
  private static final Duration OVERLOAD = Duration.ofSeconds(Long.getLong("overload.seconds", 5));
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final String RESERVE =
      "{\"lines\":[{\"sku\":\"hot\",\"quantity\":1}],\"ttlSeconds\":1}";

  @TempDir
  Path root;

  @Test
  void excessIsRefusedWithRetryAfterAndTheServiceRecoversWhenLoadDrops() throws Exception {
    Path data = root.resolve("data");
    String admin = ApiKeys.open(data).create(Role.ADMIN, "overload admin").token();
    String writer = ApiKeys.open(data).create(Role.WRITE, "overload load").token();
    Path gcLog = root.resolve("gc.log");
    try (ServiceProcess service = new ServiceProcess(data, List.of(HEAP,
        "-Xlog:gc:file=" + gcLog), List.of("queueCapacity=" + QUEUE_CAPACITY,
        "http.connectionsMax=" + CONNECTIONS_MAX,
        "http.requestsInFlightMax=" + REQUESTS_IN_FLIGHT_MAX,
        "streamSubscribersMax=" + STREAM_SUBSCRIBERS_MAX))) {
      service.start();
      Client setup = new Client(service, admin, TIMEOUT);
      setup.ok("PUT", "/v1/items/hot", "{\"name\":\"Hot item\"}");
      setup.ok("POST", "/v1/items/hot/receive", "{\"quantity\":1000000000}");
      try (Client load = new Client(service, writer, TIMEOUT)) {
        Load.Request reserve = () -> load.send("POST", "/v1/reservations", RESERVE, null);
        Load.closedLoop(reserve, CLOSED_LOOP_CLIENTS, WARM_UP);
        Load.Tally capacity = Load.closedLoop(reserve, CLOSED_LOOP_CLIENTS, MEASURE);
        double offered = OVERLOAD_FACTOR * capacity.succeededPerSecond();
        Load.Tally overload = Load.openLoop(reserve, offered, OVERLOAD,
            OPEN_LOOP_IN_FLIGHT_MAX);
        long peakRss = peakResidentKib(service);
        print(capacity, offered, overload, peakRss, heapAfterGcMaxMib(gcLog));

        assertThat(service.alive()).as("alive after the overload (no OutOfMemoryError); log:\n"
            + service.log()).isTrue();
        assertThat(overload.unexpected()).as("answers other than 2xx/409/429/503").isEmpty();
        assertThat(overload.otherStatuses()).isZero();
        assertThat(overload.ioErrors.get()).as("connections that failed").isZero();
        assertThat(overload.refused()).as("excess refused with 503/429 at "
            + OVERLOAD_FACTOR + "x capacity: " + overload.statuses()).isPositive();
        assertThat(overload.refusedWithoutRetryAfter.get()).as("refusals without Retry-After")
            .isZero();
        assertThat(overload.succeeded()).as("admitted under overload").isPositive();

        // The load has dropped: a single shopper is served at once, and the state audits clean.
        long dropped = System.nanoTime();
        await().atMost(TIMEOUT).until(() -> load.send("POST", "/v1/reservations", RESERVE, null)
            .status() == 201);
        System.out.printf("OverloadTest: after the load, the first reservation succeeded in"
            + " %.1f ms%n", (System.nanoTime() - dropped) / 1e6);
        assertThat(setup.call("GET", "/health/ready", null).status()).isEqualTo(200);
        Audit audit = new Audit();
        await().atMost(TIMEOUT).until(() -> {
          audit.readOn(setup);
          return audit.stockAgrees(setup);
        });
        System.out.println("OverloadTest: after the load, " + audit.events()
            + " events audited clean (gap-free, units conserved, never oversold), "
            + audit.expiries() + " holds expired");
      }
      setup.close();
      assertThat(service.stop(TIMEOUT)).as("exit code after SIGTERM").isZero();
    }
  }

  private static void print(Load.Tally capacity, double offered, Load.Tally overload,
      long peakRssKib, long heapAfterGcMib) {
    System.out.println(String.join("\n",
        "OverloadTest (" + HEAP + ", queueCapacity " + QUEUE_CAPACITY + ", http.connectionsMax "
            + CONNECTIONS_MAX + ", http.requestsInFlightMax " + REQUESTS_IN_FLIGHT_MAX + "):",
        String.format("  capacity, closed loop of %d clients: %.0f reservations/s; latency %s",
            CLOSED_LOOP_CLIENTS, capacity.succeededPerSecond(), capacity.admittedLatency()),
        String.format("  overload, open loop at %.0f/s (%.1fx) for %d s: answered %.0f/s,"
                + " admitted %.0f/s; statuses %s; not sent (%d outstanding already) %d",
            offered, OVERLOAD_FACTOR, OVERLOAD.toSeconds(), overload.answeredPerSecond(),
            overload.succeededPerSecond(), overload.statuses(), OPEN_LOOP_IN_FLIGHT_MAX,
            overload.notSent.get()),
        "  admitted (2xx/409) latency under overload: " + overload.admittedLatency(),
        "  refused (503/429) latency under overload: " + overload.refusedLatency() + "; "
            + overload.refusals(),
        "  service memory: heap after GC at most " + heapAfterGcMib + " MiB of " + HEAP
            + "; peak resident " + (peakRssKib / 1024) + " MiB (heap, metaspace, code,"
            + " stacks, buffers)"));
  }

  /** The largest heap occupancy right after a collection, from the service's GC log (MiB). */
  private static long heapAfterGcMaxMib(Path gcLog) throws IOException {
    java.util.regex.Pattern pause = java.util.regex.Pattern.compile("->(\\d+)M\\(\\d+M\\)");
    long max = -1;
    for (String line : Files.readAllLines(gcLog)) {
      java.util.regex.Matcher after = pause.matcher(line);
      if (after.find()) {
        max = Math.max(max, Long.parseLong(after.group(1)));
      }
    }
    return max;
  }

  /** VmHWM of the service: the most memory it has held resident (Linux /proc). */
  private static long peakResidentKib(ServiceProcess service) throws IOException {
    Path status = Path.of("/proc", Long.toString(service.pid()), "status");
    if (!Files.exists(status)) {
      return -1;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("VmHWM:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    return -1;
  }
}
