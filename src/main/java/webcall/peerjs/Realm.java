package webcall.peerjs;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.logging.LogText;

/**
 * The registry of connected PeerJS ids and of the messages waiting for ids that have not connected
 * yet. It owns all the concurrency: register, take over and unregister one id happen atomically
 * here, and callers never lock.
 */
public final class Realm {
  private static final Logger log = LoggerFactory.getLogger(Realm.class);

  /** What became of a registration attempt. */
  public enum Outcome {
    /** A new id: send OPEN, then the queue. */
    OPENED,
    /** The same id and token from a new socket: the old socket is closed, OPEN is sent again. */
    TAKEN_OVER,
    /** The id is held with another token. */
    ID_TAKEN,
    /** The server holds concurrent_limit ids already. */
    LIMIT_REACHED
  }

  public record Registration(Outcome outcome, PeerClient client, Channel replaced) {}

  private record Queued(String src, byte[] json) {}

  private static final class Queue {
    final long createdAt;
    final List<Queued> items = new ArrayList<>(2);
    int bytes;

    Queue(long createdAt) {
      this.createdAt = createdAt;
    }
  }

  private final PeerJsOptions options;
  private final PeerJsMetrics metrics;
  private final LongSupplier millisClock;
  private final Map<String, PeerClient> clients = new ConcurrentHashMap<>();
  private final AtomicInteger registered = new AtomicInteger();
  private final Map<String, Queue> queues = new ConcurrentHashMap<>();
  private final Map<String, Integer> queuedBySender = new ConcurrentHashMap<>();
  private final AtomicInteger queuedTotal = new AtomicInteger();
  private final AtomicLong queuedBytes = new AtomicLong();

  public Realm(PeerJsOptions options, PeerJsMetrics metrics) {
    this(options, metrics, () -> System.nanoTime() / 1_000_000L);
  }

  /**
   * @param millisClock a monotonic clock in milliseconds, by which queues expire and clients fall
   *     silent (tests pass their own, and call the sweeps themselves)
   */
  public Realm(PeerJsOptions options, PeerJsMetrics metrics, LongSupplier millisClock) {
    this.options = options;
    this.metrics = metrics;
    this.millisClock = millisClock;
    metrics.watch(this);
  }

  PeerJsMetrics metrics() {
    return metrics;
  }

  public PeerJsOptions options() {
    return options;
  }

  /**
   * The realm's clock, in milliseconds: what {@link #expireQueues} and {@link #dropSilentClients}
   * compare with.
   */
  public long now() {
    return millisClock.getAsLong();
  }

  /**
   * Registers {@code id} for {@code socket}, or says why not. The caller has validated id and token
   * already.
   */
  public Registration register(String id, String token, Channel socket) {
    Registration[] result = new Registration[1];
    clients.compute(
        id,
        (k, existing) -> {
          if (existing != null) {
            if (!existing.tokenMatches(token)) {
              result[0] = new Registration(Outcome.ID_TAKEN, existing, null);
              return existing;
            }
            Channel old = existing.socket();
            existing.attach(socket);
            // The new socket gets OPEN like a fresh one, so it gets a fresh alive_timeout too.
            existing.heartbeat(now());
            result[0] = new Registration(Outcome.TAKEN_OVER, existing, old);
            return existing;
          }
          if (registered.incrementAndGet() > options.concurrentLimit()) {
            registered.decrementAndGet();
            result[0] = new Registration(Outcome.LIMIT_REACHED, null, null);
            return null;
          }
          PeerClient client = new PeerClient(k, token, socket, now());
          result[0] = new Registration(Outcome.OPENED, client, null);
          return client;
        });
    return result[0];
  }

