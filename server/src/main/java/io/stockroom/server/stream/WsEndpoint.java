package io.stockroom.server.stream;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import io.helidon.http.HeaderNames;
import io.stockroom.server.http.HttpLimits;
import io.stockroom.server.http.ProblemException;
import io.stockroom.server.http.Problems;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The feed over WebSocket, one listener per connection. Helidon's connection thread reads
 * frames and calls us; a virtual thread of our own sends, so a slow client never holds up the
 * reading of its close frame.
 *
 * <p>Where to resume: {@code Last-Event-ID} header, else {@code ?after=N} (both checked before
 * the upgrade: a bad one refuses it with 400), else a first message {@code {"lastEventId":N}}
 * sent within {@link #FIRST_MESSAGE_WAIT_MILLIS} of the open, else live from the open. Live
 * events are queued from the open on, so the wait loses nothing.
 */
final class WsEndpoint implements WsListener {

  static final long FIRST_MESSAGE_WAIT_MILLIS = 500;
  /** A resume message is a few dozen characters; anything much longer is not one. */
  private static final int MESSAGE_LENGTH_MAX = 256;
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final StreamHub hub;
  private final CompletableFuture<String> firstMessage = new CompletableFuture<>();
  /** Set by onHttpUpgrade, read by onOpen: both on the connection thread. */
  private StreamRequest request;
  private volatile Subscriber subscriber;

  WsEndpoint(StreamHub hub) {
    this.hub = hub;
  }

  @Override
  public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers)
      throws WsUpgradeException {
    if (hub.authentication() != null) {
      ProblemException refusal = hub.authentication().checkStream(prologue.query(),
          headers.first(HeaderNames.AUTHORIZATION).orElse(null));
      if (refusal != null) {
        throw HttpLimits.refusal(refusal);
      }
    }
    try {
      request = StreamRequest.parse(prologue.query(),
          headers.first(StreamHub.LAST_EVENT_ID).orElse(null), hub.journal().lastSequence());
    } catch (ProblemException problem) {
      // Not WsUpgradeException: Helidon answers that with an empty 400. This reaches the direct
      // handlers, which answer with this problem (status, type and detail) as problem+json.
      throw HttpLimits.refusal(problem);
    }
    return Optional.empty();
  }

  @Override
  public void onOpen(WsSession session) {
    Subscriber opened;
    try {
      opened = hub.open(Transport.WS, request.filter());
    } catch (ProblemException problem) {
      // Too late for a 503: the upgrade is done. 1013 is WebSocket's "try again later".
      session.send(new String(Problems.render(problem, StreamHub.WS_PATH), UTF_8), true);
      session.close(WsCloseCodes.TRY_AGAIN_LATER, "retry after " + hub.retryAfterSeconds()
          + " s");
      return;
    }
    long registeredAt = hub.journal().lastSequence(); // read after registering: no gap
    subscriber = opened;
    Thread.ofVirtual().name("stockroom-stream-ws").start(() -> run(session, opened,
        registeredAt));
  }

  private void run(WsSession session, Subscriber opened, long registeredAt) {
    long after;
    try {
      after = request.after() != StreamRequest.LIVE ? request.after() : awaitResume(registeredAt);
    } catch (ProblemException problem) {
      opened.abandon();
      try {
        session.send(new String(Problems.render(problem, StreamHub.WS_PATH), UTF_8), true);
        session.close(WsCloseCodes.VIOLATED_POLICY, "invalid lastEventId");
      } catch (RuntimeException e) {
        // the client is gone already
      }
      return;
    }
    opened.serve(new WsChannel(session), after);
  }

  private long awaitResume(long registeredAt) {
    String message;
    try {
      message = firstMessage.get(FIRST_MESSAGE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return registeredAt;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return registeredAt;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
    return resumePoint(message);
  }

  /** Parses {@code {"lastEventId":N}}, strictly: a malformed resume must not go unnoticed. */
  private long resumePoint(String message) {
    if (message == null || message.length() > MESSAGE_LENGTH_MAX) {
      throw ProblemException.badRequest("the first message may only be {\"lastEventId\":N}");
    }
    JsonNode node;
    try {
      node = MAPPER.readTree(message);
    } catch (Exception e) {
      throw ProblemException.badRequest("the first message is not JSON: " + e.getMessage());
    }
    JsonNode id = node == null ? null : node.get("lastEventId");
    if (id == null || !node.isObject() || node.size() != 1 || !id.isIntegralNumber()) {
      throw ProblemException.badRequest("the first message may only be {\"lastEventId\":N}");
    }
    return StreamRequest.sequence("lastEventId", id.asText(), hub.journal().lastSequence());
  }

  @Override
  public void onMessage(WsSession session, String text, boolean last) {
    // Only the first message means anything; a fragment or a later message is ignored.
    firstMessage.complete(last ? text : null);
  }

  @Override
  public void onClose(WsSession session, int status, String reason) {
    Subscriber s = subscriber;
    if (s != null) {
      s.gone();
    }
  }

  @Override
  public void onError(WsSession session, Throwable error) {
    onClose(session, WsCloseCodes.UNEXPECTED_CONDITION, error.getMessage());
  }
}
