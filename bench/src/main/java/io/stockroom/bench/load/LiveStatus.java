package io.stockroom.bench.load;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Consumer;

/** The one-line live status on stderr, rewritten in place with {@code \r}. */
final class LiveStatus implements Consumer<Progress> {

  private final PrintStream err;
  private int lastLength;

  LiveStatus(PrintStream err) {
    this.err = err;
  }

  @Override
  public synchronized void accept(Progress p) {
    String line = String.format(Locale.ROOT,
        "%-7s %6.1f s  %,10d requests  %,8.0f/s  errors %,d  in flight %,d%s", p.phase(),
        p.elapsedMillis() / 1000.0, p.requests(), p.requestsPerSecond(), p.errors(),
        p.inFlight(), p.waiting() > 0 ? String.format(Locale.ROOT, "  waiting %,d", p.waiting())
            : "");
    err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
    err.flush();
    lastLength = line.length();
  }

  /** Ends the status line so that what follows starts on a line of its own. */
  synchronized void finish() {
    if (lastLength > 0) {
      err.println();
      lastLength = 0;
    }
  }
}
