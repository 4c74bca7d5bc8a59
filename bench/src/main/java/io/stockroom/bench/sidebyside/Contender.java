package io.stockroom.bench.sidebyside;

/**
 * One system under test, behind the few operations the runner needs, so every system gets the
 * same workload, the same clients and the same clock. Life cycle: {@link #setup} once (start the
 * server if it is one, create the store with the workload's stock), then {@link #session} once
 * per client, then, after every client has stopped, {@link #storeState} for the correctness
 * check, then {@link #close} (stop and delete everything it started).
 */
interface Contender extends AutoCloseable {

  /** For the table, e.g. {@code Redis 7.0, appendfsync always, pipeline 32}. */
  String name();

  /** Requests one client keeps in flight: 1 means it waits for each answer before the next. */
  int pipelineDepth();

  void setup(Workload workload) throws Exception;

  /** A client's own connection (or handle); used by one thread only. */
  Session session(int client) throws Exception;

  /** What the store holds now, read from the store itself. */
  StoreState storeState() throws Exception;

  /** Called as the measured window opens and closes, from the runner's own thread. */
  default void windowOpened() {}

  default void windowClosed() {}

  /**
   * CPU time the system's own server side spent in the measured window, in nanoseconds, or -1
   * when this contender cannot tell. Unlike throughput it barely depends on what else the
   * machine runs, so it compares runs taken under different load.
   */
  default long windowCpuNanos() {
    return -1;
  }

  @Override
  void close() throws Exception;

  /** One client's connection to the store. */
  interface Session extends AutoCloseable {
    /**
     * Reserves {@link Workload#QUANTITY} of {@code skus[i]} under hold id {@code holdIds[i]} for
     * each {@code i < count}, all in flight at once (at most {@link #pipelineDepth()}), and
     * returns when every answer is known and durable; {@code accepted[i]} says which succeeded
     * (false: not enough stock). Anything else (a lost connection, a refused write) is thrown.
     */
    void reserve(String[] holdIds, int[] skus, int count, boolean[] accepted) throws Exception;

    @Override
    default void close() throws Exception {}
  }
}
