package io.stockroom.server.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.stockroom.server.security.Role;
import io.stockroom.server.testing.Service;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them), against a real service. Skipped, with
 * the reason, where they are not installed.
 */
class DashboardBrowserTest {

  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  /** Where the screenshots go; docs/ holds a copy of each for the README. */
  private static final Path SCREENSHOTS = Path.of("target", "screenshots");

  @TempDir
  static Path data;
  @TempDir
  static Path profile;

  private static Service service;
  private static ChromeDriver browser;

  @BeforeAll
  static void start() throws IOException {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "browser tests skipped: no " + CHROMIUM + " or " + CHROMEDRIVER
            + " (apt-get install chromium chromium-driver; .ci/run installs them)");
    service = new Service(data);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--window-size=1280,1000");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    logs.enable(LogType.PERFORMANCE, Level.ALL); // network events: failed requests
    options.setCapability("goog:loggingPrefs", logs);
    // The driver by path, so Selenium Manager never looks for (or downloads) one.
    ChromeDriverService driver = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(driver, options);
  }

  @AfterAll
  static void stop() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (service != null) {
      service.close();
    }
  }

  @Test
  void pageLoadsWithNoConsoleErrorsAndNoFailedRequests() {
    stock("calm-tee", "tees", 40);
    signIn(service.adminKey());
    browser.findElement(By.cssSelector("button[data-sku='calm-tee']")).click();
    waitFor().until(ExpectedConditions.textToBePresentInElementLocated(
        By.id("detail-events"), "stock-received"));
    watch("calm-tee");
    // Two metric scrapes (one poll every 2 s) make the health panel show rates.
    waitFor().until(driver -> text("m-rps").matches("[0-9.]+"));

    List<String> console = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(entry -> entry.getLevel().intValue() >= Level.WARNING.intValue())
        .map(LogEntry::toString).toList();
    assertThat(console).as("console warnings and errors").isEmpty();
    assertThat(failedRequests()).as("failed requests").isEmpty();
    assertThat(text("ready")).isEqualTo("ready");
  }

  @Test
  void reservationMadeThroughTheApiShowsInTheTableWithinASecond() {
    stock("live-tee", "tees", 10);
    signIn(readKey());
    assertThat(cell("live-tee", "reserved").getText()).isEqualTo("0");

    HttpResponse<String> reserved = service.post("/v1/reservations",
        "{\"lines\":[{\"sku\":\"live-tee\",\"quantity\":3}]}");
    assertThat(reserved.statusCode()).isEqualTo(201);

    new WebDriverWait(browser, Duration.ofSeconds(1), Duration.ofMillis(20)).until(driver ->
        cell("live-tee", "reserved").getText().equals("3")
            && cell("live-tee", "available").getText().equals("7"));
    assertThat(cell("live-tee", "reserved").getAttribute("class")).contains("changed");
    assertThat(cell("live-tee", "onHand").getText()).isEqualTo("10");
  }

  @Test
  void searchAndFiltersNarrowTheTableAndLowStockIsMarked() {
    stock("filter-sock-a", "socks", 2);
    stock("filter-sock-b", "socks", 50);
    stock("filter-scarf", "scarves", 0);
    signIn(readKey());

    browser.findElement(By.id("f-search")).sendKeys("filter-");
    assertThat(shownSkus()).containsExactly("filter-scarf", "filter-sock-a", "filter-sock-b");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("f-category")))
        .selectByVisibleText("socks");
    assertThat(shownSkus()).containsExactly("filter-sock-a", "filter-sock-b");
    browser.findElement(By.id("f-only-low")).click();
    assertThat(shownSkus()).containsExactly("filter-sock-a");
    assertThat(cell("filter-sock-a", "state").getText()).isEqualTo("Low");
    assertThat(browser.findElement(By.cssSelector("tr[data-sku='filter-sock-a']"))
        .getAttribute("class")).contains("low");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("f-category")))
        .selectByVisibleText("scarves");
    assertThat(cell("filter-scarf", "state").getText()).isEqualTo("Out of stock");
  }

  @Test
  void adminReceiveThroughTheUiChangesTheStockSeenThroughTheApi() {
    stock("recv-tee", "tees", 5);
    signIn(service.adminKey());

    browser.findElement(By.id("rc-sku")).sendKeys("recv-tee");
    browser.findElement(By.id("rc-quantity")).sendKeys("7");
    browser.findElement(By.id("rc-reason")).sendKeys("delivery 4711");
    browser.findElement(By.cssSelector("#form-receive button[type=submit]")).click();
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")));
    assertThat(text("confirm-text")).isEqualTo("Receive 7 units of recv-tee at default?");
    browser.findElement(By.id("confirm-ok")).click();

    waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("admin-result"),
        "on hand now 12"));
    JsonNode item = Service.json(service.get("/v1/items/recv-tee"));
    assertThat(item.at("/totals/onHand").asLong()).isEqualTo(12);
    waitFor().until(driver -> cell("recv-tee", "onHand").getText().equals("12"));
  }

  @Test
  void refusedAdminActionShowsTheProblemAndCancelledOneDoesNothing() {
    stock("keep-tee", "tees", 5);
    signIn(service.adminKey());
    long before = service.sequence();

    browser.findElement(By.id("rc-sku")).sendKeys("no-such-sku");
    browser.findElement(By.id("rc-quantity")).sendKeys("1");
    browser.findElement(By.cssSelector("#form-receive button[type=submit]")).click();
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm-ok"))).click();
    waitFor().until(ExpectedConditions.textToBePresentInElementLocated(By.id("admin-error"),
        "No such item"));
    assertThat(text("admin-error")).contains("no-such-sku");

    browser.findElement(By.id("aj-sku")).sendKeys("keep-tee");
    browser.findElement(By.id("aj-onhand")).sendKeys("0");
    browser.findElement(By.id("aj-reason")).sendKeys("count");
    browser.findElement(By.cssSelector("#form-adjust button[type=submit]")).click();
    waitFor().until(ExpectedConditions.visibilityOfElementLocated(By.id("confirm")))
        .sendKeys(Keys.ESCAPE); // cancel from the keyboard
    waitFor().until(ExpectedConditions.invisibilityOfElementLocated(By.id("confirm")));
    assertThat(service.sequence()).as("nothing was written").isEqualTo(before);
  }

  @Test
  void readOnlyKeySeesNoAdminControlsAndCannotAct() {
    stock("read-tee", "tees", 5);
    signIn(readKey());

    assertThat(text("who")).endsWith("(read)");
    assertThat(browser.findElements(By.id("admin"))).isEmpty();
    assertThat(browser.findElements(By.cssSelector("form.admin-form"))).isEmpty();
    // Acting anyway, from the page with its own key, is refused by the service.
    Object status = browser.executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        fetch('/v1/items/read-tee/receive', {method: 'POST', headers: {
            'Authorization': 'Bearer ' + sessionStorage.getItem('stockroom.apiKey'),
            'Content-Type': 'application/json'}, body: '{"quantity":100}'})
          .then(r => done(r.status), e => done(String(e)));""");
    assertThat(status).isEqualTo(403L);
    assertThat(Service.json(service.get("/v1/items/read-tee")).at("/totals/onHand").asLong())
        .isEqualTo(5);
  }

  @Test
  void flashSaleMonitorCountsDownWhileABurstOfReservationsRuns() throws Exception {
    stock("flash-tee", "flash", 300);
    signIn(readKey());
    waitFor().until(driver -> text("m-queue").matches("[0-9]+")); // a first metrics scrape
    watch("flash-tee");
    waitFor().until(driver -> text("flash-left").equals("300"));
    browser.executeScript("""
        window.seenLeft = [];
        new MutationObserver(() => window.seenLeft.push(
            document.getElementById('flash-left').textContent))
          .observe(document.getElementById('flash-left'), {childList: true, characterData: true,
            subtree: true});""");

    int burst = 200;
    int refused = 5;
    try (ExecutorService shoppers = Executors.newFixedThreadPool(8)) {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < burst; i++) {
        answers.add(shoppers.submit(() -> service.post("/v1/reservations",
            "{\"lines\":[{\"sku\":\"flash-tee\",\"quantity\":1}]}").statusCode()));
      }
      for (int i = 0; i < refused; i++) {
        answers.add(shoppers.submit(() -> service.post("/v1/reservations",
            "{\"lines\":[{\"sku\":\"flash-tee\",\"quantity\":1000}]}").statusCode()));
      }
      for (Future<Integer> answer : answers) {
        assertThat(answer.get()).isIn(201, 409);
      }
    }

    waitFor().until(driver -> text("flash-left").equals("100"));
    @SuppressWarnings("unchecked")
    List<String> seen = (List<String>) browser.executeScript("return window.seenLeft;");
    List<Long> counts = seen.stream().map(s -> Long.parseLong(s.replace(",", ""))).toList();
    assertThat(counts).as("units left as shown").isSortedAccordingTo((a, b) -> Long.compare(b, a));
    assertThat(counts.stream().filter(n -> n > 100 && n < 300).distinct().count())
        .as("intermediate counts shown while draining").isGreaterThanOrEqualTo(10);
    waitFor().until(driver -> text("flash-rate").matches("[0-9]+\\.[0-9]")
        && !text("flash-rate").equals("0.0")); // recomputed every second
    waitFor().until(driver -> text("flash-rejected").equals(Integer.toString(refused)));
  }

  @Test
  void screenshotsAtDesktopAndPhoneWidthsWithNothingWiderThanThePhone() throws IOException {
    stock("hoodie-blue-l", "hoodies", 3);
    stock("cap-black", "caps", 0);
    stock("tee-red-m", "tees", 120);
    service.post("/v1/reservations", "{\"lines\":[{\"sku\":\"tee-red-m\",\"quantity\":4}]}");
    signIn(service.adminKey());
    watch("tee-red-m");
    browser.findElement(By.cssSelector("button[data-sku='tee-red-m']")).click();
    waitFor().until(ExpectedConditions.textToBePresentInElementLocated(
        By.id("detail-events"), "hold-reserved"));
    waitFor().until(driver -> text("m-queue").matches("[0-9]+")); // a first metrics scrape
    for (String id : List.of("cart-1", "cart-2", "cart-3")) {
      service.post("/v1/reservations",
          "{\"id\":\"" + id + "\",\"lines\":[{\"sku\":\"tee-red-m\",\"quantity\":2}]}");
    }
    service.post("/v1/reservations/cart-1/confirm", "");
    service.post("/v1/reservations/cart-2/release", "");
    // The health panel shows what the writer did between two scrapes.
    waitFor().until(driver -> text("m-batch").matches("[0-9.]+")
        && text("m-fsync").endsWith(" ms"));
    Files.createDirectories(SCREENSHOTS);

    screenshot(1280, false, SCREENSHOTS.resolve("dashboard-desktop.png"));
    screenshot(390, true, SCREENSHOTS.resolve("dashboard-phone.png"));

    Object overflow = browser.executeScript(
        "return document.documentElement.scrollWidth - window.innerWidth;");
    assertThat(((Number) overflow).intValue()).as("horizontal overflow at phone width")
        .isLessThanOrEqualTo(0);
    browser.executeCdpCommand("Emulation.clearDeviceMetricsOverride", Map.of());
  }

  // ---------------------------------------------------------------- helpers

  /** An item with {@code onHand} units at the default location, defined through the API. */
  private static void stock(String sku, String category, int onHand) {
    assertThat(service.put("/v1/items/" + sku,
        "{\"name\":\"" + sku + "\",\"category\":\"" + category + "\"}").statusCode())
        .isEqualTo(200);
    String body = onHand == 0 ? "{\"onHand\":0}" : "{\"quantity\":" + onHand + "}";
    String route = onHand == 0 ? "/adjust" : "/receive";
    assertThat(service.post("/v1/items/" + sku + route, body).statusCode()).isEqualTo(200);
  }

  /** Sign-in from the keyboard, in a tab signed out, until the stream is live. */
  private static void signIn(String key) {
    browser.get(service.uri("/").toString());
    // The tab keeps the previous test's key (session storage): sign out first, as a person would.
    waitFor().until(driver -> displayed("key") || displayed("sign-out"));
    if (displayed("sign-out")) {
      browser.findElement(By.id("sign-out")).click();
    }
    WebElement field = waitFor().until(
        ExpectedConditions.visibilityOfElementLocated(By.id("key")));
    browser.manage().logs().get(LogType.BROWSER); // reading empties them: from here on, only
    browser.manage().logs().get(LogType.PERFORMANCE); // this page load counts
    field.sendKeys(key, Keys.ENTER);
    waitFor().until(driver -> text("stream-state").equals("stream live"));
  }

  private static String readKey() {
    try {
      return service.createKey(Role.READ);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void watch(String sku) {
    WebElement input = browser.findElement(By.id("flash-sku"));
    input.clear();
    input.sendKeys(sku, Keys.ENTER);
  }

  private static WebElement cell(String sku, String field) {
    return browser.findElement(By.cssSelector(
        "tr[data-sku='" + sku + "'][data-location='default'] td[data-field='" + field + "']"));
  }

  /** The SKUs of the table rows shown now, in order. */
  private static List<String> shownSkus() {
    return browser.findElements(By.cssSelector("#stock-rows tr")).stream()
        .filter(WebElement::isDisplayed).map(row -> row.getDomAttribute("data-sku")).toList();
  }

  private static boolean displayed(String id) {
    return browser.findElement(By.id(id)).isDisplayed();
  }

  private static String text(String id) {
    return browser.findElement(By.id(id)).getText();
  }

  private static WebDriverWait waitFor() {
    return new WebDriverWait(browser, Duration.ofSeconds(10), Duration.ofMillis(50));
  }

  /** HTTP answers of 400 or more and requests that failed, from the performance log. */
  private static List<String> failedRequests() {
    List<String> failed = new ArrayList<>();
    for (LogEntry entry : browser.manage().logs().get(LogType.PERFORMANCE)) {
      JsonNode message = parse(entry.getMessage()).path("message");
      String method = message.path("method").asText();
      JsonNode params = message.path("params");
      if (method.equals("Network.responseReceived")
          && params.at("/response/status").asInt() >= 400) {
        failed.add(params.at("/response/status").asInt() + " " + params.at("/response/url"));
      } else if (method.equals("Network.loadingFailed")) {
        failed.add(params.path("errorText").asText() + " " + params.path("type").asText());
      }
    }
    return failed;
  }

  private static JsonNode parse(String json) {
    try {
      return Service.JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("performance log entry is not JSON: " + json, e);
    }
  }

  /** A screenshot of the page laid out at {@code width} CSS pixels, whole or its top 2,600. */
  private static void screenshot(int width, boolean mobile, Path file) throws IOException {
    metrics(width, 900, mobile);
    long height = ((Number) browser.executeScript(
        "return document.documentElement.scrollHeight;")).longValue();
    metrics(width, (int) Math.min(height, 2600), mobile); // the top of a long phone page
    Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
  }

  private static void metrics(int width, int height, boolean mobile) {
    browser.executeCdpCommand("Emulation.setDeviceMetricsOverride", Map.of("width", width,
        "height", height, "deviceScaleFactor", 1, "mobile", mobile));
  }
}
