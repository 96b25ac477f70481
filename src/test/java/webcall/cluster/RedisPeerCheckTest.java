package webcall.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import webcall.rooms.PeerCheck;
import webcall.rooms.RoomsUnavailable;
import webcall.support.RedisServer;

/**
 * A join's PeerJS id held on another node, as the PeerJS registry in Redis records it (pj:id:{id}
 * with the holder n and the token's SHA-256 t, alive while pj:lease:{n} exists): the layout this
 * check relies on, written here by hand on a real redis-server.
 */
class RedisPeerCheckTest {
  private static RedisServer redis;
  private static RedisStore store;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    store = RedisStore.connect(RedisStore.parse(redis.url()), NodeId.random(), "pc:");
  }

  @AfterAll
  static void stop() {
    if (store != null) {
      store.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void heldElsewhere(String id, String token, String node) {
    store
        .sync()
        .hset(
            store.key("pj:id:" + RedisRoomDirectory.escape(id)),
            Map.of("n", b(node), "t", b(RedisPeerCheck.sha256(token))));
  }

  @Test
  void anIdOnThisNodeNeedsNoRedisAndOneElsewhereIsFoundWithItsToken() {
    PeerCheck here = (id, token) -> "local-1".equals(id) && (token == null || "lt".equals(token));
    PeerCheck check = new RedisPeerCheck(store, here);
    assertThat(check.connected("local-1", "lt")).isTrue();

    heldElsewhere("far away-1", "secret", "0a1b");
    assertThat(check.connected("far away-1", "secret")).as("no lease: its node is dead").isFalse();
    store.sync().set(store.key("pj:lease:0a1b"), b("1"));
    assertThat(check.connected("far away-1", "secret")).isTrue();
    assertThat(check.connected("far away-1", "wrong")).isFalse();
    assertThat(check.connected("far away-1", null)).as("--allow-legacy-join: held at all").isTrue();
    assertThat(check.connected("far away-2", "secret")).isFalse();
    assertThat(check.connected("not a valid id!!", "secret"))
        .as("never looked up: no client holds such an id")
        .isFalse();
  }

  @Test
  void whileRedisIsDownAnIdElsewhereIsUnavailableNotRefused() {
    PeerCheck check = new RedisPeerCheck(store, (id, token) -> "mine".equals(id));
    redis.stop();
    try {
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> !store.isUp());
      assertThat(check.connected("mine", "t")).as("this node's own still pass").isTrue();
      assertThatThrownBy(() -> check.connected("other", "t")).isInstanceOf(RoomsUnavailable.class);
    } finally {
      redis.startAgain();
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(store::isUp);
    }
  }
}
