package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static webcall.peerjs.Peers.json;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import webcall.PeerJsState;
import webcall.cluster.NodeId;
import webcall.cluster.RedisStore;
import webcall.peerjs.PeerRegistry.Outcome;
import webcall.support.RedisServer;

/**
 * Two nodes in one JVM, each wired as {@code webcall --redis-url} wires itself, on one real
 * redis-server: what a client of one node sees of a client of the other. (The same with separate
 * processes and SIGKILL: webcall.cluster.ClusterIT.)
 */
class RedisClusterTest {
  private static final AtomicInteger RUN = new AtomicInteger();
  private static RedisServer redis;
  private final List<RedisStore> stores = new ArrayList<>();
  private Realm a;
  private Realm b;
  private String prefix;

  @BeforeAll
  static void startRedis() {
    redis = RedisServer.start();
  }

  @AfterAll
  static void stopRedis() {
    if (redis != null) {
      redis.close();
    }
  }

  @BeforeEach
  void twoNodes() {
    prefix = "cl" + RUN.incrementAndGet() + ":";
    a = node();
    b = node();
  }

  private Realm node() {
    RedisStore store = RedisStore.connect(RedisStore.parse(redis.url()), NodeId.random(), prefix);
    stores.add(store);
    PeerJsOptions options =
        new PeerJsOptions(
            "peerjs",
            "/",
            Duration.ofMillis(300),
            Duration.ofMillis(60_000),
            Duration.ofMillis(100),
            10,
            false,
            PeerJsOptions.Limits.DEFAULT);
    return PeerJsState.clustered(options, PeerJsMetrics.none(), store, Duration.ofSeconds(2));
  }

  @AfterEach
  void stopNodes() {
    if (!redis.isRunning()) {
      redis.startAgain();
    }
    stores.forEach(RedisStore::close);
  }

  /** A link the bus's threads may write to while the test reads it. */
  static final class Link implements PeerLink {
    final List<String> sent = new CopyOnWriteArrayList<>();
    volatile int closedWith;

    @Override
    public boolean isOpen() {
      return closedWith == 0;
    }

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void send(byte[] json) {
      sent.add(new String(json, StandardCharsets.UTF_8));
    }

    @Override
    public void close(Rejection why) {
      closedWith = why.closeCode();
    }

    @Override
    public void closeQuietly(int code, String reason) {
      closedWith = code;
    }
  }

  @Test
  void anIdIsTakenOnEveryNode() {
    assertThat(a.register("x", "t1", new Link()).outcome()).isEqualTo(Outcome.OPENED);
    assertThat(b.register("x", "t2", new Link()).outcome()).isEqualTo(Outcome.ID_TAKEN);
    assertThat(b.register("y", "t2", new Link()).outcome()).isEqualTo(Outcome.OPENED);
    assertThat(a.ids()).containsExactlyInAnyOrder("x", "y");
    assertThat(a.size()).isEqualTo(2);
  }

  @Test
  void theSameTokenOnAnotherNodeTakesOverAndTheOldSocketCloses() {
    Link old = new Link();
    a.register("x", "t", old);
    Link fresh = new Link();
    assertThat(b.register("x", "t", fresh).outcome()).isEqualTo(Outcome.TAKEN_OVER);
    await().atMost(Duration.ofSeconds(5)).until(() -> old.closedWith == 1000);
    assertThat(a.get("x")).isNull();
    assertThat(b.get("x")).isNotNull();
    // Messages now reach the new socket, from either node.
    a.register("s", "t", new Link());
    a.transmit("s", "x", json("{\"type\":\"OFFER\"}"));
    await().atMost(Duration.ofSeconds(5)).until(() -> fresh.sent.contains("{\"type\":\"OFFER\"}"));
    assertThat(old.sent).isEmpty();
  }

  @Test
  void aMessageReachesASocketOnTheOtherNode() {
    Link la = new Link();
    Link lb = new Link();
    a.register("pa", "t", la);
    b.register("pb", "t", lb);
    for (int i = 0; i < 50; i++) {
      a.transmit("pa", "pb", json("m" + i));
    }
    b.transmit("pb", "pa", json("answer"));
    await().atMost(Duration.ofSeconds(5)).until(() -> lb.sent.size() == 50);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      expected.add("m" + i);
    }
    assertThat(lb.sent).containsExactlyElementsOf(expected); // in order
    await().atMost(Duration.ofSeconds(5)).until(() -> la.sent.contains("answer"));
    assertThat(a.transmitUnqueued("pa", "pb", json("leave"))).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> lb.sent.contains("leave"));
  }

  @Test
  void aQueuedMessageIsDeliveredWhenThePeerConnectsToTheOtherNode() {
    a.register("pa", "t", new Link());
    a.transmit("pa", "late", json("offer"));
    assertThat(a.queuedMessages()).isEqualTo(1);
    Link late = new Link();
    PeerClient c = b.register("late", "t", late).client();
    b.deliverQueued(c);
    assertThat(late.sent).containsExactly("offer");
    assertThat(b.queuedMessages()).isZero();
  }

  @Test
  void theSenderOnTheOtherNodeGetsExpire() {
    Link sender = new Link();
    a.register("pa", "t", sender);
    a.transmit("pa", "never", json("offer"));
    // Any node's sweep may expire it: here b's, so the EXPIRE has to cross to a.
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(50))
        .until(
            () -> {
              b.expireQueues();
              return sender.sent.contains("{\"type\":\"EXPIRE\",\"src\":\"never\",\"dst\":\"pa\"}");
            });
    assertThat(a.queuedMessages()).isZero();
  }

  @Test
  void idsNameKeysEscapedAndBadIdsNeverReachRedis() {
    a.register("a b", "t", new Link());
    assertThat(redis.command("EXISTS " + prefix + "pj:id:a%20b")).isEqualTo(":1");
    Link sender = new Link();
    a.register("s", "t", sender);
    a.transmit("s", "no/such*id", json("offer"));
    assertThat(sender.sent)
        .containsExactly("{\"type\":\"EXPIRE\",\"src\":\"no/such*id\",\"dst\":\"s\"}");
    assertThat(redis.command("EXISTS " + prefix + "pj:qtotals")).isEqualTo(":0");
  }

  @Test
  void whileRedisIsDownNewIdsAreRefusedAndLocalSocketsStillTalk() {
    Link x = new Link();
    Link y = new Link();
    a.register("x", "t", x);
    a.register("y", "t", y);
    redis.stop();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> a.register("z", "t", new Link()).outcome() == Outcome.UNAVAILABLE);
    a.transmit("x", "y", json("still here"));
    assertThat(y.sent).containsExactly("still here");
    redis.startAgain(); // empty
    // Each node announces what it holds again: b learns that x is taken.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> b.ids().containsAll(List.of("x", "y")));
    assertThat(b.register("x", "other", new Link()).outcome()).isEqualTo(Outcome.ID_TAKEN);
    assertThat(x.closedWith).isZero();
    assertThat(a.register("z", "t", new Link()).outcome()).isEqualTo(Outcome.OPENED);
  }
}
