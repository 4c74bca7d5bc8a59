package io.stockroom.server.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.stockroom.journal.Corruption;
import io.stockroom.journal.FileStorage;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalConfig;
import io.stockroom.journal.VerifyReport;
import io.stockroom.server.Main;
import io.stockroom.server.security.ApiKeys;
import io.stockroom.server.security.Role;
import io.stockroom.server.testing.ServiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash testing of the real process: the service runs as its own JVM on a temp data directory,
 * a checkout mix and a flash sale drive it from many concurrent clients, and it is killed with
 * SIGKILL at a random moment of each cycle, then restarted. After every restart the whole
 * history is audited ({@link Audit}: every acknowledged reservation, confirm, release and
 * receipt is in the log at its acknowledged sequence, nothing refused is, nothing is oversold,
 * units are conserved, the sequence has no gap), the journal is verified on disk (checksums and
 * hash chain) before each restart, reservations that fell due while the service was down are
 * expired before it answers, and a restart replays a bounded tail.
 *
 * <p>Seeded: rerun one with {@code -Dcrash.seed=S}; {@code -Dcrash.cycles=N} (default 10) for
 * the long soak documented in docs/RELIABILITY.md. Thread scheduling is not seeded, so a rerun
 * repeats the workload's choices and kill points (counted in writes), not the exact interleaving.
 */
class CrashRestartTest {

  private static final int CYCLES = Integer.getInteger("crash.cycles", 10);
  private static final long SEED = Long.getLong("crash.seed", System.nanoTime());

