package webcall.peerjs;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** The {@link OfflineQueue} of a single node, in its heap. */
public final class InMemoryOfflineQueue implements OfflineQueue {
  private record Queued(String src, byte[] json) {}

  private static final class Queue {
    final long createdAt;
    final List<Queued> items = new ArrayList<>(2);
    int bytes;

    Queue(long createdAt) {
      this.createdAt = createdAt;
    }
  }

  private final PeerJsOptions.Limits limits;
  private final long expireTimeoutMillis;
  private final LongSupplier millisClock;
  private final Map<String, Queue> queues = new ConcurrentHashMap<>();
  private final Map<String, Integer> queuedBySender = new ConcurrentHashMap<>();
  private final AtomicInteger queuedTotal = new AtomicInteger();
  private final AtomicLong queuedBytes = new AtomicLong();

  /**
   * @param millisClock a monotonic clock in milliseconds, by which queues age (tests pass their
   *     own)
   */
  public InMemoryOfflineQueue(PeerJsOptions options, LongSupplier millisClock) {
    this.limits = options.limits();
    this.expireTimeoutMillis = options.expireTimeout().toMillis();
    this.millisClock = millisClock;
  }

  @Override
  public boolean offer(String src, String dst, byte[] json) {
    int size = json.length;
    boolean[] accepted = new boolean[1];
    queues.compute(
        dst,
        (k, q) -> {
          if (q != null
              && (q.items.size() >= limits.queuePerDestination()
                  || q.bytes + size > limits.queueBytesPerDestination())) {
            return q;
          }
          if (q == null && size > limits.queueBytesPerDestination()) {
            return null;
          }
          if (queuedTotal.get() >= limits.queueTotal()
              || queuedBytes.get() + size > limits.queueTotalBytes()) {
            return q;
          }
          Integer mine = queuedBySender.get(src);
          if (mine != null && mine >= limits.queuePerSender()) {
            return q;
          }
          Queue queue = q != null ? q : new Queue(millisClock.getAsLong());
          queue.items.add(new Queued(src, json));
          queue.bytes += size;
          queuedTotal.incrementAndGet();
          queuedBytes.addAndGet(size);
          queuedBySender.merge(src, 1, Integer::sum);
          accepted[0] = true;
          return queue;
        });
    return accepted[0];
  }

  @Override
  public List<byte[]> take(String dst) {
    Queue q = queues.remove(dst);
    if (q == null) {
      return List.of();
    }
    forget(q);
    List<byte[]> out = new ArrayList<>(q.items.size());
    for (Queued m : q.items) {
      out.add(m.json());
    }
    return out;
  }

  @Override
  public void drop(String dst) {
    Queue q = queues.remove(dst);
    if (q != null) {
      forget(q);
    }
  }

  private void forget(Queue q) {
    queuedTotal.addAndGet(-q.items.size());
    queuedBytes.addAndGet(-q.bytes);
    for (Queued m : q.items) {
      queuedBySender.computeIfPresent(m.src(), (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  @Override
  public void expire(Expiry expiry) {
    long now = millisClock.getAsLong();
    for (Map.Entry<String, Queue> e : queues.entrySet()) {
      Queue q = e.getValue();
      if (now - q.createdAt < expireTimeoutMillis || !queues.remove(e.getKey(), q)) {
        continue;
      }
      forget(q);
      Set<String> senders = new LinkedHashSet<>();
      for (Queued m : q.items) {
        senders.add(m.src());
      }
      expiry.expired(e.getKey(), senders, q.items.size());
    }
  }

  @Override
  public int messages() {
    return queuedTotal.get();
  }

  @Override
  public int senders() {
    return queuedBySender.size();
  }
}
