package io.stockroom.bench;

import io.stockroom.engine.Command;
import io.stockroom.engine.Engine;
import io.stockroom.engine.Event;
import io.stockroom.engine.HoldLine;
import io.stockroom.engine.Limits;
import io.stockroom.engine.Result;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.management.ObjectName;

/**
 * Retained heap per stock level: loads an engine through {@link Engine#apply} exactly as the
 * server would, forces full collections before and after, and divides the growth in used heap
 * by the number of levels. The growth includes everything the engine keeps for a level: the
 * {@code Item}, its SKU string, the items {@code HashMap} node and table slot, the
 * {@code StockLevel}, and the location string when the level does not share it.
 *
 * <p>Run it with a serial collector so a "full GC" is one stop-the-world compaction and used
 * heap is exact after it:
 *
 * <pre>
 * java -XX:+UseSerialGC -Xms4g -Xmx4g -cp bench/target/benchmarks.jar \
 *     io.stockroom.bench.EngineHeapMeasurement
 * </pre>
 *
 * <p>Items are defined with empty name and category (the engine stores {@code ""} for both, one
 * shared literal). SKUs look like {@code SKU-0000001} (11 Latin-1 characters).
 */
public final class EngineHeapMeasurement {

  private static final int GC_ROUNDS = 5;

  /** How a configuration hands location strings to the engine. */
  private enum Locations {
    /** Every command carries the same String instance per location (interned/constant). */
    SHARED,
    /** Every command carries a fresh copy, as a JSON decoder produces per request. */
    PER_COMMAND
  }

  private record Configuration(String name, int items, int locationsPerItem,
      Locations locations) {
    long levels() {
      return (long) items * locationsPerItem;
    }
  }

  public static void main(String[] args) throws Exception {
    Configuration[] configurations = {
        new Configuration("1,000,000 items x 1 location, shared location string",
            1_000_000, 1, Locations.SHARED),
        new Configuration("250,000 items x 4 locations, shared location strings",
            250_000, 4, Locations.SHARED),
        new Configuration("1,000,000 items x 1 location, location string per command",
            1_000_000, 1, Locations.PER_COMMAND),
    };
    System.out.println("JVM: " + System.getProperty("java.vm.name") + " "
        + System.getProperty("java.runtime.version") + ", max heap "
        + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB, GC "
        + ManagementFactory.getGarbageCollectorMXBeans().get(0).getName()
        + ", arguments " + ManagementFactory.getRuntimeMXBean().getInputArguments());
    boolean histogram = args.length > 0 && args[0].equals("--histogram");
    // Load the classes and warm the paths once, so class loading is not counted as retained.
    Reference.reachabilityFence(load(new Configuration("warm-up", 1_000, 4, Locations.SHARED)));
    for (Configuration configuration : configurations) {
      measure(configuration, histogram);
    }
    measureResolvedHolds(histogram);
  }

  /**
   * Bytes the engine keeps per resolved hold while it is retained (Limits.holdsResolvedRetainedMax
   * of them by default 1,000,000): confirmed single-line holds whose commands carry a freshly
   * decoded SKU and location string each, as the server's decoder would produce them.
   */
  private static void measureResolvedHolds(boolean histogram) throws Exception {
    int holds = Limits.DEFAULTS.holdsResolvedRetainedMax();
    Engine engine = new Engine(Limits.DEFAULTS);
    ArrayList<Event> out = new ArrayList<>();
    require(engine.apply(0, new Command.DefineItem("SKU-0000001", null, null), out));
    require(engine.apply(0, new Command.Receive("SKU-0000001", Engine.DEFAULT_LOCATION,
        Limits.DEFAULTS.quantityMax(), null), out));
    out.clear();
    long before = usedAfterFullGc();
    for (int i = 0; i < holds; i++) {
      String id = String.format(Locale.ROOT, "hold-%07d", i);
      List<HoldLine> lines = List.of(new HoldLine(new String("SKU-0000001".toCharArray()),
          new String(Engine.DEFAULT_LOCATION.toCharArray()), 1));
      require(engine.apply(i, new Command.Reserve(id, lines, null, null, 60_000), out));
      require(engine.apply(i, new Command.Confirm(id), out));
      out.clear();
    }
    long retained = usedAfterFullGc() - before;
    System.out.printf(Locale.ROOT, "%-60s holds  %,10d  retained %,13d bytes  %6.1f bytes/hold%n",
        "resolved (confirmed) single-line holds, retained", holds, retained,
        (double) retained / holds);
    if (histogram) {
      printHistogram();
    }
    Reference.reachabilityFence(engine);
  }

  private static void measure(Configuration configuration, boolean histogram) throws Exception {
    long before = usedAfterFullGc();
    Engine engine = load(configuration);
    long after = usedAfterFullGc();
    if (engine.levelCount() != configuration.levels()) {
      throw new IllegalStateException("loaded " + engine.levelCount() + " levels, expected "
          + configuration.levels());
    }
    long retained = after - before;
    System.out.printf(Locale.ROOT, "%-60s levels %,10d  retained %,13d bytes  %6.1f bytes/level%n",
        configuration.name(), configuration.levels(), retained,
        (double) retained / configuration.levels());
    if (histogram) {
      printHistogram();
    }
    Reference.reachabilityFence(engine);
  }

  private static Engine load(Configuration configuration) {
    Engine engine = new Engine(Limits.DEFAULTS);
    ArrayList<Event> out = new ArrayList<>();
    String[] sharedLocations = new String[configuration.locationsPerItem()];
    for (int l = 0; l < sharedLocations.length; l++) {
      sharedLocations[l] = l == 0 ? Engine.DEFAULT_LOCATION : ("store-" + l).intern();
    }
    for (int i = 0; i < configuration.items(); i++) {
      String sku = String.format(Locale.ROOT, "SKU-%07d", i + 1);
      require(engine.apply(0, new Command.DefineItem(sku, null, null), out));
      for (int l = 0; l < sharedLocations.length; l++) {
        String location = configuration.locations() == Locations.SHARED
            ? sharedLocations[l]
            : new String(sharedLocations[l].toCharArray());
        require(engine.apply(0, new Command.Receive(sku, location, 100, null), out));
      }
      out.clear();
    }
    return engine;
  }

  private static long usedAfterFullGc() throws InterruptedException {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int round = 0; round < GC_ROUNDS; round++) {
      System.gc();
      // A measurement, not a test: there is no condition to wait on, only reference processing
      // and finalizers to let run between forced collections; the minimum of several rounds wins.
      Thread.sleep(50);
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  /** The engine's classes and the JDK classes it is made of, as jcmd GC.class_histogram. */
  private static void printHistogram() throws Exception {
    Object text = ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});
    String[] lines = text.toString().split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (i < 2 || line.contains("io.stockroom.engine") || line.contains("java.util.HashMap")
          || line.contains(" [B ") || line.contains(" java.lang.String ")
          || line.contains("ImmutableCollections") || line.contains("[Ljava.lang.Object;")) {
        System.out.println("    " + line.strip());
      }
    }
  }

  private static void require(Result result) {
    if (result != Result.ACCEPTED) {
      throw new IllegalStateException("load command rejected: " + result);
    }
  }
}