  /** Small, so snapshots (and crashes during them) happen every few cycles. */
  static final int SNAPSHOT_EVERY_EVENTS = 2_000;
  /** Small, so segments roll (and crashes land around a roll). */
  static final int SEGMENT_BYTES_MAX = 512 * 1024;
  /** The journal's batch bound: a crash leaves at most SNAPSHOT_EVERY_EVENTS + this to replay. */
  static final int BATCH_RECORDS_MAX = 1_024;
  /** Enough snapshots that the audit never finds its next events retired. */
  static final int SNAPSHOTS_RETAINED = 10;
  private static final int CHECKOUT_SHOPPERS = 6;
  private static final int FLASH_FANS = 6;
  private static final int FLASH_UNITS = 25;
  private static final int PROBES = 3;
  private static final int PROGRESS_EVERY_CYCLES = 25;
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /**
   * The client JIT only and the serial collector: the children are here to be killed, not to be
   * fast, and a start costs less CPU that way on a small machine.
   */
  private static final List<String> JVM_OPTIONS =
      List.of("-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

  @TempDir
  Path root;

  private final Summary summary = new Summary();

  static List<String> settings() {
    return List.of("snapshotEveryEvents=" + SNAPSHOT_EVERY_EVENTS,
        "journal.segmentBytesMax=" + SEGMENT_BYTES_MAX,
        "journal.batchRecordsMax=" + BATCH_RECORDS_MAX,
        "journal.snapshotsRetained=" + SNAPSHOTS_RETAINED,
        // The load comes from one admin key; its rate limit is not what is under test here.
        "rateLimits.admin.requestsPerSecond=1000000",
        "rateLimits.admin.burstRequests=1000000");
  }

  @Test
  void everyAcknowledgedWriteSurvivesSigkillAtRandomMoments() throws Exception {
    run("SIGKILL", CYCLES, Stop.KILL);
  }

  @Test
  void sigtermUnderLoadLosesNothingAndTheRestartReplaysNothing() throws Exception {
    run("SIGTERM", 1, Stop.TERM);
  }

  /** How a cycle ends the process. */
  private enum Stop { KILL, TERM }

  private void run(String name, int cycles, Stop stop) throws Exception {
    System.out.println("CrashRestartTest " + name + ": seed " + SEED + ", " + cycles
        + " cycles (rerun with -Dcrash.seed=" + SEED + " -Dcrash.cycles=" + cycles + ")");
    long started = System.nanoTime();
    Path data = root.resolve("data");
    String key = ApiKeys.open(data).create(Role.ADMIN, "crash test").token();
    Audit audit = new Audit();
    try (ServiceProcess service = new ServiceProcess(data, JVM_OPTIONS, settings())) {
      service.start();
      Client client = new Client(service, key, TIMEOUT);
      stockTheShop(client);
      for (int cycle = 0; cycle < cycles; cycle++) {
        client = cycle(cycle, new SplittableRandom(SEED + cycle), service, key, client, audit,
            stop);
        if ((cycle + 1) % PROGRESS_EVERY_CYCLES == 0 && cycle + 1 < cycles) { // long soaks
          summary.print(name, audit, cycle + 1, Duration.ofNanos(System.nanoTime() - started),
              true);
        }
      }
      client.close();
      int exit = service.stop(Duration.ofMinutes(1));
      assertThat(exit).as("exit code after SIGTERM; log:\n" + service.log()).isZero();
      if (stop == Stop.KILL) { // the SIGTERM run checks the journal in-process; once is enough
        verifyCommand(data);
      }
    }
    summary.print(name, audit, cycles, Duration.ofNanos(System.nanoTime() - started), false);
  }

  private static void stockTheShop(Client client) {
    for (int i = 0; i < Shoppers.REGULAR_SKUS; i++) {
      String sku = Shoppers.regularSku(i);
      client.ok("PUT", "/v1/items/" + sku, "{\"name\":\"Regular " + i + "\"}");
      client.ok("POST", "/v1/items/" + sku + "/receive",
          "{\"quantity\":300,\"reason\":\"opening-" + sku + "\"}");
    }
    client.ok("PUT", "/v1/items/probe", "{\"name\":\"Expiry probe\"}");
    client.ok("POST", "/v1/items/probe/receive", "{\"quantity\":100000,\"reason\":\"opening"
        + "-probe\"}");
  }

  /** Load, a SIGKILL at a random point, a restart, and the audit. Returns the new client. */
  private Client cycle(int cycle, SplittableRandom random, ServiceProcess service, String key,
      Client client, Audit audit, Stop stop) throws Exception {
    String flash = "flash-" + cycle;
    client.ok("PUT", "/v1/items/" + flash, "{\"name\":\"Flash sale " + cycle + "\"}");
    client.ok("POST", "/v1/items/" + flash + "/receive", "{\"quantity\":" + FLASH_UNITS
        + ",\"reason\":\"opening-" + flash + "\"}");
    Shoppers shoppers = new Shoppers(client, cycle, random.nextLong(), flash);
    int killAfterWrites = 50 + random.nextInt(600);
    shoppers.start(CHECKOUT_SHOPPERS, FLASH_FANS);
    await().atMost(Duration.ofMinutes(2)).until(() -> shoppers.sent() >= killAfterWrites);
    List<Write> probes = new ArrayList<>();
    long probesDue = probe(cycle, client, probes);
    long stopping = System.nanoTime();
    if (stop == Stop.KILL) {
      service.kill();
    } else {
      int exit = service.stop(Duration.ofMinutes(1));
      assertThat(exit).as("exit code after SIGTERM under load; log:\n" + service.log()).isZero();
      summary.stopped(Duration.ofNanos(System.nanoTime() - stopping));
    }
    shoppers.stop();
    assertThat(shoppers.failures()).as("client failures").isEmpty();
    client.close();
    List<Write> writes = shoppers.writes();
    writes.addAll(probes);
    long lastDurable = verifyOnDisk(service.data(), writes, stop);

    // Down past the probes' deadline: they must expire while the service is not running.
    await().atMost(Duration.ofMinutes(1)).until(() -> System.currentTimeMillis() > probesDue);
    long restartedAt = System.currentTimeMillis();
    service.start();
    summary.restarted(service, cycle, System.currentTimeMillis() - restartedAt,
        shoppers.sent());
    assertThat(service.eventsReplayed()).as("events replayed at restart " + cycle
        + " (bounded by snapshotEveryEvents + one batch)")
        .isLessThanOrEqualTo(SNAPSHOT_EVERY_EVENTS + BATCH_RECORDS_MAX);
    if (stop == Stop.TERM) {
      assertThat(service.eventsReplayed()).as("a graceful stop leaves a snapshot of its end")
          .isZero();
      assertThat(service.bytesTruncated()).as("a graceful stop leaves no torn tail").isZero();
    }
    client = new Client(service, key, TIMEOUT);
    for (Write probe : probes) { // before anything else: no window in which they look active
      JsonNode read = client.get("/v1/reservations/" + probe.subject);
      assertThat(read.get("state").asText()).as("probe " + probe.subject
          + " fell due while the service was down").isEqualTo("EXPIRED");
    }

    audit.checkHistoryUnchanged(client);
    long expiriesBefore = audit.expiries();
    audit.readOn(client);
    summary.expiredWhileDown(audit.expiries() - expiriesBefore);
    for (Write probe : probes) {
      assertThat(audit.hold(probe.subject).resolvedAt).as("probe expired after the crash")
          .isGreaterThan(lastDurable);
    }
    assertThat(audit.activeHoldsDueBy(restartedAt)).as("holds overdue at the restart still"
        + " active").isEmpty();

    for (Write write : writes) {
      if (write.outcome() == Write.Outcome.UNKNOWN) {
        write.resolve(client);
      }
    }
    audit.readOn(client);
    audit.checkWrites(writes);
    summary.writes(writes);
    replaysAreByteForByte(client, writes, random);
    Client reader = client;
    await().atMost(TIMEOUT).until(() -> {
      audit.readOn(reader);
      return audit.stockAgrees(reader);
    });
    for (Write write : writes) {
      if (write.kind == Write.Kind.RESERVE && write.outcome() == Write.Outcome.ACKED
          && random.nextInt(10) == 0) {
        audit.checkReservation(client, write.subject);
      }
    }
    assertThat(audit.unitsTaken(flash)).as("flash-sale units held or sold")
        .isLessThanOrEqualTo(audit.onHand(flash)).isLessThanOrEqualTo(FLASH_UNITS);
    summary.flash(audit.unitsTaken(flash));
    return client;
  }

  /** Holds of one unit due in a second, just before the kill. Returns when the last falls due. */
  private static long probe(int cycle, Client client, List<Write> probes) {
    long due = 0;
    for (int i = 0; i < PROBES; i++) {
      String id = "probe-" + cycle + "-" + i;
      Write probe = new Write(Write.Kind.RESERVE, "/v1/reservations", "{\"id\":\"" + id
          + "\",\"lines\":[{\"sku\":\"probe\",\"quantity\":1}],\"ttlSeconds\":"
          + Shoppers.ABANDONED_TTL_SECONDS + "}", "k-" + id, id, cycle);
      assertThat(probe.send(client)).as(probe.answer()).isEqualTo(Write.Outcome.ACKED);
      due = Math.max(due, Client.jsonOf(probe.answer()).get("expiresAt").asLong());
      probes.add(probe);
    }
    return due;
  }

  /**
   * The journal on disk, checked with the service down: every checksum, the hash chain and the
   * sequence, and nothing wrong but possibly a torn tail (which the restart truncates). Returns
   * its last sequence.
   */
  private long verifyOnDisk(Path data, List<Write> writes, Stop stop) throws IOException {
    VerifyReport report = Journal.verify(FileStorage.open(data.resolve("journal")),
        JournalConfig.defaults().withSegmentBytesMax(SEGMENT_BYTES_MAX)
            .withBatchRecordsMax(BATCH_RECORDS_MAX).withSnapshotsRetained(SNAPSHOTS_RETAINED));
    if (stop == Stop.TERM) {
      assertThat(report.ok()).as("a graceful stop leaves a clean journal: " + report).isTrue();
    } else if (!report.ok()) {
      Corruption problem = report.problem().orElseThrow();
      assertThat(problem.kind()).as(report.toString()).isEqualTo(Corruption.Kind.TORN_TAIL);
      summary.tornTail();
    }
    long acknowledged = writes.stream().filter(w -> w.outcome() == Write.Outcome.ACKED)
        .mapToLong(Write::sequence).max().orElse(0);
    assertThat(report.lastSequence()).as("last sequence on disk vs last acknowledged")
        .isGreaterThanOrEqualTo(acknowledged);
    return report.lastSequence();
  }

  /** Acknowledged writes sent again with their key get the original answer, byte for byte. */
  private void replaysAreByteForByte(Client client, List<Write> writes, SplittableRandom random)
      throws IOException {
    List<Write> acknowledged = writes.stream()
        .filter(w -> w.outcome() == Write.Outcome.ACKED).toList();
    for (int i = 0; i < Math.min(5, acknowledged.size()); i++) {
      Write write = acknowledged.get(random.nextInt(acknowledged.size()));
      Client.Reply again = client.send("POST", write.path, write.body, write.idempotencyKey);
      assertThat(again.status()).as("replay of " + write).isEqualTo(write.status());
      assertThat(again.replayed()).as("replay of " + write).isTrue();
      assertThat(again.body()).as("replay of " + write).isEqualTo(write.answer());
      summary.replayed();
    }
  }

  /** {@code stockroom verify} as its own process, on the stopped service's data: exit 0. */
  private static void verifyCommand(Path data) throws Exception {
    Process verify = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "verify", "--data",
        data.toString(), "--set", "journal.segmentBytesMax=" + SEGMENT_BYTES_MAX,
        "--set", "journal.batchRecordsMax=" + BATCH_RECORDS_MAX,
        "--set", "journal.snapshotsRetained=" + SNAPSHOTS_RETAINED)
        .redirectErrorStream(true).start();
    String output = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(verify.waitFor(1, TimeUnit.MINUTES)).isTrue();
    assertThat(verify.exitValue()).as(output).isZero();
    assertThat(output).contains("ok: no problems found");
    System.out.println("CrashRestartTest: " + output.lines()
        .filter(line -> line.startsWith("journal ")).findFirst().orElse(output));
  }
}
