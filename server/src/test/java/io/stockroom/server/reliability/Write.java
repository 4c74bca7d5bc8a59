package io.stockroom.server.reliability;

import java.io.IOException;

/**
 * One write a client sent, with what the service answered: acknowledged (2xx, with the sequence
 * of its last event), rejected (a definite no: 4xx, or 503 {@code overloaded}, which never
 * queues), or unknown (the connection broke, e.g. under a SIGKILL: it may or may not have
 * happened). Every write carries an Idempotency-Key, so an unknown one is resolved after the
 * restart by sending it again: a replay proves it happened, anything else that it did not.
 *
 * <p>Owned by one thread at a time: the client that sends it, then (after a join) the test.
 */
final class Write {

  enum Kind { RESERVE, CONFIRM, RELEASE, RECEIVE }

  enum Outcome { ACKED, REJECTED, UNKNOWN }

  final Kind kind;
  final String path;
  final String body;
  final String idempotencyKey;
  /** The reservation id, or for a receive its unique reason: what the audit looks it up by. */
  final String subject;
  final int cycle;

  private Outcome outcome;
  private int status;
  private String answer = "";
  private long sequence;
  private String unknownBecause = "";
  private boolean resolved;
  private boolean happenedUnseen;

  Write(Kind kind, String path, String body, String idempotencyKey, String subject, int cycle) {
    this.kind = kind;
    this.path = path;
    this.body = body;
    this.idempotencyKey = idempotencyKey;
    this.subject = subject;
    this.cycle = cycle;
  }

  /** Sends it (again, for a retry) and records the answer. */
  Outcome send(Client client) {
    try {
      record(client.send("POST", path, body, idempotencyKey));
      if (outcome == Outcome.UNKNOWN) {
        unknownBecause = status + " " + Client.jsonOf(answer).path("detail").asText();
      }
    } catch (IOException e) {
      outcome = Outcome.UNKNOWN;
      unknownBecause = e.getClass().getSimpleName();
    }
    return outcome;
  }

  /**
   * Sends an unknown write again after the restart. A replayed answer means it had happened
   * before the crash without the client hearing of it.
   */
  Outcome resolve(Client client) {
    if (outcome != Outcome.UNKNOWN) {
      throw new IllegalStateException("not unknown: " + this);
    }
    resolved = true;
    try {
      Client.Reply reply = client.send("POST", path, body, idempotencyKey);
      record(reply);
      happenedUnseen = reply.ok() && reply.replayed();
    } catch (IOException e) {
      throw new AssertionError("retry of " + this + " failed on a running service", e);
    }
    return outcome;
  }

  private void record(Client.Reply reply) {
    status = reply.status();
    answer = reply.body();
    if (reply.ok()) {
      outcome = Outcome.ACKED;
      sequence = reply.json().get("sequence").asLong();
    } else if (status == 503 && reply.problem().equals("unavailable")) {
      outcome = Outcome.UNKNOWN; // stopping or failed: it may sit in a batch that was cut off
    } else if (status >= 400 && status < 500 || status == 503) {
      outcome = Outcome.REJECTED;
    } else {
      throw new AssertionError("unexpected answer to " + this + ": " + status + " " + answer);
    }
  }

  Outcome outcome() {
    return outcome;
  }

  int status() {
    return status;
  }

  String answer() {
    return answer;
  }

  /** For an acknowledged write: the sequence of its own last event. */
  long sequence() {
    return sequence;
  }

  boolean resolved() {
    return resolved;
  }

  /** Why the first answer left it unknown: an exception's class, or a 503's detail. */
  String unknownBecause() {
    return unknownBecause;
  }

  /** An unknown write whose retry was a replay: it had happened before the crash. */
  boolean happenedUnseen() {
    return happenedUnseen;
  }

  @Override
  public String toString() {
    return kind + " " + subject + " (POST " + path + ", key " + idempotencyKey + ", cycle "
        + cycle + ") -> " + outcome + (status > 0 ? " " + status : "")
        + (outcome == Outcome.ACKED ? " at " + sequence : "");
  }
}