  /**
   * Removes the registration if {@code socket} still speaks for it. A socket that was taken over,
   * or an id that was freed and taken again, is left alone (the reference server removes by id and
   * so drops the new holder).
   */
  public boolean unregister(PeerClient client, Channel socket) {
    boolean[] removed = new boolean[1];
    clients.computeIfPresent(
        client.id(),
        (k, current) -> {
          if (current == client && current.socket() == socket) {
            removed[0] = true;
            registered.decrementAndGet();
            return null;
          }
          return current;
        });
    return removed[0];
  }

  public PeerClient get(String id) {
    return id == null ? null : clients.get(id);
  }

  public int size() {
    return registered.get();
  }

  public Collection<String> ids() {
    return new ArrayList<>(clients.keySet());
  }

  /** Sends a message to {@code dst} if it is here, or queues it for a while if it is not. */
  public void transmit(String src, String dst, byte[] json) {
    PeerClient target = clients.get(dst);
    if (target != null) {
      target.send(json);
      return;
    }
    if (!enqueue(src, dst, json)) {
      metrics.expiredQueueFull();
      sendExpire(src, dst);
      return;
    }
    metrics.queued();
    // The destination may have registered between the lookup and the enqueue: deliver now rather
    // than expire.
    PeerClient late = clients.get(dst);
    if (late != null) {
      deliverQueued(late);
    }
  }

  private boolean enqueue(String src, String dst, byte[] json) {
    PeerJsOptions.Limits limits = options.limits();
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
          Queue queue = q != null ? q : new Queue(now());
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

  /** Sends everything queued for this client, in order, and forgets it. */
  public void deliverQueued(PeerClient client) {
    Queue q = queues.remove(client.id());
    if (q == null) {
      return;
    }
    forget(q);
    for (Queued m : q.items) {
      client.send(m.json());
    }
  }

  private void forget(Queue q) {
    queuedTotal.addAndGet(-q.items.size());
    queuedBytes.addAndGet(-q.bytes);
    for (Queued m : q.items) {
      queuedBySender.computeIfPresent(m.src(), (k, n) -> n <= 1 ? null : n - 1);
    }
  }

  /**
   * Expires queues older than expire_timeout: each sender learns once that the destination never
   * came.
   */
  public void expireQueues(long now) {
    long timeout = options.expireTimeout().toMillis();
    for (Map.Entry<String, Queue> e : queues.entrySet()) {
      Queue q = e.getValue();
      if (now - q.createdAt < timeout || !queues.remove(e.getKey(), q)) {
        continue;
      }
      forget(q);
      metrics.expiredWaiting(q.items.size());
      Set<String> senders = new LinkedHashSet<>();
      for (Queued m : q.items) {
        senders.add(m.src());
      }
      for (String src : senders) {
        sendExpire(src, e.getKey());
      }
    }
  }

  private void sendExpire(String src, String unreachable) {
    PeerClient sender = clients.get(src);
    if (sender != null) {
      sender.send(
          "{\"type\":\"EXPIRE\",\"src\":" + quote(unreachable) + ",\"dst\":" + quote(src) + "}");
    }
  }

  /** Closes and forgets clients that sent no HEARTBEAT within alive_timeout. */
  public void dropSilentClients(long now) {
    long timeout = options.aliveTimeout().toMillis();
    for (PeerClient c : clients.values()) {
      if (now - c.lastPing() < timeout) {
        continue;
      }
      Channel socket = c.socket();
      if (unregister(c, socket)) {
        Queue q = queues.remove(c.id());
        if (q != null) {
          forget(q);
        }
        log.info("event=peer-timeout peer={}", LogText.escape(c.id()));
        if (socket != null) {
          PeerClient.close(socket, Rejection.ALIVE_TIMEOUT);
        }
      }
    }
  }

  /** Messages waiting in all queues; for tests and metrics. */
  public int queuedMessages() {
    return queuedTotal.get();
  }

  /** Senders with messages waiting; for tests that check nothing is kept. */
  public int queuedSenders() {
    return queuedBySender.size();
  }

  static String quote(String s) {
    return "\"" + new String(JsonStringEncoder.getInstance().quoteAsString(s)) + "\"";
  }
}
