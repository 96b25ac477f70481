package webcall.peerjs;

import java.util.Collection;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.logging.LogText;

/**
 * One PeerJS server's state as its sockets and sweeps use it: the {@link PeerRegistry} of ids, the
 * {@link OfflineQueue} and the {@link Relay} between them, on one clock. The parts own all the
 * concurrency; callers never lock. The wiring chooses the parts (today, in memory).
 */
public final class Realm {
  private static final Logger log = LoggerFactory.getLogger(Realm.class);

  /** System.nanoTime in milliseconds: the clock outside tests. */
  public static final LongSupplier MONOTONIC_MILLIS = () -> System.nanoTime() / 1_000_000L;

  private final PeerJsOptions options;
  private final PeerJsMetrics metrics;
  private final PeerRegistry registry;
  private final OfflineQueue queue;
  private final Relay relay;
  private final LongSupplier millisClock;

  /**
   * @param millisClock a monotonic clock in milliseconds, by which clients fall silent (tests pass
   *     their own, and call the sweeps themselves); the queue's clock should be the same
   */
  public Realm(
      PeerJsOptions options,
      PeerJsMetrics metrics,
      PeerRegistry registry,
      OfflineQueue queue,
      Relay relay,
      LongSupplier millisClock) {
    this.options = options;
    this.metrics = metrics;
    this.registry = registry;
    this.queue = queue;
    this.relay = relay;
    this.millisClock = millisClock;
    metrics.watch(this);
  }

  PeerJsMetrics metrics() {
    return metrics;
  }

  public PeerJsOptions options() {
    return options;
  }

  /** The realm's clock, in milliseconds: what {@link #dropSilentClients} compares with. */
  public long now() {
    return millisClock.getAsLong();
  }

  /**
   * Registers {@code id} for {@code link}, or says why not. The caller has validated id and token
   * already.
   */
  public PeerRegistry.Registration register(String id, String token, PeerLink link) {
    return registry.register(id, token, link, now());
  }

  /** See {@link PeerRegistry#unregister}. */
  public boolean unregister(PeerClient client, PeerLink link) {
    return registry.unregister(client, link);
  }

  /** The client of {@code id} on this node, or null. */
  public PeerClient get(String id) {
    return registry.get(id);
  }

  public int size() {
    return registry.size();
  }

  public Collection<String> ids() {
    return registry.ids();
  }

  /** This node's clients (see {@link PeerRegistry#localClients}). */
  public Collection<PeerClient> localClients() {
    return registry.localClients();
  }

  /** See {@link Relay#transmit}. */
  public void transmit(String src, String dst, byte[] json) {
    relay.transmit(src, dst, json);
  }

  /** See {@link Relay#transmitUnqueued}. */
  public boolean transmitUnqueued(String src, String dst, byte[] json) {
    return relay.transmitUnqueued(src, dst, json);
  }

  /** Sends everything queued for this client, in order, and forgets it. */
  public void deliverQueued(PeerClient client) {
    relay.deliverQueued(client);
  }

  /** See {@link Relay#expireQueues}. */
  public void expireQueues() {
    relay.expireQueues();
  }

  /** Closes and forgets clients that sent no HEARTBEAT within alive_timeout. */
  public void dropSilentClients(long now) {
    long timeout = options.aliveTimeout().toMillis();
    for (PeerClient c : registry.localClients()) {
      if (now - c.lastPing() < timeout) {
        continue;
      }
      PeerLink link = c.link();
      if (registry.unregister(c, link)) {
        queue.drop(c.id());
        log.info("event=peer-timeout peer={}", LogText.escape(c.id()));
        link.close(Rejection.ALIVE_TIMEOUT);
      }
    }
  }

  /** Messages waiting in all queues; for tests and metrics. */
  public int queuedMessages() {
    return queue.messages();
  }

  /** Senders with messages waiting; for tests that check nothing is kept. */
  public int queuedSenders() {
    return queue.senders();
  }
}
