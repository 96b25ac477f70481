package webcall.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's connections to Redis: one for commands (pipelined by Lettuce, shared by every
 * thread), one for this node's pub/sub channel. Keys are strings, values bytes (relayed JSON is
 * passed on as the client sent it). While Redis is unreachable, commands fail at once rather than
 * pile up ({@link ClientOptions.DisconnectedBehavior#REJECT_COMMANDS}); Lettuce reconnects by
 * itself, and whoever registered {@link #onReconnect} re-announces this node's state then.
 */
public final class RedisStore implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RedisStore.class);

  static final RedisCodec<String, byte[]> CODEC =
      RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final NodeId node;
  private final String prefix;
  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, byte[]> connection;
  private final StatefulRedisPubSubConnection<String, byte[]> pubsub;
  private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
  private final List<AutoCloseable> closeFirst = new CopyOnWriteArrayList<>();
  private volatile boolean wasDown;
  private volatile boolean closing;

  private RedisStore(
      NodeId node,
      String prefix,
      ClientResources resources,
      RedisClient client,
      StatefulRedisConnection<String, byte[]> connection,
      StatefulRedisPubSubConnection<String, byte[]> pubsub) {
    this.node = node;
    this.prefix = prefix;
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.pubsub = pubsub;
  }

  /**
   * Checks a URL as Lettuce reads it (redis://, rediss://, redis-sentinel://); the message says
   * what is wrong.
   */
  public static RedisURI parse(String url) {
    try {
      RedisURI uri = RedisURI.create(url);
      uri.setTimeout(COMMAND_TIMEOUT);
      return uri;
    } catch (IllegalArgumentException | RedisException e) {
      throw new IllegalArgumentException(
          "--redis-url: not a Redis URL (redis://[user:pass@]host:port[/db], rediss://...,"
              + " redis-sentinel://host:port[,host:port]#master): "
              + e.getMessage(),
          e);
    }
  }

  /**
   * How long one command may take before it counts as failed: short, because a registration waits
   * for it on a socket's event loop.
   */
  static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

  /**
   * Connects, or throws when Redis does not answer now (a node does not start without its store).
   *
   * @param prefix put before every key and channel (tests give each run its own)
   */
  public static RedisStore connect(RedisURI uri, NodeId node, String prefix) {
    // Two I/O threads of its own: Redis traffic is pipelined on two connections, and a slow
    // Redis must not hold the event loops that serve sockets.
    ClientResources resources =
        DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
            .socketOptions(
                // No Nagle delay: a relayed message is one small PUBLISH that must leave at once.
                SocketOptions.builder()
                    .connectTimeout(COMMAND_TIMEOUT)
                    .keepAlive(true)
                    .tcpNoDelay(true)
                    .build())
            .build());
    try {
      StatefulRedisConnection<String, byte[]> connection = client.connect(CODEC);
      StatefulRedisPubSubConnection<String, byte[]> pubsub = client.connectPubSub(CODEC);
      RedisStore store = new RedisStore(node, prefix, resources, client, connection, pubsub);
      client.addListener(store.stateListener());
      return store;
    } catch (RuntimeException e) {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
      resources.shutdown(0, 2, TimeUnit.SECONDS);
      throw new IllegalStateException(
          "cannot reach Redis at " + uri.getHost() + ":" + uri.getPort() + ": " + e.getMessage(),
          e);
    }
  }

  private RedisConnectionStateListener stateListener() {
    return new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(io.lettuce.core.RedisChannelHandler<?, ?> c) {
        if (c != connection || closing) {
          return; // the pub/sub connection: Lettuce subscribes it again by itself
        }
        if (!wasDown) {
          log.warn("event=redis-down node={}", node);
        }
        wasDown = true;
      }

      @Override
      public void onRedisConnected(
          io.lettuce.core.RedisChannelHandler<?, ?> c, SocketAddress address) {
        if (c != connection || !wasDown) {
          return;
        }
        wasDown = false;
        log.info("event=redis-back node={}", node);
        // Off Lettuce's I/O thread: the listeners talk to Redis and wait for its answers.
        Thread t =
            new Thread(
                () -> {
                  for (Runnable r : reconnectListeners) {
                    try {
                      r.run();
                    } catch (RuntimeException e) {
                      log.warn("event=redis-reannounce-failed error={}", e.toString());
                    }
                  }
                },
                "redis-reannounce");
        t.setDaemon(true);
        t.start();
      }
    };
  }

  public NodeId node() {
    return node;
  }

  /** A key or channel name: the prefix, then {@code name}, which holds no client text unescaped. */
  public String key(String name) {
    return prefix + name;
  }

  /** Whether the command connection is connected now; commands fail at once while it is not. */
  public boolean isUp() {
    return connection.isOpen();
  }

  public RedisCommands<String, byte[]> sync() {
    return connection.sync();
  }

  public RedisAsyncCommands<String, byte[]> async() {
    return connection.async();
  }

  public StatefulRedisPubSubConnection<String, byte[]> pubsub() {
    return pubsub;
  }

  /** Runs {@code r} (on a thread of its own) each time the connection comes back after a loss. */
  public void onReconnect(Runnable r) {
    reconnectListeners.add(r);
  }

  /** Closes {@code c} when the store closes, before its connections, last added first. */
  public void closeFirst(AutoCloseable c) {
    closeFirst.add(0, c);
  }

  @Override
  public void close() {
    closing = true;
    for (AutoCloseable c : closeFirst) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("event=cluster-close-failed error={}", e.toString());
      }
    }
    pubsub.close();
    connection.close();
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
