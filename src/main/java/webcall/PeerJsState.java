package webcall;

import webcall.peerjs.InMemoryOfflineQueue;
import webcall.peerjs.InMemoryPeerRegistry;
import webcall.peerjs.OfflineQueue;
import webcall.peerjs.PeerJsMetrics;
import webcall.peerjs.PeerJsOptions;
import webcall.peerjs.PeerRegistry;
import webcall.peerjs.Realm;
import webcall.peerjs.Relay;

/**
 * Where the PeerJS server keeps its state, chosen once for both commands: today in this process
 * only. A shared store (ids on every node, queues, forwarding to the node that holds an id) would
 * be chosen here.
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
}
