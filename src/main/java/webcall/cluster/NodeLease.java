package webcall.cluster;

import static webcall.cluster.Script.arg;
import static webcall.cluster.Script.text;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.logging.LogText;
import webcall.peerjs.PeerClient;
import webcall.peerjs.PeerLink;

/**
 * This node's lease in Redis, and the end of other nodes' leases. The lease key lives for the lease
 * time and is renewed three times per lease; a node that dies (SIGKILL, a lost machine) stops
 * renewing, and once its key is gone its ids count as free ({@code CLAIM} lets a new client take
 * them at once) and every node's sweep, once a second, deletes them. When the lease is found
 * missing (Redis restarted empty, or this node was cut off longer than a lease) or Redis comes back
 * after an outage, the node announces again every id it holds; an id that another live node took
 * meanwhile is closed here.
 */
public final class NodeLease implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeLease.class);

  private static final int ANNOUNCE_BATCH = 500;

  /** Frees a dead node's ids (those still its own), if its lease is over. */
  private static final Script REAP =
      new Script(
          ScriptOutputType.INTEGER,
          """
          if redis.call('EXISTS', ARGV[2] .. 'pj:lease:' .. ARGV[1]) == 1 then return 0 end
          local set = ARGV[2] .. 'pj:node:' .. ARGV[1] .. ':ids'
          local freed = 0
          for _, id in ipairs(redis.call('SMEMBERS', set)) do
            local k = ARGV[2] .. 'pj:id:' .. id
            if redis.call('HGET', k, 'n') == ARGV[1] then redis.call('DEL', k); freed = freed + 1 end
          end
          redis.call('DEL', set)
          redis.call('SREM', KEYS[1], ARGV[1])
          return freed
          """);

  /** Claims ids for this node again; returns those another live node holds now. */
  private static final Script ANNOUNCE =
      new Script(
          ScriptOutputType.MULTI,
          """
          redis.call('SET', KEYS[3], '1', 'PX', ARGV[3])
          redis.call('SADD', KEYS[2], ARGV[1])
          local conflicts = {}
          for i = 4, #ARGV, 3 do
            local k = ARGV[2] .. 'pj:id:' .. ARGV[i]
            local n = redis.call('HGET', k, 'n')
            if n and n ~= ARGV[1] and redis.call('EXISTS', ARGV[2] .. 'pj:lease:' .. n) == 1 then
              table.insert(conflicts, ARGV[i])
            else
              redis.call('HSET', k, 'n', ARGV[1], 't', ARGV[i + 1], 'g', ARGV[i + 2])
              redis.call('SADD', KEYS[1], ARGV[i])
            end
          end
          return conflicts
          """);

  private final RedisStore store;
  private final RedisPeerRegistry registry;
  private final long leaseMillis;
  private final String me;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "cluster-lease");
            t.setDaemon(true);
            return t;
          });

  public NodeLease(RedisStore store, RedisPeerRegistry registry, Duration lease) {
    this.store = store;
    this.registry = registry;
    this.leaseMillis = lease.toMillis();
    this.me = store.node().value();
  }

  /** Takes the lease now (throws if Redis does not answer), then renews and sweeps on a timer. */
  public void start() {
    announce();
    long renew = Math.max(100, leaseMillis / 3);
    timer.scheduleWithFixedDelay(this::renew, renew, renew, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::reapDeadNodes, 1000, 1000, TimeUnit.MILLISECONDS);
    store.onReconnect(() -> timer.execute(this::announceQuietly));
  }

  private void renew() {
    if (!store.isUp()) {
      return;
    }
    try {
      String ok =
          store
              .sync()
              .set(store.key(Keys.lease(me)), arg("1"), SetArgs.Builder.px(leaseMillis).xx());
      if (ok == null) {
        log.warn("event=cluster-lease-lost node={}", me);
        announce();
      }
    } catch (RedisException e) {
      log.debug("event=cluster-lease-renew-failed error={}", e.toString());
    }
  }

  private void announceQuietly() {
    try {
      announce();
    } catch (RedisException e) {
      log.warn("event=cluster-announce-failed error={}", e.toString());
    }
  }

  /**
   * Tells Redis what this node holds, as it is now: the lease, every local id with its token hash;
   * an id Redis still gives this node but that is no longer here is freed.
   */
  void announce() {
    // Redis's view first, then ours: an id claimed after this read is not in it, so not freed.
    Set<byte[]> inRedis = store.sync().smembers(store.key(Keys.nodeIds(me)));
    Map<String, String> held = registry.heldHere();
    for (byte[] e : inRedis) {
      String escaped = new String(e, java.nio.charset.StandardCharsets.UTF_8);
      String id = Keys.unescape(escaped);
      if (!held.containsKey(id) && registry.get(id) == null) {
        RedisPeerRegistry.RELEASE.run(
            store.sync(),
            new String[] {store.key(Keys.id(escaped)), store.key(Keys.nodeIds(me))},
            arg(me),
            arg(escaped),
            arg(""));
      }
    }
    List<Map.Entry<String, String>> all = new ArrayList<>(held.entrySet());
    int i = 0;
    do {
      List<Map.Entry<String, String>> batch =
          all.subList(i, Math.min(all.size(), i + ANNOUNCE_BATCH));
      List<byte[]> args = new ArrayList<>();
      args.add(arg(me));
      args.add(arg(store.key("")));
      args.add(arg(leaseMillis));
      for (Map.Entry<String, String> e : batch) {
        String[] hashAndGeneration = e.getValue().split(" ");
        args.add(arg(Keys.escape(e.getKey())));
        args.add(arg(hashAndGeneration[0]));
        args.add(arg(hashAndGeneration[1]));
      }
      List<Object> conflicts =
          ANNOUNCE.run(
              store.sync(),
              new String[] {
                store.key(Keys.nodeIds(me)), store.key(Keys.NODES), store.key(Keys.lease(me))
              },
              args.toArray(new byte[0][]));
      for (Object c : conflicts) {
        closeHere(Keys.unescape(text(c)));
      }
      i += ANNOUNCE_BATCH;
    } while (i < all.size());
    log.info("event=cluster-announce node={} ids={}", me, all.size());
  }

  /** Another live node holds {@code id} now: our socket for it goes. */
  private void closeHere(String id) {
    PeerClient c = registry.get(id);
    if (c == null) {
      return;
    }
    PeerLink link = c.link();
    if (registry.dropLocal(c, link)) {
      log.info("event=peer-held-by-other-node peer={}", LogText.escape(id));
      link.closeQuietly(1000, "replaced by a newer connection");
    }
  }

  private void reapDeadNodes() {
    if (!store.isUp()) {
      return;
    }
    try {
      for (byte[] n : store.sync().smembers(store.key(Keys.NODES))) {
        String node = new String(n, java.nio.charset.StandardCharsets.UTF_8);
        if (node.equals(me)) {
          continue;
        }
        Long freed = reap(node);
        if (freed != null && freed > 0) {
          log.info("event=cluster-node-gone node={} freed={}", LogText.escape(node), freed);
        }
      }
    } catch (RedisException e) {
      log.debug("event=cluster-reap-failed error={}", e.toString());
    }
  }

  private Long reap(String node) {
    return REAP.run(
        store.sync(), new String[] {store.key(Keys.NODES)}, arg(node), arg(store.key("")));
  }

  /** A stop with notice: the lease ends now and this node's ids are free at once. */
  @Override
  public void close() {
    timer.shutdownNow();
    if (!store.isUp()) {
      return;
    }
    try {
      store.sync().del(store.key(Keys.lease(me)));
      reap(me);
    } catch (RedisException e) {
      log.debug("event=cluster-leave-failed error={}", e.toString());
    }
  }
}
