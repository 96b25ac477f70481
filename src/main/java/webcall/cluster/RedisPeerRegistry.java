package webcall.cluster;

import static webcall.cluster.Script.arg;
import static webcall.cluster.Script.text;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.logging.LogText;
import webcall.peerjs.PeerClient;
import webcall.peerjs.PeerLink;
import webcall.peerjs.PeerRegistry;

/**
 * The {@link PeerRegistry} of one node of a cluster: ids are claimed in Redis (unique across the
 * nodes, see {@link Keys}), and this node's sockets are kept in a local registry, which is asked
 * first: a message to an id on this node costs no Redis round trip. concurrent_limit counts this
 * node's ids (a per-node limit: it protects this process's memory; the cluster holds nodes ×
 * limit).
 */
public final class RedisPeerRegistry implements PeerRegistry {
  private static final Logger log = LoggerFactory.getLogger(RedisPeerRegistry.class);

  /** How long a looked-up route is trusted: a stale one costs a detour, never a message. */
  private static final long ROUTE_TTL_NANOS = 5_000_000_000L;

  private static final int MAX_ROUTES = 100_000;

  /** Claims id for this node: NEW, TAKEN (another token, live holder) or MOVED (taken over). */
  private static final Script CLAIM =
      new Script(
          ScriptOutputType.MULTI,
          """
          local n = redis.call('HGET', KEYS[1], 'n')
          local moved = ''
          if n then
            local t = redis.call('HGET', KEYS[1], 't')
            local alive = n == ARGV[1] or redis.call('EXISTS', ARGV[4] .. 'pj:lease:' .. n) == 1
            if t ~= ARGV[2] and alive then return {'TAKEN', n} end
            if n ~= ARGV[1] then
              redis.call('SREM', ARGV[4] .. 'pj:node:' .. n .. ':ids', ARGV[3])
              if alive then moved = n end
            end
          end
          redis.call('HSET', KEYS[1], 'n', ARGV[1], 't', ARGV[2], 'g', ARGV[5])
          redis.call('SADD', KEYS[2], ARGV[3])
          if moved ~= '' then return {'MOVED', moved} end
          return {'NEW', ''}
          """);

  /** Frees id if this node still holds it with this generation ('' for any). */
  static final Script RELEASE =
      new Script(
          ScriptOutputType.INTEGER,
          """
          if redis.call('HGET', KEYS[1], 'n') == ARGV[1] then
            if ARGV[3] == '' or redis.call('HGET', KEYS[1], 'g') == ARGV[3] then
              redis.call('DEL', KEYS[1])
              redis.call('SREM', KEYS[2], ARGV[2])
            end
          else
            redis.call('SREM', KEYS[2], ARGV[2]) -- not this node's any more
          end
          return 1
          """);

  /** The node that holds id, if that node's lease is alive. */
  private static final Script LOOKUP =
      new Script(
          ScriptOutputType.VALUE,
          """
          local n = redis.call('HGET', KEYS[1], 'n')
          if n and redis.call('EXISTS', ARGV[1] .. 'pj:lease:' .. n) == 1 then return n end
          return false
          """);

  /** Every node's ids (escaped). */
  private static final Script ALL_IDS =
      new Script(
          ScriptOutputType.MULTI,
          """
          local out = {}
          for _, n in ipairs(redis.call('SMEMBERS', KEYS[1])) do
            for _, id in ipairs(redis.call('SMEMBERS', ARGV[1] .. 'pj:node:' .. n .. ':ids')) do
              table.insert(out, id)
            end
          end
          return out
          """);

  /** How many ids every node holds: one SCARD per node, for the gauge read at each scrape. */
  private static final Script COUNT =
      new Script(
          ScriptOutputType.INTEGER,
          """
          local total = redis.call('SCARD', ARGV[1] .. 'pj:node:' .. ARGV[2] .. ':ids')
          for _, n in ipairs(redis.call('SMEMBERS', KEYS[1])) do
            if n ~= ARGV[2] then
              total = total + redis.call('SCARD', ARGV[1] .. 'pj:node:' .. n .. ':ids')
            end
          end
          return total
          """);

