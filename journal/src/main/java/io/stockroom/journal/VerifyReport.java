package io.stockroom.journal;

import java.util.Optional;

/**
 * The outcome of {@link Journal#verify}: the first problem found, or counts of what was checked.
 *
 * @param problem the first problem, in file order (segments first, then snapshots); empty if clean
 * @param segments segment files checked
 * @param records records whose checksum, sequence and chain link were checked
 * @param firstSequence first sequence in the log (0 if the log is empty)
 * @param lastSequence last sequence in the log (0 if the log is empty)
 * @param snapshots snapshot files checked
 */
public record VerifyReport(
    Optional<Corruption> problem,
    int segments,
    long records,
    long firstSequence,
    long lastSequence,
    int snapshots) {

  public boolean ok() {
    return problem.isEmpty();
  }

  @Override
  public String toString() {
    return problem
        .map(p -> "journal verify FAILED: " + p)
        .orElse(
            "journal verify ok: "
                + segments
                + " segments, "
                + records
                + " records ("
                + firstSequence
                + ".."
                + lastSequence
                + "), "
                + snapshots
                + " snapshots");
  }
}
