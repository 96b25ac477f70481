package webcall.peerjs;

import java.util.List;
import java.util.Set;

/**
 * Messages waiting for PeerJS ids that have not connected yet, in order per destination, bounded
 * per destination, per sender and in total (count and bytes), each destination's queue expiring
 * expire_timeout after its first message by the clock it was given. Atomic per call: callers never
 * lock.
 */
public interface OfflineQueue {

  /** Told once per expired queue: the destination, each sender once, and the messages lost. */
  interface Expiry {
    void expired(String dst, Set<String> senders, int messages);
  }

  /**
   * Queues a message for {@code dst}, unless a cap refuses it (then nothing is kept, and the caller
   * tells the sender).
   *
   * @return whether it was queued
   */
  boolean offer(String src, String dst, byte[] json);

  /** Removes and returns the messages waiting for {@code dst}, oldest first; empty if none. */
  List<byte[]> take(String dst);

  /** Drops what waits for {@code dst}, telling no one. */
  void drop(String dst);

  /** Removes every queue that is expire_timeout old or older, and tells {@code expiry} of each. */
  void expire(Expiry expiry);

  /** Messages waiting, for all destinations. */
  int messages();

  /** Senders with messages waiting. */
  int senders();
}
