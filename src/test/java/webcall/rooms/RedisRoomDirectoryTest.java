package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import webcall.cluster.NodeId;
import webcall.cluster.RedisRoomDirectory;
import webcall.cluster.RedisStore;
import webcall.rooms.RoomDirectory.JoinError;
import webcall.rooms.RoomDirectory.Joined;
import webcall.support.RedisServer;

/**
 * The contract on a real redis-server (each directory in a key namespace of its own), then what
 * only a shared store can show: two nodes (two connections, two directories on one namespace)
 * racing for a room's last seat, ids with any character, nothing left behind, Redis down.
 */
class RedisRoomDirectoryTest extends RoomDirectoryContract {
  private static RedisServer redis;
  private static RedisStore store;
  private static RedisStore otherNode;
  private static final AtomicInteger directories = new AtomicInteger();

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    store = RedisStore.connect(RedisStore.parse(redis.url()), NodeId.random(), "test:");
    otherNode = RedisStore.connect(RedisStore.parse(redis.url()), NodeId.random(), "test:");
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {store, otherNode, redis}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  private static String namespace() {
    return "d" + directories.incrementAndGet() + ":";
  }

  @Override
  protected RoomDirectory directory(int capacity) {
    return new RedisRoomDirectory(store, namespace(), capacity);
  }

  @Test
  void twoNodesTakingTheLastSeatAtOnceOneWins() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 20; round++) {
        String ns = namespace();
        RoomDirectory a = new RedisRoomDirectory(store, ns, 3);
        RoomDirectory b = new RedisRoomDirectory(otherNode, ns, 3);
        join(a, "r", "x");
        join(b, "r", "y");
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Joined>> tries = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          RoomDirectory node = i % 2 == 0 ? a : b;
          String peer = "c" + i;
          tries.add(
              pool.submit(
                  () -> {
                    go.await();
                    return join(node, "r", peer);
                  }));
        }
        go.countDown();
        int won = 0;
        for (Future<Joined> f : tries) {
          Joined j = f.get(10, TimeUnit.SECONDS);
          if (j.error() == null) {
            won++;
          } else {
            assertThat(j.error()).isEqualTo(JoinError.ROOM_FULL);
          }
        }
        assertThat(won).as("round %d", round).isEqualTo(1);
        assertThat(a.size("r")).isEqualTo(3);
        assertThat(b.members("r")).isEqualTo(a.members("r"));
        assertThat(a.memberCount() + b.memberCount())
            .as("each node counts its own connections")
            .isEqualTo(3);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void idsWithAnyCharacterNameTheirOwnKeysAndLeaveNothingBehind() {
    String ns = namespace();
    RoomDirectory d = new RedisRoomDirectory(store, ns, 4);
    String room = "räum %2F:*{x}";
    String peer = "p%41 ü";
    assertThat(d.join("s 1", room, peer, named("a")).error()).isNull();
    assertThat(d.join("s%201", "räum %2F:*{y}", "other", named("b")).error()).isNull();
    assertThat(d.roomOfPeer(peer)).isEqualTo(room);
    assertThat(d.roomOfPeer("pA ü")).isNull();
    assertThat(d.memberOf("s 1").room()).isEqualTo(room);
    assertThat(d.memberOf("s%201").room()).isEqualTo("räum %2F:*{y}");
    d.configure("s 1", true, true, "secret");
    assertThat(d.join("s-k", room, "k", named("k")).error()).isEqualTo(JoinError.ROOM_LOCKED);
    d.configure("s 1", false, true, "");
    assertThat(d.join("s-k", room, "k", named("k")).error()).isEqualTo(JoinError.KNOCKING);
    assertThat(d.knockCount()).isEqualTo(1);
    assertThat(d.leave("s 1").member().peerId()).isEqualTo(peer);
    assertThat(d.leave("s%201").member().peerId()).isEqualTo("other");
    assertThat(d.knockCount()).as("the knock ended with the room").isZero();
    d.leave("s-k"); // its connection closes
    assertThat(store.sync().keys("test:" + ns + "*"))
        .as("no key left but the list of nodes")
        .containsExactly("test:" + ns + "nodes");
    assertThatThrownBy(() -> d.roomOfPeer("x".repeat(300)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void whileRedisIsDownARequestIsUnavailableAndNothingBreaks() {
    String ns = namespace();
    try (RedisStore own =
        RedisStore.connect(RedisStore.parse(redis.url()), NodeId.random(), "down:")) {
      RoomDirectory d = new RedisRoomDirectory(own, ns, 4);
      assertThat(join(d, "r", "a").error()).isNull();
      redis.stop();
      try {
        await().atMost(Duration.ofSeconds(10)).until(() -> !own.isUp());
        assertThatThrownBy(() -> join(d, "r", "b")).isInstanceOf(RoomsUnavailable.class);
        assertThatThrownBy(() -> d.leave("s-a")).isInstanceOf(RoomsUnavailable.class);
        assertThat(d.memberCount()).as("counted as still here: drain waits").isEqualTo(1);
      } finally {
        redis.startAgain();
      }
      await().atMost(Duration.ofSeconds(30)).until(own::isUp);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> store.isUp() && otherNode.isUp()); // the shared ones come back too
      assertThat(join(d, "r", "b").error()).as("Redis back empty: a new room").isNull();
    }
  }
}
