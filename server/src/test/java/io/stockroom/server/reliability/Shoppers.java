package io.stockroom.server.reliability;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The load of one cycle, on virtual threads, until {@link #stop}: checkout shoppers (reserve one
 * to three SKUs, then confirm, release, or abandon the cart to expire; now and then goods come
 * in) and flash-sale fans (everyone wants one unit of a SKU with few, then confirms). Every write
 * goes into the {@link #writes} log with its outcome; a client stops at its first unknown write
 * (the service is presumably gone).
 */
final class Shoppers {

  static final int REGULAR_SKUS = 10;
  /** Seconds a checkout holds; long, so only abandoned carts expire within a test. */
  static final int CHECKOUT_TTL_SECONDS = 300;
  /** The shortest hold the service takes: an abandoned cart expires soon. */
  static final int ABANDONED_TTL_SECONDS = 1;

  private final Client client;
  private final int cycle;
  private final long seed;
  private final String flashSku;
  private final Queue<Write> writes = new ConcurrentLinkedQueue<>();
  private final Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger sent = new AtomicInteger();
  private volatile boolean stopping;

  Shoppers(Client client, int cycle, long seed, String flashSku) {
    this.client = client;
    this.cycle = cycle;
    this.seed = seed;
    this.flashSku = flashSku;
  }

  static String regularSku(int index) {
    return "sku-" + index;
  }

  void start(int checkoutShoppers, int flashFans) {
    for (int i = 0; i < checkoutShoppers; i++) {
      int shopper = i;
      threads.submit(() -> guarded(() -> checkout(shopper)));
    }
    for (int i = 0; i < flashFans; i++) {
      int fan = i;
      threads.submit(() -> guarded(() -> flashSale(fan)));
    }
  }

  /** Tells every client to finish and waits for them (mid-request: an answer or an error). */
  void stop() throws InterruptedException {
    stopping = true;
    threads.shutdown();
    if (!threads.awaitTermination(2, TimeUnit.MINUTES)) {
      throw new AssertionError("shoppers did not finish within 2 minutes");
    }
  }

  /** Writes sent so far (answered or not). */
  int sent() {
    return sent.get();
  }

  List<Write> writes() {
    return new ArrayList<>(writes);
  }

  List<Throwable> failures() {
    return new ArrayList<>(failures);
  }

  private void guarded(Runnable client) {
    try {
      client.run();
    } catch (Throwable t) {
      failures.add(t);
    }
  }

  private void checkout(int shopper) {
    SplittableRandom random = new SplittableRandom(seed * 31 + shopper);
    for (int n = 0; !stopping; n++) {
      String name = "c" + cycle + "-" + shopper + "-" + n;
      if (random.nextInt(10) == 0) {
        if (send(receive(name, regularSku(random.nextInt(REGULAR_SKUS)),
            1 + random.nextInt(20))) == Write.Outcome.UNKNOWN) {
          return;
        }
        continue;
      }
      boolean abandon = random.nextInt(100) < 15;
      Write reserve = reserve(name, lines(random), abandon ? ABANDONED_TTL_SECONDS
          : CHECKOUT_TTL_SECONDS, "shopper-" + cycle + "-" + shopper);
      Write.Outcome reserved = send(reserve);
      if (reserved == Write.Outcome.UNKNOWN) {
        return;
      }
      if (reserved == Write.Outcome.REJECTED || abandon) {
        continue;
      }
      Write.Kind next = random.nextInt(10) < 7 ? Write.Kind.CONFIRM : Write.Kind.RELEASE;
      if (send(transition(next, name)) == Write.Outcome.UNKNOWN) {
        return;
      }
    }
  }

  private void flashSale(int fan) {
    for (int n = 0; !stopping; n++) {
      String name = "f" + cycle + "-" + fan + "-" + n;
      Write.Outcome reserved = send(reserve(name,
          "[{\"sku\":\"" + flashSku + "\",\"quantity\":1}]", CHECKOUT_TTL_SECONDS,
          "fan-" + cycle + "-" + fan + "-" + n));
      if (reserved == Write.Outcome.UNKNOWN) {
        return;
      }
      if (reserved == Write.Outcome.ACKED
          && send(transition(Write.Kind.CONFIRM, name)) == Write.Outcome.UNKNOWN) {
        return;
      }
    }
  }

  /** One to three distinct regular SKUs, one to three units each. */
  private static String lines(SplittableRandom random) {
    int count = 1 + random.nextInt(3);
    int first = random.nextInt(REGULAR_SKUS);
    StringBuilder json = new StringBuilder("[");
    for (int i = 0; i < count; i++) {
      json.append(i == 0 ? "" : ",").append("{\"sku\":\"")
          .append(regularSku((first + i) % REGULAR_SKUS)).append("\",\"quantity\":")
          .append(1 + random.nextInt(3)).append('}');
    }
    return json.append(']').toString();
  }

  private Write.Outcome send(Write write) {
    writes.add(write);
    sent.incrementAndGet();
    return write.send(client);
  }

  private Write reserve(String id, String linesJson, int ttlSeconds, String customer) {
    return new Write(Write.Kind.RESERVE, "/v1/reservations",
        "{\"id\":\"" + id + "\",\"lines\":" + linesJson + ",\"ttlSeconds\":" + ttlSeconds
            + ",\"customer\":\"" + customer + "\"}", "k-" + id, id, cycle);
  }

  private Write transition(Write.Kind kind, String id) {
    String verb = kind == Write.Kind.CONFIRM ? "confirm" : "release";
    return new Write(kind, "/v1/reservations/" + id + "/" + verb, null, "k-" + id + "-" + verb,
        id, cycle);
  }

  private Write receive(String name, String sku, int quantity) {
    String reason = "r-" + name;
    return new Write(Write.Kind.RECEIVE, "/v1/items/" + sku + "/receive",
        "{\"quantity\":" + quantity + ",\"reason\":\"" + reason + "\"}", "k-" + name, reason,
        cycle);
  }
}
