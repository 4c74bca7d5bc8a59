package io.stockroom.server.stream;

import io.stockroom.engine.Event;
import io.stockroom.engine.EventCodec;
import io.stockroom.journal.Journal;
import io.stockroom.journal.JournalReader;
import io.stockroom.server.http.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's feed. The sequencer's syncer thread only ever calls {@link #offer} (and {@link #cut} through
 * the hub): append a shared batch to a lock-free queue, add to a counter, unpark. Everything
 * else, filtering, rendering, the journal replay and the socket writes, runs on the subscriber's
 * own (virtual) thread in {@link #serve}.
 *
 * <p>No gap, no duplicate: the hub registers the subscriber for live batches before
 * {@link #serve} opens its journal reader. Any batch the live queue missed was durable before
 * the registration, hence before the reader was created, hence inside the reader's range; any
 * batch inside that range that the queue did get is skipped by sequence.
 */
final class Subscriber {

  private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);

  private static final int RUNNING = 0;
  /** The writer found the queue full: send resync, end. */
  private static final int CUT = 1;
  /** The hub is closing: send resync, end. */
  private static final int STOPPING = 2;
  /** The client went away (WebSocket close): end quietly. */
  private static final int GONE = 3;

  final Transport transport;
  private final StreamHub hub;
  private final StreamFilter filter;
  private final int bufferEventsMax;
  /** Batches waiting for this subscriber: lock-free so the writer never waits on a consumer. */
  private final ConcurrentLinkedQueue<Batch> queue = new ConcurrentLinkedQueue<>();
  /** Events in {@link #queue}; only the writer adds, only the subscriber subtracts. */
  private final AtomicInteger queuedEvents = new AtomicInteger();
  private final AtomicInteger state = new AtomicInteger(RUNNING);
  private final CountDownLatch done = new CountDownLatch(1);
  /** Guards {@link #thread} so an abort never interrupts a thread that has moved on. */
  private final Object threadLock = new Object();

  private volatile Thread thread;
  private volatile long cutAtNanos;
  private boolean aborted;
  /** Last sequence this client has been brought past (sent, or skipped by its filter). */
  private long position;
  /** Live events at or below this were replayed from the journal already. */
  private long replayedThrough;

  Subscriber(StreamHub hub, Transport transport, StreamFilter filter, int bufferEventsMax) {
    this.hub = hub;
    this.transport = transport;
    this.filter = filter;
    this.bufferEventsMax = bufferEventsMax;
  }

  // ---------------------------------------------------------------------------------------------
  // Writer thread: quick, never blocks

  /**
   * Queues a durable batch; false when it does not fit (the caller cuts the subscriber). A batch
   * always fits an empty buffer, so a batch bigger than the buffer cannot cut everyone.
   */
  boolean offer(Batch batch) {
    int queued = queuedEvents.get();
    if (queued > 0 && queued + batch.size() > bufferEventsMax) {
      return false;
    }
    queuedEvents.addAndGet(batch.size());
    queue.offer(batch);
    wake();
    return true;
  }

  /** True the first time: the subscriber is now owed a resync and will end. */
  boolean cut() {
    if (!state.compareAndSet(RUNNING, CUT)) {
      return false;
    }
    cutAtNanos = System.nanoTime();
    wake();
    return true;
  }

  private void wake() {
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Any thread

  void stop() {
    if (state.compareAndSet(RUNNING, STOPPING)) {
      cutAtNanos = System.nanoTime();
    }
    wake();
  }

  void gone() {
    state.compareAndSet(RUNNING, GONE);
    wake();
  }

  /** Cut or stopping for longer than {@code graceNanos}: its thread must be stuck writing. */
  boolean overdue(long nowNanos, long graceNanos) {
    int s = state.get();
    return (s == CUT || s == STOPPING) && nowNanos - cutAtNanos > graceNanos;
  }

  /**
   * Unblocks a thread stuck writing to a client that does not read. Helidon writes through a
   * SocketChannel, an InterruptibleChannel: interrupting the thread blocked in its write closes
   * the channel (ClosedByInterruptException), which is what we want.
   */
  void abort() {
    synchronized (threadLock) {
      if (thread != null) {
        LOG.debug("aborting {} subscriber stuck writing at sequence {}", transport.tag,
            position);
        thread.interrupt();
      }
    }
  }

  /** Ends a subscriber that never got to {@link #serve} (its request was refused late). */
  void abandon() {
    hub.finished(this);
    done.countDown();
  }

  boolean awaitDone(long nanos) throws InterruptedException {
    return done.await(nanos, TimeUnit.NANOSECONDS);
  }

  // ---------------------------------------------------------------------------------------------
  // The subscriber's own thread

  /**
   * Sends every event after {@code after} that passes the filter, first from the journal, then
   * live, until the client goes, the writer cuts it off, or the hub closes. Releases the
   * subscriber's slot whatever happens.
   *
   * @return false when the stream was aborted (its socket closed under it): the caller must drop
   *     the connection rather than end the response
   */
  boolean serve(Channel channel, long after) {
    synchronized (threadLock) {
      thread = Thread.currentThread();
    }
    position = after;
    try {
      channel.start();
      Resync resync = replay(channel, after);
      if (resync == null) {
        resync = live(channel);
      }
      if (resync != null) {
        channel.resync(resync);
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.debug("{} subscriber gone at sequence {}: {}", transport.tag, position, e.toString());
    } catch (RuntimeException e) {
      LOG.warn("{} subscriber failed at sequence {}", transport.tag, position, e);
    } finally {
      synchronized (threadLock) {
        thread = null;
        // Cleared: for SSE this is Helidon's connection thread, which must not stay interrupted.
        aborted = Thread.interrupted();
      }
      if (!aborted) {
        try {
          channel.end();
        } catch (RuntimeException e) {
          LOG.debug("ending a {} stream failed", transport.tag, e);
        }
      }
      hub.finished(this);
      done.countDown();
    }
    return !aborted;
  }

  /** The durable events after {@code after} up to now; a resync when they cannot be read. */
  private Resync replay(Channel channel, long after) throws IOException {
    Journal journal = hub.journal();
    if (after >= journal.lastSequence()) {
      // Nothing durable to catch up on: every later batch became durable after this
      // subscriber was registered (this read comes after the registration), so the live queue
      // has it. Live-only subscribers always take this path and never open a reader.
      replayedThrough = after;
      return null;
    }
    long first = journal.firstSequence();
    if (after + 1 < first) {
      return Resync.retired(after, first);
    }
    if (!awaitReplaySlot(channel)) {
      return ending();
    }
    try {
      return replayFromJournal(channel, journal, after);
    } finally {
      hub.replays().release();
    }
  }

  /**
   * A reader holds a read buffer (journal readBufferBytes, 1 MiB by default), so only a few
   * replays run at once; the others wait here, with heartbeats, their live queues filling.
   */
  private boolean awaitReplaySlot(Channel channel) throws IOException {
    Semaphore replays = hub.replays();
    try {
      // Bounded by the stream's life: each pass waits one heartbeat interval, or ends.
      while (!replays.tryAcquire(hub.heartbeatNanos(), TimeUnit.NANOSECONDS)) {
        if (state.get() != RUNNING) {
          return false;
        }
        channel.heartbeat();
      }
      return true;
    } catch (InterruptedException e) { // aborted by the watchdog or close()
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while waiting to replay", e);
    }
  }

  private Resync replayFromJournal(Channel channel, Journal journal, long after)
      throws IOException {
    JournalReader reader;
    try {
      reader = journal.read(after + 1);
    } catch (IllegalArgumentException e) { // retired by a snapshot since the check
      return Resync.retired(after, journal.firstSequence());
    }
    int sent = 0;
    try {
      // Bounded: the reader stops at the durable sequence of its creation.
      while (true) {
        byte[] payload;
        try {
          if (!reader.next()) {
            break;
          }
          payload = reader.payload();
        } catch (IOException e) { // e.g. a segment retired under the reader: let it come back
          LOG.warn("{} subscriber replay failed after sequence {}", transport.tag, position, e);
          return Resync.replayFailed(position, e.getMessage());
        }
        if (state.get() != RUNNING) {
          return ending();
        }
        sent += deliver(channel, EventCodec.decode(payload), null, 0);
      }
      replayedThrough = reader.toSequence();
    } finally {
      hub.sent(transport, sent);
      closeQuietly(reader);
    }
    position = Math.max(position, replayedThrough);
    channel.flush();
    return null;
  }

  private Resync live(Channel channel) throws IOException {
    long heartbeatNanos = hub.heartbeatNanos();
    long lastWrite = System.nanoTime();
    boolean unflushed = false;
    // Bounded by the connection's life: every pass sends, flushes, waits or ends.
    while (true) {
      if (state.get() != RUNNING) {
        return ending();
      }
      Batch batch = queue.poll();
      if (batch != null) {
        queuedEvents.addAndGet(-batch.size());
        int sent = 0;
        for (int i = 0; i < batch.size(); i++) {
          sent += deliver(channel, batch.event(i), batch, i);
        }
        if (sent > 0) {
          hub.sent(transport, sent);
          unflushed = true;
        }
        continue;
      }
      long now = System.nanoTime();
      if (unflushed) { // flush once the queue is drained: one write per burst, not per event
        channel.flush();
        unflushed = false;
        lastWrite = now;
      }
      long idle = now - lastWrite;
      if (idle >= heartbeatNanos) {
        channel.heartbeat();
        lastWrite = System.nanoTime();
        continue;
      }
      if (Thread.currentThread().isInterrupted()) { // aborted: park would return at once
        throw new IOException("interrupted");
      }
      LockSupport.parkNanos(this, heartbeatNanos - idle);
    }
  }

  /** Sends one event if it is new to this client and passes the filter; 1 if sent. */
  private int deliver(Channel channel, Event event, Batch batch, int index) throws IOException {
    long sequence = event.sequence();
    if (sequence <= replayedThrough && batch != null) {
      return 0;
    }
    position = sequence;
    if (!filter.matches(event, hub.view())) {
      return 0;
    }
    byte[] json = batch != null ? batch.json(index) : Wire.json(event);
    channel.event(sequence, EventJson.type(event), json);
    return 1;
  }

  private Resync ending() {
    return switch (state.get()) {
      case CUT -> Resync.tooSlow(position);
      case STOPPING -> Resync.stopping(position);
      default -> null; // gone: nobody to tell
    };
  }

  private static void closeQuietly(JournalReader reader) {
    try {
      reader.close();
    } catch (IOException e) {
      LOG.debug("closing a journal reader failed", e);
    }
  }
}
