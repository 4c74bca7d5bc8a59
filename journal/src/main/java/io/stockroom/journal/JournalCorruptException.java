package io.stockroom.journal;

import java.io.IOException;

/**
 * The journal's files are damaged in a way that is not a torn tail: startup must stop, and an
 * operator must look. The message names the file, the byte offset and what is wrong.
 */
public final class JournalCorruptException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Corruption corruption;

  public JournalCorruptException(Corruption corruption) {
    super("journal corrupt: " + corruption);
    this.corruption = corruption;
  }

  public Corruption corruption() {
    return corruption;
  }
}
