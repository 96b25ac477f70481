package webcall.peerjs;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import java.util.Optional;

/**
 * Where a relayed message goes, decided here and nowhere else: to the destination's socket when it
 * is on this node, to the node that holds it when that is another one, or into the offline queue
 * when the destination has not connected (and back to the sender as EXPIRE when the queue is full
 * or expires). The sender's socket is the caller's concern: it hands over the message with the
 * server-set {@code src}.
 */
public final class Relay {

  /** Hands a message to the node that holds its destination's socket. */
  @FunctionalInterface
  public interface Forwarder {
    /**
     * For one node alone: its registry never names another node, so this is never called; if it
     * were, the wiring would be wrong.
     */
    Forwarder NONE =
        (node, src, dst, json) -> {
          throw new IllegalStateException("no other node to forward to: " + node);
        };

    /**
     * Hands {@code json} to {@code node}, as {@link PeerRegistry#remoteNode} named it, for that
     * node to send to {@code dst}'s socket; what became of it is that node's concern.
     */
    void forward(String node, String src, String dst, byte[] json);
  }

  private final PeerRegistry registry;
  private final OfflineQueue queue;
  private final Forwarder forwarder;
  private final PeerJsMetrics metrics;

  public Relay(
      PeerRegistry registry, OfflineQueue queue, Forwarder forwarder, PeerJsMetrics metrics) {
    this.registry = registry;
    this.queue = queue;
    this.forwarder = forwarder;
    this.metrics = metrics;
  }

  /** Sends a message to {@code dst} wherever it is, or queues it for a while if it is nowhere. */
  public void transmit(String src, String dst, byte[] json) {
    PeerClient target = registry.get(dst);
    if (target != null) {
      target.send(json);
      return;
    }
    Optional<String> node = registry.remoteNode(dst);
    if (node.isPresent()) {
      forwarder.forward(node.get(), src, dst, json);
      return;
    }
    if (!queue.offer(src, dst, json)) {
      metrics.expiredQueueFull();
      sendExpire(src, dst);
      return;
    }
    metrics.queued();
    // The destination may have registered between the lookup and the enqueue: deliver now rather
    // than expire.
    PeerClient late = registry.get(dst);
    if (late != null) {
      deliverQueued(late);
    }
  }

  /**
   * Sends a message to {@code dst} if it is connected anywhere, and drops it otherwise: for LEAVE,
   * which has nothing to say to a peer that has not connected yet.
   *
   * @return whether {@code dst} was found
   */
  public boolean transmitUnqueued(String src, String dst, byte[] json) {
    PeerClient target = registry.get(dst);
    if (target != null) {
      target.send(json);
      return true;
    }
    Optional<String> node = registry.remoteNode(dst);
    node.ifPresent(n -> forwarder.forward(n, src, dst, json));
    return node.isPresent();
  }

  /** Sends everything queued for this client, in order, and forgets it. */
  public void deliverQueued(PeerClient client) {
    for (byte[] json : queue.take(client.id())) {
      client.send(json);
    }
  }

  /**
   * Expires queues older than expire_timeout: each sender learns once that the destination never
   * came.
   */
  public void expireQueues() {
    queue.expire(
        (dst, senders, messages) -> {
          metrics.expiredWaiting(messages);
          for (String src : senders) {
            sendExpire(src, dst);
          }
        });
  }

  private void sendExpire(String src, String unreachable) {
    PeerClient sender = registry.get(src);
    if (sender != null) {
      sender.send(
          "{\"type\":\"EXPIRE\",\"src\":" + quote(unreachable) + ",\"dst\":" + quote(src) + "}");
    }
  }

  private static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }
}
