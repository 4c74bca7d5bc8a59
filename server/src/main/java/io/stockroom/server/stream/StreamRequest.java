package io.stockroom.server.stream;

import io.helidon.common.parameters.Parameters;
import io.stockroom.server.http.ProblemException;
import java.util.List;
import java.util.Set;

/**
 * What a subscriber asked for: a filter and where to resume. Parsed and checked before the
 * stream starts, so a bad request is a 400 (SSE) or a refused upgrade (WebSocket), never a
 * stream that ends at once. Unknown query parameters are ignored (an access token may ride
 * there for browsers, whose EventSource cannot set headers).
 *
 * @param after resume after this sequence; {@link #LIVE} when the client named none
 */
record StreamRequest(StreamFilter filter, long after) {

  static final long LIVE = -1;
  /** Values per filter parameter: a filter is a handful of keys, not a catalogue. */
  static final int FILTER_VALUES_MAX = 100;
  /** Longest filter value, characters; longer than any identifier the engine accepts. */
  static final int FILTER_VALUE_LENGTH_MAX = 256;
  /** Digits of a Long.MAX_VALUE: a longer number cannot be a sequence. */
  private static final int SEQUENCE_DIGITS_MAX = 19;

  /**
   * @param lastEventId the {@code Last-Event-ID} header, or null; it wins over {@code ?after}
   *     because a reconnecting EventSource resends the original URL with the new header
   * @param durable the last durable sequence: resuming beyond it is an error, not a wait
   */
  static StreamRequest parse(Parameters query, String lastEventId, long durable) {
    StreamFilter filter = new StreamFilter(values(query, "sku"), values(query, "location"),
        values(query, "category"));
    long after = LIVE;
    if (lastEventId != null) {
      after = sequence("Last-Event-ID", lastEventId, durable);
    } else if (query.contains("after")) {
      List<String> given = query.all("after");
      if (given.size() != 1) {
        throw ProblemException.badRequest("after must be given once");
      }
      after = sequence("after", given.get(0), durable);
    }
    return new StreamRequest(filter, after);
  }

  /** A resume point: a non-negative integer no greater than the last durable sequence. */
  static long sequence(String name, String value, long durable) {
    String text = value.strip();
    if (text.isEmpty() || text.length() > SEQUENCE_DIGITS_MAX || !digits(text)) {
      throw ProblemException.badRequest(name + " must be a non-negative integer (an event"
          + " sequence), was \"" + abbreviate(value) + "\"");
    }
    long sequence;
    try {
      sequence = Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw ProblemException.badRequest(name + " is too large: " + text);
    }
    if (sequence > durable) {
      throw ProblemException.badRequest(name + " (" + sequence + ") is beyond the last durable"
          + " event (" + durable + ")");
    }
    return sequence;
  }

  private static Set<String> values(Parameters query, String name) {
    if (!query.contains(name)) {
      return Set.of();
    }
    List<String> given = query.all(name);
    if (given.size() > FILTER_VALUES_MAX) {
      throw ProblemException.badRequest("at most " + FILTER_VALUES_MAX + " " + name
          + " values per stream, got " + given.size());
    }
    for (String value : given) {
      if (value.isEmpty() || value.length() > FILTER_VALUE_LENGTH_MAX) {
        throw ProblemException.badRequest(name + " must be 1.." + FILTER_VALUE_LENGTH_MAX
            + " characters");
      }
    }
    return Set.copyOf(given);
  }

  private static boolean digits(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  private static String abbreviate(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "...";
  }
}
