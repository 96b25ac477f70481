package webcall.peerjs;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import webcall.cluster.NodeId;
import webcall.cluster.RedisOfflineQueue;
import webcall.cluster.RedisStore;
import webcall.support.RedisServer;

/** The offline queue contract against the Redis queue, on a real redis-server. */
class RedisOfflineQueueTest extends OfflineQueueContract {
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
  protected OfflineQueue queue(PeerJsOptions options, LongSupplier clock) {
    RedisStore store =
        RedisStore.connect(
            RedisStore.parse(redis.url()), NodeId.random(), "q" + RUN.incrementAndGet() + ":");
    stores.add(store);
    return new RedisOfflineQueue(store, options, clock);
  }
}