  /** Tells the node that held an id that it was taken over here. */
  public interface Kicker {
    void kick(String node, String id);
  }

  private record Route(String node, long until) {}

  private final PeerRegistry local;
  private final int concurrentLimit;
  private final RedisStore store;
  private final String me;
  private final Map<String, Route> routes = new ConcurrentHashMap<>();

  /**
   * What this node wrote to Redis for each id it holds: the token hash (for the re-announce) and a
   * generation, so that the release of an id closed here cannot delete a newer claim of the same id
   * from this node (the release is not awaited).
   */
  private record Held(String tokenHash, String generation) {}

  private static final java.security.SecureRandom GENERATIONS = new java.security.SecureRandom();

  private final Map<String, Held> held = new ConcurrentHashMap<>();

  private volatile Kicker kicker = (node, id) -> {};

  /**
   * @param local this node's sockets (an in-memory registry, built by the wiring)
   * @param concurrentLimit the most ids on this node
   */
  public RedisPeerRegistry(PeerRegistry local, int concurrentLimit, RedisStore store) {
    this.local = local;
    this.concurrentLimit = concurrentLimit;
    this.store = store;
    this.me = store.node().value();
  }

  /** Who tells other nodes of a takeover (the node bus, once it is built). */
  public void kickVia(Kicker kicker) {
    this.kicker = kicker;
  }

  private String[] idKeys(String escaped) {
    return new String[] {store.key(Keys.id(escaped)), store.key(Keys.nodeIds(me))};
  }

  @Override
  public Registration register(String id, String token, PeerLink link, long now) {
    if (local.get(id) != null) {
      // Held here: this node holds the claim already, the local registry decides (takeover or
      // ID-TAKEN) without Redis.
      Registration here = local.register(id, token, link, now);
      if (here.outcome() != Outcome.OPENED) {
        return here;
      }
      // Freed meanwhile and registered anew here: it needs a claim of its own.
      return claimFor(here, id, token, link);
    }
    if (local.size() >= concurrentLimit) {
      return new Registration(Outcome.LIMIT_REACHED, null, null);
    }
    Registration here = local.register(id, token, link, now);
    if (here.outcome() != Outcome.OPENED) {
      return here; // registered here meanwhile (takeover, ID-TAKEN) or the limit
    }
    return claimFor(here, id, token, link);
  }

  /**
   * Claims in Redis an id just registered here; undoes the local registration if Redis says no or
   * cannot answer. A socket counts as here from the local registration on, so two sockets of this
   * node for one id meet in the local registry, never both in Redis.
   */
  private Registration claimFor(Registration here, String id, String token, PeerLink link) {
    PeerClient client = here.client();
    String escaped = Keys.escape(id);
    String hash = Keys.tokenHash(token);
    String generation = Long.toHexString(GENERATIONS.nextLong());
    List<Object> claim = null;
    if (store.isUp()) {
      try {
        claim =
            CLAIM.run(
                store.sync(),
                idKeys(escaped),
                arg(me),
                arg(hash),
                arg(escaped),
                arg(store.key("")),
                arg(generation));
      } catch (RedisException e) {
        log.warn("event=redis-claim-failed peer={} error={}", LogText.escape(id), e.toString());
      }
    }
    String outcome = claim == null ? null : text(claim.get(0));
    if (claim == null || "TAKEN".equals(outcome)) {
      local.unregister(client, link);
      return new Registration(claim == null ? Outcome.UNAVAILABLE : Outcome.ID_TAKEN, null, null);
    }
    held.put(id, new Held(hash, generation));
    routes.remove(id);
    if ("MOVED".equals(outcome)) {
      String from = text(claim.get(1));
      kicker.kick(from, id);
      log.info("event=peer-takeover-from-node peer={} node={}", LogText.escape(id), from);
      return new Registration(Outcome.TAKEN_OVER, client, null);
    }
    return here;
  }

