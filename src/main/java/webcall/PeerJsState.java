package webcall;

import java.time.Duration;
import webcall.cluster.NodeBus;
import webcall.cluster.NodeLease;
import webcall.cluster.RedisOfflineQueue;
import webcall.cluster.RedisPeerRegistry;
import webcall.cluster.RedisStore;
import webcall.peerjs.InMemoryOfflineQueue;
import webcall.peerjs.InMemoryPeerRegistry;
import webcall.peerjs.OfflineQueue;
import webcall.peerjs.PeerJsMetrics;
import webcall.peerjs.PeerJsOptions;
import webcall.peerjs.PeerRegistry;
import webcall.peerjs.Realm;
import webcall.peerjs.Relay;

/**
 * Where the PeerJS server keeps its state, chosen once for both commands: in this process only, or,
 * with --redis-url, in Redis shared by the nodes of a cluster.
 */
public final class PeerJsState {
  private PeerJsState() {}

  /** One node's ids, queues and relay, all in memory, on the monotonic clock. */
  public static Realm inMemory(PeerJsOptions options, PeerJsMetrics metrics) {
    PeerRegistry registry = new InMemoryPeerRegistry(options.concurrentLimit());
    OfflineQueue queue = new InMemoryOfflineQueue(options, Realm.MONOTONIC_MILLIS);
    Relay relay = new Relay(registry, queue, Relay.Forwarder.NONE, metrics);
    return new Realm(options, metrics, registry, queue, relay, Realm.MONOTONIC_MILLIS);
  }

  /**
   * One node of a cluster: ids claimed and queues kept in Redis, this node's sockets in memory,
   * messages for other nodes' sockets over pub/sub, a lease renewed while the node lives. Closing
   * the store ends the lease (the ids are free at once) and the bus.
   */
  public static Realm clustered(
      PeerJsOptions options, PeerJsMetrics metrics, RedisStore store, Duration lease) {
    RedisPeerRegistry registry =
        new RedisPeerRegistry(
            new InMemoryPeerRegistry(options.concurrentLimit()), options.concurrentLimit(), store);
    // Queues age by the wall clock: every node sweeps them, and nodes share no monotonic clock.
    RedisOfflineQueue queue = new RedisOfflineQueue(store, options, System::currentTimeMillis);
    NodeBus bus = new NodeBus(store, registry);
    registry.kickVia(bus::kick);
    queue.drainVia(bus::drain);
    Relay relay = new Relay(registry, queue, bus, metrics);
    Realm realm = new Realm(options, metrics, registry, queue, relay, Realm.MONOTONIC_MILLIS);
    bus.start(realm);
    NodeLease nodeLease = new NodeLease(store, registry, lease);
    nodeLease.start();
    store.closeFirst(bus);
    store.closeFirst(nodeLease); // first: the lease ends while the bus still runs
    return realm;
  }
}
