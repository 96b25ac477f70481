package webcall.cluster;

import static webcall.cluster.Script.arg;
import static webcall.cluster.Script.text;

import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.peerjs.OfflineQueue;
import webcall.peerjs.PeerJsOptions;

/**
 * The {@link OfflineQueue} of a cluster, in Redis: one queue per destination shared by every node,
 * so a message waits for its peer whichever node it connects to; every cap is cluster-wide and
 * checked in the same script that queues (see {@link Keys} for the layout). The queues age by a
 * clock every node shares (wall-clock milliseconds in production): any node's sweep may expire a
 * queue, once. While Redis is down nothing is queued (the sender gets EXPIRE).
 */
public final class RedisOfflineQueue implements OfflineQueue {
  private static final Logger log = LoggerFactory.getLogger(RedisOfflineQueue.class);

  /** Queues at most this many expired destinations per sweep (the next sweep takes the rest). */
  private static final int EXPIRE_BATCH = 500;

  /** Takes a queue's messages out and its counts off the totals; returns the entries. */
  private static final String FORGET =
      """
      local function forget(q, d, age, qbytes, senders, totals)
        local items = redis.call('LRANGE', q, 0, -1)
        redis.call('DEL', q)
        redis.call('ZREM', age, d)
        redis.call('HDEL', qbytes, d)
        local bytes = 0
        for _, it in ipairs(items) do
          local p = string.find(it, '\\n', 1, true)
          local s = string.sub(it, 1, p - 1)
          bytes = bytes + (#it - p)
          if redis.call('HINCRBY', senders, s, -1) <= 0 then redis.call('HDEL', senders, s) end
        end
        if #items > 0 then
          redis.call('HINCRBY', totals, 'n', -#items)
          redis.call('HINCRBY', totals, 'b', -bytes)
        end
        return items
      end
      """;

  private static final Script OFFER =
      new Script(
          ScriptOutputType.MULTI,
          """
          local size = tonumber(ARGV[4])
          local count = redis.call('LLEN', KEYS[1])
          local bytes = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
          if count > 0 and (count >= tonumber(ARGV[6]) or bytes + size > tonumber(ARGV[7])) then
            return {0, ''}
          end
          if count == 0 and size > tonumber(ARGV[7]) then return {0, ''} end
          local tn = tonumber(redis.call('HGET', KEYS[5], 'n') or '0')
          local tb = tonumber(redis.call('HGET', KEYS[5], 'b') or '0')
          if tn >= tonumber(ARGV[8]) or tb + size > tonumber(ARGV[9]) then return {0, ''} end
          if tonumber(redis.call('HGET', KEYS[4], ARGV[2]) or '0') >= tonumber(ARGV[10]) then
            return {0, ''}
          end
          redis.call('RPUSH', KEYS[1], ARGV[3])
          if count == 0 then redis.call('ZADD', KEYS[2], ARGV[5], ARGV[1]) end
          redis.call('HINCRBY', KEYS[3], ARGV[1], size)
          redis.call('HINCRBY', KEYS[4], ARGV[2], 1)
          redis.call('HINCRBY', KEYS[5], 'n', 1)
          redis.call('HINCRBY', KEYS[5], 'b', size)
          local n = redis.call('HGET', KEYS[6], 'n') or ''
          return {1, n}
          """);

  private static final Script TAKE =
      new Script(
          ScriptOutputType.MULTI,
          FORGET + "return forget(KEYS[1], ARGV[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5])\n");

  private static final Script EXPIRE =
      new Script(
          ScriptOutputType.MULTI,
          FORGET
              + """
              local out = {}
              local ds = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
              for _, d in ipairs(ds) do
                local items = forget(ARGV[2] .. 'pj:q:' .. d, d, KEYS[1], KEYS[2], KEYS[3], KEYS[4])
                local one = {d, #items}
                local seen = {}
                for _, it in ipairs(items) do
                  local s = string.sub(it, 1, string.find(it, '\\n', 1, true) - 1)
                  if not seen[s] then seen[s] = true; table.insert(one, s) end
                end
                table.insert(out, one)
              end
              return out
              """);

  private final RedisStore store;
  private final PeerJsOptions.Limits limits;
  private final long expireTimeoutMillis;
  private final LongSupplier millisClock;
  private volatile BiConsumer<String, String> drainer = (node, dst) -> {};

  /**
   * @param millisClock a clock every node shares, in milliseconds (tests pass their own)
   */
  public RedisOfflineQueue(RedisStore store, PeerJsOptions options, LongSupplier millisClock) {
    this.store = store;
    this.limits = options.limits();
    this.expireTimeoutMillis = options.expireTimeout().toMillis();
    this.millisClock = millisClock;
  }

