package io.stockroom.journal;

import java.io.IOException;

/**
 * A write, fsync or other storage call of the journal failed earlier, so the journal stopped
 * (fail-stop): it never retries an fsync, whose failure may have dropped the unsynced pages.
 * Nothing after the last acknowledged append is known to be durable. Restart and recover.
 */
public final class JournalFailedException extends IOException {

  private static final long serialVersionUID = 1L;

  public JournalFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
