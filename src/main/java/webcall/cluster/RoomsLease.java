package webcall.cluster;

import io.lettuce.core.RedisException;
import io.lettuce.core.SetArgs;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.rooms.RoomDirectory.Member;

/**
 * This node's lease on its room members, and the end of a dead node's: every second the node renews
 * {@code rooms:lease:{node}} (it expires after the lease, 10 s by default) and lists itself in
 * {@code rooms:nodes}; a node whose lease is gone died without a goodbye (SIGKILL, power), and the
 * first live node to take {@code rooms:reap:{node}} makes each connection that node listed leave
 * its room, announced as if the connection had closed here. A leave is one atomic step of the
 * directory, so however many nodes try, each member's user-disconnected goes out once.
 *
 * <p>Each tick also reads the rooms of this node's connections (one Lua call, in the epoch of this
 * Redis, {@code rooms:epoch}); when Redis comes back empty (a new epoch) the node puts its members
 * back into those rooms as they were ({@link RedisRoomDirectory#restore}), so that the rooms
 * converge without a restart and without the pages doing anything.
 *
 * <p>A node reaps only once it has itself been connected to Redis for a whole lease (after its
 * start and after each reconnect): a Redis that was down let every lease lapse, and the live nodes
 * renew theirs within a second of its return. Leaves that Redis could not take when their
 * connections closed are settled here too, once it answers again.
 */
public final class RoomsLease implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RoomsLease.class);

  public static final Duration DEFAULT = Duration.ofSeconds(10);

  private final RedisStore store;
  private final RedisRoomDirectory rooms;
  private final Consumer<String> gone;
  private final Runnable settle;
  private final Consumer<Member> rejoined;
  private final Duration lease;
  private final String me;
  private final ScheduledExecutorService timer;
  private volatile long reapFrom;

  /**
   * @param gone makes one connection leave and tells its room (RoomSignaling.connectionGone)
   * @param settle retries the leaves Redis could not take (RoomSignaling.settleLeaves)
   * @param rejoined tells a room of a member back after this node was taken for dead
   *     (RoomSignaling.announceBack)
   */
  public RoomsLease(
      RedisStore store,
      RedisRoomDirectory rooms,
      Consumer<String> gone,
      Runnable settle,
      Consumer<Member> rejoined,
      Duration lease) {
    this.store = store;
    this.rooms = rooms;
    this.gone = gone;
    this.settle = settle;
    this.rejoined = rejoined;
    this.lease = lease;
    this.me = store.node().value();
    this.reapFrom = System.nanoTime() + lease.toNanos();
    store.onReconnect(() -> reapFrom = System.nanoTime() + lease.toNanos());
    this.timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "rooms-lease");
              t.setDaemon(true);
              return t;
            });
    renew(); // the first: nothing to have lapsed
    // Every second, or every third of a shorter lease (--node-lease-seconds 1 or 2), so it never
    // lapses between two.
    long every = Math.max(100, Math.min(1000, lease.toMillis() / 3));
    timer.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Renews the lease; true when it had lapsed (this node was taken for dead, or Redis is new). */
  private boolean renew() {
    try {
      byte[] was =
          store.sync().setGet(rooms.leaseKey(me), bytes("1"), SetArgs.Builder.px(lease.toMillis()));
      store.sync().sadd(rooms.nodesKey(), bytes(me));
      return was == null;
    } catch (RedisException e) {
      log.debug("event=rooms-lease-renew-failed error={}", e.toString());
      return false;
    }
  }

  private void tick() {
    if (!store.isUp()) {
      return;
    }
    try {
      boolean lapsed = renew();
      String epoch = rooms.epoch();
      int restored = rooms.restore(epoch); // before the leaves owed, which may be among them
      if (restored > 0) {
        log.info("event=rooms-restored members={}", restored);
      } else if (lapsed) {
        // Same Redis, but this node was taken for dead: its members were made to leave and the
        // others told; they come back, announced again.
        List<Member> back = rooms.rejoinTaken();
        log.info("event=rooms-lease-lapsed members-back={}", back.size());
        back.forEach(rejoined);
      }
      settle.run();
      rooms.refresh(epoch);
      if (System.nanoTime() - reapFrom < 0) {
        return;
      }
      for (byte[] b : store.sync().smembers(rooms.nodesKey())) {
        String node = new String(b, StandardCharsets.UTF_8);
        if (!node.equals(me) && node.matches("[0-9a-f]{1,32}") && !alive(node)) {
          reap(node);
        }
      }
    } catch (RuntimeException e) { // never let the timer die
      log.warn("event=rooms-lease-failed error={}", e.toString());
    }
  }

  private boolean alive(String node) {
    return store.sync().exists(rooms.leaseKey(node)) == 1L;
  }

  private void reap(String node) {
    String lock = rooms.reapKey(node);
    // One reaper at a time; if it dies midway the lock lapses and another goes on (leaves are
    // idempotent: a connection that left already leaves nothing).
    if (store.sync().set(lock, bytes(me), SetArgs.Builder.nx().px(lease.toMillis() * 6)) == null) {
      return;
    }
    var sessions = rooms.sessionsOf(node);
    log.info("event=node-lease-ended node={} connections={}", node, sessions.size());
    for (String s : sessions) {
      gone.accept(s);
    }
    rooms.forgetNode(node);
    store.sync().srem(rooms.nodesKey(), bytes(node));
    // Done: a node that lapsed and came back (frozen, not dead) may lapse again later.
    store.sync().del(lock);
  }

  /** Stops renewing and gives the lease up: this node's connections have left as it closed. */
  @Override
  public void close() {
    timer.shutdownNow();
    try {
      if (store.isUp()) {
        store.sync().del(rooms.leaseKey(me));
        store.sync().srem(rooms.nodesKey(), bytes(me));
      }
    } catch (RedisException e) {
      log.debug("event=rooms-lease-release-failed error={}", e.toString());
    }
  }
}
