package io.stockroom.server.http;

import io.helidon.webserver.http.ServerRequest;
import io.stockroom.server.read.ReadView;

/** Read-your-writes: a read may ask to reflect at least a sequence it wrote. */
final class Reads {

  private final ReadView view;
  private final long waitMillisMax;

  Reads(ReadView view, long waitMillisMax) {
    this.view = view;
    this.waitMillisMax = waitMillisMax;
  }

  /**
   * Waits until the view reflects {@code minSequence} (query parameter or
   * {@code Stockroom-Min-Sequence} header), up to the configured bound; past it, 503.
   */
  void awaitMinimum(ServerRequest request) {
    String header = request.headers().first(Exchange.MIN_SEQUENCE).orElse(null);
    String value = header != null ? header : Exchange.query(request, "minSequence");
    if (value == null) {
      return;
    }
    long minimum;
    try {
      minimum = Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw ProblemException.badRequest("minSequence must be an integer, was '" + value + "'");
    }
    if (minimum < 0) {
      throw ProblemException.badRequest("minSequence must not be negative");
    }
    try {
      if (!view.awaitSequence(minimum, waitMillisMax)) {
        throw ProblemException.unavailable("the view has not reached sequence " + minimum
            + " within " + waitMillisMax + " ms (now at " + view.sequence() + ")", 1);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw ProblemException.unavailable("interrupted while waiting for the view", 1);
    }
  }
}
