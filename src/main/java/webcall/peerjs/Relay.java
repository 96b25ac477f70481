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
        (node, src, dst, json, queueIfGone) -> {
          throw new IllegalStateException("no other node to forward to: " + node);
        };

    /**
     * Hands {@code json} to {@code node}, as {@link PeerRegistry#remoteNode} named it, for that
     * node to send to {@code dst}'s socket; what became of it is that node's concern (if {@code
     * dst} has left it meanwhile: its relay again, and the offline queue if {@code queueIfGone}).
     */
    void forward(String node, String src, String dst, byte[] json, boolean queueIfGone);
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
      forwarder.forward(node.get(), src, dst, json, true);
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
    node.ifPresent(n -> forwarder.forward(n, src, dst, json, false));
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

  /**
   * Tells {@code src}, on this node or the one that holds it, that {@code unreachable} never came.
   */
  private void sendExpire(String src, String unreachable) {
    byte[] frame = expireFrame(src, unreachable);
    PeerClient sender = registry.get(src);
    if (sender != null) {
      sender.send(frame);
      return;
    }
    registry.remoteNode(src).ifPresent(n -> forwarder.forward(n, unreachable, src, frame, false));
  }

  /**
   * {"type":"EXPIRE","src":unreachable,"dst":to}: what a sender gets for a message that is lost.
   */
  public static byte[] expireFrame(String to, String unreachable) {
    return ("{\"type\":\"EXPIRE\",\"src\":" + quote(unreachable) + ",\"dst\":" + quote(to) + "}")
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }
}
