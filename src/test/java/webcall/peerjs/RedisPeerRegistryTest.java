package webcall.peerjs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import webcall.cluster.NodeId;
import webcall.cluster.RedisPeerRegistry;
import webcall.cluster.RedisStore;
import webcall.support.RedisServer;

/** The registry contract against the Redis registry, on a real redis-server. */
class RedisPeerRegistryTest extends PeerRegistryContract {
  private static final AtomicInteger RUN = new AtomicInteger();
  private static final List<RedisStore> stores = new ArrayList<>();
  private static RedisServer redis;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    stores.forEach(RedisStore::close);
    if (redis != null) {
      redis.close();
    }
  }

  @Override
  protected PeerRegistry registry(int concurrentLimit) {
    // Each registry its own key prefix: a fresh, empty registry on the same Redis.
    RedisStore store =
        RedisStore.connect(
            RedisStore.parse(redis.url()), NodeId.random(), "reg" + RUN.incrementAndGet() + ":");
    stores.add(store);
    return new RedisPeerRegistry(new InMemoryPeerRegistry(concurrentLimit), concurrentLimit, store);
  }
}
