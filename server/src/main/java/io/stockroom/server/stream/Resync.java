package io.stockroom.server.stream;

/**
 * The last thing a stream sends before the server ends it: resume after {@code lastSequence}
 * ({@code Last-Event-ID}), or, when {@code reload} is set, reload state first because the events
 * after {@code lastSequence} are no longer in the journal.
 */
record Resync(long lastSequence, String reason, boolean reload, boolean stopping) {

  static final String TOO_SLOW = "subscriber too slow";
  static final String STOPPING = "server stopping";

  static Resync tooSlow(long lastSequence) {
    return new Resync(lastSequence, TOO_SLOW, false, false);
  }

  static Resync stopping(long lastSequence) {
    return new Resync(lastSequence, STOPPING, false, true);
  }

  static Resync retired(long lastSequence, long firstSequence) {
    return new Resync(lastSequence, "events after " + lastSequence + " were retired behind a"
        + " snapshot (the journal starts at " + firstSequence + "): reload state and resume"
        + " from its sequence", true, false);
  }

  static Resync replayFailed(long lastSequence, String detail) {
    return new Resync(lastSequence, "replay failed: " + detail, false, false);
  }
}
