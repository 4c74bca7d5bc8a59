package io.stockroom.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generator against a real Stockroom started in-process on a random port. */
class LoadTestTest {

  @Test
  void flashSaleOf200BuyersFor50UnitsSellsEveryUnitExactlyOnce(@TempDir Path reports)
      throws Exception {
    LoadReport report = LoadTest.run(LoadConfig.builder(LoadConfig.Scenario.FLASH_SALE)
        .units(50).concurrency(200).duration(Duration.ofSeconds(60)).build());

    AuditResult audit = report.audit();
    assertThat(audit.violations()).isEmpty();
    assertThat(audit.passed()).isTrue();
    assertThat(audit.oversold()).isZero();
    assertThat(audit.undersold()).isZero();
    assertThat(audit.acknowledged()).isEqualTo(50);
    assertThat(audit.rejected()).isEqualTo(150);
    assertThat(report.statuses()).containsEntry("reserve 201", 50L)
        .containsEntry("reserve 409", 150L).containsEntry("confirm 200", 50L);
    assertThat(report.requests()).isEqualTo(250);
    assertThat(report.errors()).isZero();

    // The outputs carry the same figures: JSON for machines, a page with charts for people.
    Path json = reports.resolve("report.json");
    Path html = reports.resolve("report.html");
    JsonReport.write(report, json);
    HtmlReport.write(report, html);
    JsonNode written = Catalog.JSON.readTree(json.toFile());
    assertThat(written.path("requests").asLong()).isEqualTo(250);
    assertThat(written.path("audit").path("oversold").asLong()).isZero();
    assertThat(written.path("latency").path("p99").asDouble()).isPositive();
    assertThat(written.has("histogram")).isFalse();
    String page = Files.readString(html);
    assertThat(page).contains("<svg", "<polyline", "Audit: <span class=\"pass\">passed");
    assertThat(page).doesNotContain("<script src", "<link");
    assertThat(TextSummary.of(report)).contains("audit PASSED", "oversold 0", "undersold 0");
  }

  @Test
  void flashSaleWithCeilingSendsTheSameBurstToTheTrivialEndpoint() {
    LoadReport report = LoadTest.run(LoadConfig.builder(LoadConfig.Scenario.FLASH_SALE)
        .units(30).concurrency(120).duration(Duration.ofSeconds(30)).withCeiling(true)
        .warmup(Duration.ofSeconds(1)).build());

    // The burst: as many buyers as the sale, each one request, the sale's winners a second.
    LoadReport ceiling = report.ceiling();
    assertThat(ceiling.scenario()).isEqualTo("ceiling-burst");
    assertThat(ceiling.statuses()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of(
        "ceiling 200", 120L, "ceiling-confirm 200", 30L));
    assertThat(ceiling.requests()).isEqualTo(report.requests()).isEqualTo(150);
    assertThat(ceiling.concurrency()).isEqualTo(120);
    assertThat(report.audit().passed()).isTrue();
    assertThat(TextSummary.of(report)).contains("flash-sale vs ceiling-burst, latency p50");
    // After each warm-up the JIT was given time to catch up, and the report says how long.
    assertThat(report.figures().get("jitSettleMillis").longValue()).isBetween(0L, 10_000L);
    assertThat(ceiling.figures().get("jitSettleMillis").longValue()).isBetween(0L, 10_000L);
  }

  @Test
  void checkoutMixOfConfirmReleaseAndAbandonPassesItsAudit() {
    // Little stock per SKU, so that some reservations are refused; 1 s holds, so that
    // abandoned ones expire while the run goes on.
    LoadReport report = LoadTest.run(LoadConfig.builder(LoadConfig.Scenario.CHECKOUT_MIX)
        .skus(20).stockPerSku(15).concurrency(16).holdTtlSeconds(1)
        .duration(Duration.ofSeconds(3)).build());

    AuditResult audit = report.audit();
    assertThat(audit.violations()).isEmpty();
    assertThat(audit.passed()).isTrue();
    assertThat(audit.unitsConserved()).isTrue();
    assertThat(audit.undersold()).isEqualTo(-1); // not a sell-out scenario
    assertThat(audit.acknowledged()).isPositive();
    assertThat(report.statuses()).containsKeys("reserve 201", "confirm 200", "release 200");
    assertThat(report.errors()).isZero();
    assertThat(report.timeline()).isNotEmpty();
    // Generator and service share the process: each request costs both some CPU.
    assertThat(report.figures().get("cpuMicrosPerRequest").doubleValue()).isPositive();
  }
}
