package io.stockroom.server.reliability;

import io.stockroom.server.testing.ServiceProcess;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What a crash run checked, printed at its end (the soak's report). */
final class Summary {

  private int restarts;
  private long replayedTotal;
  private long replayedMax;
  private long bytesTruncated;
  private int tornTailsOnDisk;
  private long expiredWhileDown;
  private final Map<Write.Kind, Long> acknowledged = new EnumMap<>(Write.Kind.class);
  private long rejected;
  private long unknownHappened;
  private long unknownNotHappened;
  private final Map<String, Long> unknownBecause = new java.util.TreeMap<>();
  private long replays;
  private long flashUnits;

  void restarted(ServiceProcess service, int cycle, long startMillis, int writesSent) {
    restarts++;
    replayedTotal += service.eventsReplayed();
    replayedMax = Math.max(replayedMax, service.eventsReplayed());
    bytesTruncated += service.bytesTruncated();
    System.out.println("CrashRestartTest: cycle " + cycle + ": stopped after " + writesSent
        + " writes sent; restart listening after " + startMillis + " ms: "
        + service.recovery());
  }

  void stopped(Duration took) {
    System.out.println("CrashRestartTest: SIGTERM under load: exited after " + took.toMillis()
        + " ms");
  }

  void tornTail() {
    tornTailsOnDisk++;
  }

  void expiredWhileDown(long holds) {
    expiredWhileDown += holds;
  }

  void writes(List<Write> writes) {
    for (Write write : writes) {
      if (write.outcome() == Write.Outcome.ACKED) {
        acknowledged.merge(write.kind, 1L, Long::sum);
      } else {
        rejected++;
      }
      if (write.resolved()) {
        unknownBecause.merge(write.unknownBecause(), 1L, Long::sum);
        if (write.happenedUnseen()) {
          unknownHappened++;
        } else {
          unknownNotHappened++;
        }
      }
    }
  }

  void replayed() {
    replays++;
  }

  void flash(long units) {
    flashUnits += units;
  }

  void print(String stop, Audit audit, int cycles, Duration took, boolean soFar) {
    System.out.println(String.join("\n",
        "CrashRestartTest summary" + (soFar ? " so far" : "") + ": " + cycles + " " + stop
            + "/restart cycles in "
            + took.toSeconds() + " s",
        "  events audited (gap-free, units conserved, never oversold): " + audit.events(),
        "  acknowledged writes found at their sequence: " + audit.acknowledgedChecked() + " "
            + acknowledged,
        "  refused writes found absent: " + audit.rejectedChecked(),
        "  unknown at the kill, resolved by retry: " + (unknownHappened + unknownNotHappened)
            + " (" + unknownHappened + " had happened, " + unknownNotHappened + " had not); why: "
            + unknownBecause,
        "  idempotent replays byte for byte after a restart: " + replays,
        "  holds expired while the service was down: " + expiredWhileDown + " (of "
            + audit.expiries() + " expiries)",
        "  flash-sale units taken: " + flashUnits + " (never more than received)",
        "  restarts: " + restarts + ", events replayed " + replayedTotal + " (at most "
            + replayedMax + " in one), torn tail bytes truncated " + bytesTruncated
            + ", torn tails seen by verify before a restart " + tornTailsOnDisk));
  }
}
