package webcall.cluster;

import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.logging.LogText;
import webcall.peerjs.PeerClient;
import webcall.peerjs.Realm;
import webcall.peerjs.Relay;

/**
 * What nodes send each other, over Redis pub/sub, one channel per node ({@link Keys#channel}): a
 * relayed message for a socket on that node, "your socket of this id was taken over", "a message
 * was queued for an id you hold". A message whose destination is not on the receiving node (it
 * moved, or left) goes through that node's relay again, at most {@link #MAX_HOPS} times, then into
 * the offline queue or back to its sender as EXPIRE: never dropped without a word.
 *
 * <p>Envelope: kind (1 byte), hops (1 byte), src "\n" dst "\n" payload. src and dst are PeerJS ids
 * (no newline in them).
 */
public final class NodeBus implements Relay.Forwarder, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeBus.class);

  static final int MAX_HOPS = 3;

  private static final byte RELAY = 'R';
  private static final byte RELAY_UNQUEUED = 'L';
  private static final byte KICK = 'K';
  private static final byte DRAIN = 'D';

  /** Hops of the message being re-relayed on this thread, for the envelope of its next forward. */
  private static final ThreadLocal<Integer> HOPS = new ThreadLocal<>();

  private final RedisStore store;
  private final RedisPeerRegistry registry;
  private final String me;

  /**
   * Work that may wait for Redis (re-routing, kicks, drains), off Lettuce's I/O threads: a blocking
   * call there could wait for an answer that the same thread has to read.
   */
  private final ExecutorService work =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "cluster-bus");
            t.setDaemon(true);
            return t;
          });

  private volatile Realm realm;

  public NodeBus(RedisStore store, RedisPeerRegistry registry) {
    this.store = store;
    this.registry = registry;
    this.me = store.node().value();
  }

  /** Starts listening on this node's channel, delivering to {@code realm}'s sockets. */
  public void start(Realm realm) {
    this.realm = realm;
    store
        .pubsub()
        .addListener(
            new RedisPubSubAdapter<>() {
              @Override
              public void message(String channel, byte[] message) {
                try {
                  received(message);
                } catch (RuntimeException e) {
                  log.warn("event=cluster-message-failed error={}", e.toString());
                }
              }
            });
    // Lettuce subscribes again by itself after a reconnect.
    store.pubsub().sync().subscribe(store.key(Keys.channel(me)));
  }

  @Override
  public void forward(String node, String src, String dst, byte[] json, boolean queueIfGone) {
    Integer hops = HOPS.get();
    send(node, queueIfGone ? RELAY : RELAY_UNQUEUED, hops == null ? 0 : hops, src, dst, json);
  }

  /** Tells {@code node} that its socket for {@code id} was taken over on this node. */
  public void kick(String node, String id) {
    send(node, KICK, 0, "", id, new byte[0]);
  }

  /** Tells {@code node} that something was queued for {@code id}, which it holds. */
  public void drain(String node, String id) {
    send(node, DRAIN, 0, "", id, new byte[0]);
  }

  private void send(String node, byte kind, int hops, String src, String dst, byte[] payload) {
    byte[] head = (src + "\n" + dst + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] env = new byte[2 + head.length + payload.length];
    env[0] = kind;
    env[1] = (byte) hops;
    System.arraycopy(head, 0, env, 2, head.length);
    System.arraycopy(payload, 0, env, 2 + head.length, payload.length);
    if (!store.isUp()) {
      lost(kind, hops, src, dst, payload);
      return;
    }
    // Pipelined, not awaited: the sender's event loop goes on at once.
    store
        .async()
        .publish(store.key(Keys.channel(node)), env)
        .whenComplete(
            (receivers, error) -> {
              if (error != null || receivers == null || receivers == 0) {
                // Nobody listens on that channel: the node is gone (its lease not yet over).
                work.execute(() -> lost(kind, hops, src, dst, payload));
              }
            });
  }

  /** A message that reached no node: routed again from here, or its sender told. */
  private void lost(byte kind, int hops, String src, String dst, byte[] payload) {
    if (kind == RELAY || kind == RELAY_UNQUEUED) {
      registry.forgetRoute(dst);
      reroute(kind, hops + 1, src, dst, payload);
    }
  }

  private void received(byte[] env) {
    byte kind = env[0];
    int hops = env[1];
    int a = indexOf(env, 2);
    int b = indexOf(env, a + 1);
    String src = new String(env, 2, a - 2, StandardCharsets.UTF_8);
    String dst = new String(env, a + 1, b - a - 1, StandardCharsets.UTF_8);
    Realm r = realm;
    if (kind == RELAY || kind == RELAY_UNQUEUED) {
      byte[] json = Arrays.copyOfRange(env, b + 1, env.length);
      PeerClient target = r.get(dst);
      if (target != null) {
        target.send(json); // the common case: no Redis, no hop to another thread
        return;
      }
      work.execute(() -> reroute(kind, hops + 1, src, dst, json));
    } else if (kind == KICK) {
      work.execute(() -> kicked(dst));
    } else if (kind == DRAIN) {
      work.execute(
          () -> {
            PeerClient c = r.get(dst);
            if (c != null) {
              r.deliverQueued(c);
            }
          });
    }
  }

  private static int indexOf(byte[] b, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    throw new IllegalArgumentException("broken envelope");
  }

  /** The destination was not where the sender thought: this node's relay decides again. */
  private void reroute(byte kind, int hops, String src, String dst, byte[] json) {
    Realm r = realm;
    PeerClient target = r.get(dst);
    if (target != null) {
      target.send(json);
      return;
    }
    registry.forgetRoute(dst);
    if (hops > MAX_HOPS) {
      // It keeps moving (or the cluster disagrees about where it is): the sender learns it is lost.
      log.info("event=cluster-relay-lost dst={}", LogText.escape(dst));
      if (kind == RELAY) {
        tellSender(src, dst, hops);
      }
      return;
    }
    HOPS.set(hops);
    try {
      if (kind == RELAY) {
        r.transmit(src, dst, json);
      } else {
        r.transmitUnqueued(src, dst, json);
      }
    } finally {
      HOPS.remove();
    }
  }

  private void tellSender(String src, String unreachable, int hops) {
    byte[] frame = Relay.expireFrame(src, unreachable);
    PeerClient sender = realm.get(src);
    if (sender != null) {
      sender.send(frame);
      return;
    }
    String node = registry.lookup(src);
    if (node != null && !node.equals(me)) {
      send(node, RELAY_UNQUEUED, hops, unreachable, src, frame);
    }
  }

  /**
   * Our socket for {@code id} was taken over on another node: it is closed here, unless Redis says
   * the id is this node's again (a newer socket here took it back).
   */
  private void kicked(String id) {
    PeerClient c = realm.get(id);
    if (c == null) {
      return;
    }
    String holder;
    try {
      holder = registry.holder(id);
    } catch (RuntimeException e) {
      return; // Redis down: the re-announce settles it when it is back
    }
    if (me.equals(holder)) {
      return;
    }
    var link = c.link();
    if (registry.dropLocal(c, link)) {
      log.info("event=peer-replaced-on-other-node peer={}", LogText.escape(id));
      link.closeQuietly(1000, "replaced by a newer connection");
    }
  }

  @Override
  public void close() {
    work.shutdownNow();
  }
}
