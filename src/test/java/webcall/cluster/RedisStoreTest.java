package webcall.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import webcall.support.RedisServer;

/**
 * The connection to a real redis-server: it answers, fails fast while Redis is down, comes back.
 */
class RedisStoreTest {
  private static RedisServer redis;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stop() {
    if (redis != null) {
      redis.close();
    }
  }

  @Test
  void readsURLsAsLettuceDoesAndRefusesOthers() {
    assertThat(RedisStore.parse("redis://user:pw@10.0.0.1:6380/2").getDatabase()).isEqualTo(2);
    assertThat(RedisStore.parse("rediss://h:6379").isSsl()).isTrue();
    assertThat(RedisStore.parse("redis-sentinel://s1:26379,s2:26379#mymaster").getSentinels())
        .hasSize(2);
    assertThatThrownBy(() -> RedisStore.parse("http://h:1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--redis-url");
  }

  @Test
  void failsFastWhileRedisIsDownAndTellsWhenItIsBack() {
    AtomicInteger reconnects = new AtomicInteger();
    try (RedisStore store =
        RedisStore.connect(RedisStore.parse(redis.url()), NodeId.random(), "t1:")) {
      store.onReconnect(reconnects::incrementAndGet);
      store.sync().set(store.key("k"), "v".getBytes(StandardCharsets.UTF_8));
      assertThat(new String(store.sync().get(store.key("k")), StandardCharsets.UTF_8))
          .isEqualTo("v");
      redis.stop();
      await().atMost(Duration.ofSeconds(10)).until(() -> !store.isUp());
      long start = System.nanoTime();
      assertThatThrownBy(() -> store.sync().get(store.key("k")));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      redis.startAgain();
      await().atMost(Duration.ofSeconds(30)).until(() -> reconnects.get() >= 1 && store.isUp());
      assertThat(store.sync().get(store.key("k"))).isNull(); // back empty: nothing was saved
    }
  }

  @Test
  void aNodeDoesNotStartWithoutItsStore() {
    assertThatThrownBy(
            () -> RedisStore.connect(RedisStore.parse("redis://127.0.0.1:1"), NodeId.random(), ""))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot reach Redis");
  }
}
