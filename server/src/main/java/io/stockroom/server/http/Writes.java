package io.stockroom.server.http;

import io.helidon.webserver.http.ServerRequest;
import io.stockroom.engine.Command;
import io.stockroom.engine.Event;
import io.stockroom.engine.EventCodec;
import io.stockroom.engine.Result;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalReader;
import io.stockroom.server.sequencer.OverloadedException;
import io.stockroom.server.sequencer.Sequencer;
import io.stockroom.server.sequencer.WritesUnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Sends commands to the writer and turns outcomes into events or problems. With an
 * Idempotency-Key the command is wrapped in {@link Command.Keyed} with a fingerprint of the
 * request (caller, method, path, body), so the engine itself, durably, decides whether it is a
 * retry; a retry is answered from the original events, read back from the journal, so the
 * response is the original one byte for byte. Every command is attributed to its caller
 * ({@link Command.Attributed}), whom each of its events records.
 */
public final class Writes {

  /** The events a write produced (or produced the first time, for a retry). */
  public record Written(List<Event> events, boolean replayed) {

    /** The sequence of the command's last own event: what a client reads at least. */
    public long sequence() {
      return events.isEmpty() ? 0 : events.get(events.size() - 1).sequence();
    }

    public <T extends Event> T first(Class<T> type) {
      for (Event event : events) {
        if (type.isInstance(event)) {
          return type.cast(event);
        }
      }
      throw new IllegalStateException("accepted command produced no " + type.getSimpleName());
    }
  }

  private final Sequencer sequencer;
  private final Journal journal;
  private final int retryAfterSeconds;

  public Writes(Sequencer sequencer, Journal journal, int retryAfterSeconds) {
    this.sequencer = sequencer;
    this.journal = journal;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /**
   * Starts a write on behalf of {@code actor} (which its events record); {@link #await} finishes
   * it. Lets /v1/batch queue many before waiting.
   */
  public CompletableFuture<Sequencer.Outcome> submit(Command command, String actor,
      String idempotencyKey, String method, String path, byte[] body) {
    Command attributed = new Command.Attributed(actor, command);
    Command sent = idempotencyKey == null ? attributed
        : new Command.Keyed(idempotencyKey, fingerprint(actor, method, path, body), attributed);
    try {
      return sequencer.submit(sent);
    } catch (OverloadedException e) {
      throw new ProblemException(503, "overloaded", "Too many requests in flight",
          e.getMessage() + "; retry later", java.util.Map.of(), retryAfterSeconds);
    }
  }

  public Written await(CompletableFuture<Sequencer.Outcome> future) {
    Sequencer.Outcome outcome;
    try {
      outcome = future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof WritesUnavailableException unavailable) {
        throw ProblemException.unavailable(unavailable.getMessage(), retryAfterSeconds);
      }
      throw e;
    }
    Result result = outcome.result();
    if (!result.accepted()) {
      throw ProblemException.of(result);
    }
    if (result.duplicate()) {
      return new Written(read(result.originalFirstSequence(), result.originalLastSequence()),
          true);
    }
    List<Event> own = new ArrayList<>(outcome.events().size());
    for (Event event : outcome.events()) {
      if (!(event instanceof Event.RequestRecorded)) {
        own.add(event);
      }
    }
    return new Written(own, false);
  }

  /** Runs {@code command} for the caller of {@code request}, with its Idempotency-Key. */
  public Written execute(Command command, ServerRequest request, byte[] body) {
    return execute(command, request, Exchange.idempotencyKey(request), body);
  }

  /** As {@link #execute(Command, ServerRequest, byte[])} with another idempotency key. */
  public Written execute(Command command, ServerRequest request, String idempotencyKey,
      byte[] body) {
    return await(submit(command, Exchange.actor(request), idempotencyKey,
        Exchange.method(request), Exchange.path(request), body));
  }

  private List<Event> read(long first, long last) {
    List<Event> events = new ArrayList<>((int) Math.min(64, last - first + 1));
    try (JournalReader reader = journal.read(first)) {
      while (reader.next() && reader.sequence() <= last) {
        events.add(EventCodec.decode(reader.payload()));
      }
    } catch (IOException | IllegalArgumentException e) {
      throw new ProblemException(410, "idempotency-record-gone", "The original response is gone",
          "the events of the original request (" + first + ".." + last + ") are no longer in the"
              + " journal: " + e.getMessage());
    }
    return events;
  }

  /**
   * The caller is part of the request: another caller's retry with the same key is a reuse
   * (422), never an answer with the first caller's response.
   */
  static long fingerprint(String actor, String method, String path, byte[] body) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(actor.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) '\n');
      digest.update(method.getBytes(StandardCharsets.US_ASCII));
      digest.update((byte) '\n');
      digest.update(path.getBytes(StandardCharsets.UTF_8));
      digest.update((byte) '\n');
      digest.update(body);
      return ByteBuffer.wrap(digest.digest()).getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
