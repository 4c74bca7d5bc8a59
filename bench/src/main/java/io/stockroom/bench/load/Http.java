package io.stockroom.bench.load;

/**
 * The one HTTP operation the generator needs: send a request, get the status and body. Both
 * implementations keep one persistent connection per concurrent caller, so the generator never
 * measures connection setup; a transport failure is status {@link #STATUS_IO}, a request that
 * took longer than the request timeout {@link #STATUS_TIMEOUT}, never an exception.
 */
interface Http extends AutoCloseable {

  /** Status of a request that failed below HTTP (refused, reset, closed). */
  int STATUS_IO = 0;
  /** Status of a request that got no answer within the request timeout. */
  int STATUS_TIMEOUT = -1;

  /** Sends {@code method path} with a JSON {@code body} (null: none) and the bearer key. */
  Response send(String method, String path, byte[] body);

  @Override
  void close();

  /**
   * An answer; {@code body} is empty for the failure statuses; {@code etag} is the ETag header
   * or null.
   */
  record Response(int status, byte[] body, String etag) {
    Response(int status, byte[] body) {
      this(status, body, null);
    }

    boolean is(int expected) {
      return status == expected;
    }
  }

  static Http open(LoadConfig.Client client, java.net.URI base, String key, int connections,
      java.time.Duration requestTimeout) {
    return switch (client) {
      case HELIDON -> new HelidonHttp(base, key, connections, requestTimeout);
      case JDK -> new JdkHttp(base, key, requestTimeout);
    };
  }
}