  /**
   * Who tells a node that a message was queued for an id it holds (it registered between the
   * sender's lookup and the queueing): that node then takes the queue.
   */
  public void drainVia(BiConsumer<String, String> drainer) {
    this.drainer = drainer;
  }

  private String[] queueKeys(String escapedDst) {
    return new String[] {
      store.key(Keys.queue(escapedDst)),
      store.key(Keys.QUEUE_AGE),
      store.key(Keys.QUEUE_BYTES),
      store.key(Keys.QUEUE_SENDERS),
      store.key(Keys.QUEUE_TOTALS),
      store.key(Keys.id(escapedDst))
    };
  }

  @Override
  public boolean offer(String src, String dst, byte[] json) {
    if (!Keys.usable(dst) || !Keys.usable(src) || !store.isUp()) {
      return false; // no client can ever take it, or nowhere to keep it: EXPIRE now
    }
    String escapedDst = Keys.escape(dst);
    String escapedSrc = Keys.escape(src);
    byte[] prefix = (escapedSrc + "\n").getBytes(StandardCharsets.UTF_8);
    byte[] entry = Arrays.copyOf(prefix, prefix.length + json.length);
    System.arraycopy(json, 0, entry, prefix.length, json.length);
    List<Object> r;
    try {
      r =
          OFFER.run(
              store.sync(),
              queueKeys(escapedDst),
              arg(escapedDst),
              arg(escapedSrc),
              entry,
              arg(json.length),
              arg(millisClock.getAsLong()),
              arg(limits.queuePerDestination()),
              arg(limits.queueBytesPerDestination()),
              arg(limits.queueTotal()),
              arg(limits.queueTotalBytes()),
              arg(limits.queuePerSender()));
    } catch (RedisException e) {
      log.warn("event=redis-queue-failed error={}", e.toString());
      return false;
    }
    boolean queued = ((Long) r.get(0)) == 1L;
    String holder = text(r.get(1));
    if (queued && holder != null && !holder.isEmpty() && !holder.equals(store.node().value())) {
      drainer.accept(holder, dst);
    }
    return queued;
  }

  @Override
  public List<byte[]> take(String dst) {
    List<Object> items = forget(dst);
    List<byte[]> out = new ArrayList<>(items.size());
    for (Object o : items) {
      byte[] entry = (byte[]) o;
      int nl = 0;
      while (entry[nl] != '\n') {
        nl++;
      }
      out.add(Arrays.copyOfRange(entry, nl + 1, entry.length));
    }
    return out;
  }

  private List<Object> forget(String dst) {
    if (!Keys.usable(dst) || !store.isUp()) {
      return List.of();
    }
    String escaped = Keys.escape(dst);
    String[] keys = Arrays.copyOf(queueKeys(escaped), 5);
    try {
      return TAKE.run(store.sync(), keys, arg(escaped));
    } catch (RedisException e) {
      log.warn("event=redis-take-failed error={}", e.toString());
      return List.of();
    }
  }

  @Override
  public void drop(String dst) {
    forget(dst);
  }

  @Override
  public void expire(Expiry expiry) {
    if (!store.isUp()) {
      return;
    }
    List<Object> expired;
    try {
      expired =
          EXPIRE.run(
              store.sync(),
              new String[] {
                store.key(Keys.QUEUE_AGE),
                store.key(Keys.QUEUE_BYTES),
                store.key(Keys.QUEUE_SENDERS),
                store.key(Keys.QUEUE_TOTALS)
              },
              arg(millisClock.getAsLong() - expireTimeoutMillis),
              arg(store.key("")),
              arg(EXPIRE_BATCH));
    } catch (RedisException e) {
      log.warn("event=redis-expire-failed error={}", e.toString());
      return;
    }
    for (Object o : expired) {
      List<?> one = (List<?>) o;
      String dst = Keys.unescape(text(one.get(0)));
      int messages = ((Long) one.get(1)).intValue();
      Set<String> senders = new LinkedHashSet<>();
      for (Object s : one.subList(2, one.size())) {
        senders.add(Keys.unescape(text(s)));
      }
      expiry.expired(dst, senders, messages);
    }
  }

  @Override
  public int messages() {
    return (int) count("n");
  }

  private long count(String field) {
    if (!store.isUp()) {
      return 0;
    }
    try {
      byte[] v = store.sync().hget(store.key(Keys.QUEUE_TOTALS), field);
      return v == null ? 0 : Long.parseLong(new String(v, StandardCharsets.UTF_8));
    } catch (RedisException e) {
      return 0;
    }
  }

  @Override
  public int senders() {
    if (!store.isUp()) {
      return 0;
    }
    try {
      return store.sync().hlen(store.key(Keys.QUEUE_SENDERS)).intValue();
    } catch (RedisException e) {
      return 0;
    }
  }
}