  @Override
  public boolean unregister(PeerClient client, PeerLink link) {
    boolean removed = local.unregister(client, link);
    if (removed) {
      Held h = held.remove(client.id());
      if (h != null) {
        releaseAsync(Keys.escape(client.id()), h.generation());
      }
    }
    return removed;
  }

  /**
   * Forgets a local client without touching Redis: another node holds its id now (a takeover
   * there).
   */
  boolean dropLocal(PeerClient client, PeerLink link) {
    boolean removed = local.unregister(client, link);
    if (removed) {
      held.remove(client.id());
    }
    return removed;
  }

  /** This node's ids with "token-hash generation", as they are now: what it re-announces. */
  Map<String, String> heldHere() {
    Map<String, String> out = new java.util.HashMap<>();
    for (PeerClient c : local.localClients()) {
      Held h = held.get(c.id());
      if (h != null) {
        out.put(c.id(), h.tokenHash() + " " + h.generation());
      }
    }
    return out;
  }

  private void releaseAsync(String escaped, String generation) {
    if (!store.isUp()) {
      return; // the re-announce when Redis is back frees what this node no longer holds
    }
    RELEASE
        .runAsync(store.async(), idKeys(escaped), arg(me), arg(escaped), arg(generation))
        .exceptionally(
            e -> {
              log.debug("event=redis-release-failed error={}", e.toString());
              return null;
            });
  }

  @Override
  public PeerClient get(String id) {
    return local.get(id);
  }

  @Override
  public Optional<String> remoteNode(String id) {
    if (id == null || !Keys.usable(id)) {
      return Optional.empty(); // no client can hold such an id: Redis is not asked
    }
    Route cached = routes.get(id);
    long now = System.nanoTime();
    if (cached != null && now - cached.until() < 0) {
      return Optional.of(cached.node());
    }
    String node = lookup(id);
    if (node == null || node.equals(me)) {
      routes.remove(id);
      return Optional.empty();
    }
    if (routes.size() >= MAX_ROUTES) {
      routes.clear();
    }
    routes.put(id, new Route(node, now + ROUTE_TTL_NANOS));
    return Optional.of(node);
  }

  /** The live node that holds {@code id} now, asking Redis (null if none or Redis is down). */
  String lookup(String id) {
    if (!store.isUp() || !Keys.usable(id)) {
      return null;
    }
    try {
      return text(
          LOOKUP.run(
              store.sync(),
              new String[] {store.key(Keys.id(Keys.escape(id)))},
              arg(store.key(""))));
    } catch (RedisException e) {
      return null;
    }
  }

  /** The node Redis names for {@code id}, live or not; null if none. Throws if Redis is down. */
  String holder(String id) {
    byte[] n = store.sync().hget(store.key(Keys.id(Keys.escape(id))), "n");
    return n == null ? null : new String(n, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Forgets where {@code id} was: the next message asks Redis again. */
  void forgetRoute(String id) {
    routes.remove(id);
  }

  @Override
  public int size() {
    if (!store.isUp()) {
      return local.size();
    }
    try {
      Long n =
          COUNT.run(
              store.sync(), new String[] {store.key(Keys.NODES)}, arg(store.key("")), arg(me));
      return n.intValue();
    } catch (RedisException e) {
      return local.size();
    }
  }

  @Override
  public Collection<String> ids() {
    if (!store.isUp()) {
      return local.ids();
    }
    try {
      return allIds();
    } catch (RedisException e) {
      return local.ids();
    }
  }

  private Collection<String> allIds() {
    List<Object> escaped =
        ALL_IDS.run(store.sync(), new String[] {store.key(Keys.NODES)}, arg(store.key("")));
    Set<String> out = new HashSet<>(local.ids());
    for (Object e : escaped) {
      out.add(Keys.unescape(text(e)));
    }
    return new ArrayList<>(out);
  }

  @Override
  public Collection<PeerClient> localClients() {
    return local.localClients();
  }

  String node() {
    return me;
  }

  RedisStore store() {
    return store;
  }
}
