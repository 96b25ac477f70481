package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The registry and its offline queues on a clock the test moves: expiry and silence are exact, with
 * no sleeping.
 */
class RealmTest {
  private final AtomicLong millis = new AtomicLong(1_000_000);

  private Realm realm(int concurrentLimit, Map<String, Long> limits) {
    PeerJsOptions options =
        new PeerJsOptions(
            "peerjs",
            "/",
            Duration.ofMillis(5000),
            Duration.ofMillis(60_000),
            Duration.ofMillis(1000),
            concurrentLimit,
            false,
            PeerJsOptions.Limits.from(limits));
    return new Realm(options, PeerJsMetrics.none(), millis::get);
  }

  private Realm realm() {
    return realm(10, Map.of());
  }

  private static List<String> texts(EmbeddedChannel ch) {
    List<String> out = new ArrayList<>();
    for (Object o; (o = ch.readOutbound()) != null; ) {
      if (o instanceof TextWebSocketFrame t) {
        out.add(t.text());
      } else if (o instanceof CloseWebSocketFrame c) {
        out.add("close " + c.statusCode());
      }
      io.netty.util.ReferenceCountUtil.release(o);
    }
    return out;
  }

  private static byte[] json(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void registersTakesOverAndRefuses() {
    Realm realm = realm(1, Map.of());
    EmbeddedChannel first = new EmbeddedChannel();
    EmbeddedChannel second = new EmbeddedChannel();
    assertThat(realm.register("a", "t1", first).outcome()).isEqualTo(Realm.Outcome.OPENED);
    assertThat(realm.register("a", "other", second).outcome()).isEqualTo(Realm.Outcome.ID_TAKEN);
    Realm.Registration again = realm.register("a", "t1", second);
    assertThat(again.outcome()).isEqualTo(Realm.Outcome.TAKEN_OVER);
    assertThat(again.replaced()).isSameAs(first);
    assertThat(realm.get("a").socket()).isSameAs(second);
    assertThat(realm.register("b", "t", new EmbeddedChannel()).outcome())
        .isEqualTo(Realm.Outcome.LIMIT_REACHED);
    assertThat(realm.size()).isEqualTo(1);
    // The old socket no longer speaks for the id: its close does not free it.
    assertThat(realm.unregister(realm.get("a"), first)).isFalse();
    assertThat(realm.unregister(realm.get("a"), second)).isTrue();
    assertThat(realm.size()).isZero();
  }

  @Test
  void aMessageForAPresentPeerGoesStraightToItsSocket() {
    Realm realm = realm();
    EmbeddedChannel b = new EmbeddedChannel();
    realm.register("b", "t", b);
    realm.transmit("a", "b", json("{\"type\":\"OFFER\"}"));
    assertThat(texts(b)).containsExactly("{\"type\":\"OFFER\"}");
    assertThat(realm.queuedMessages()).isZero();
  }

  @Test
  void queuedMessagesAreDeliveredInOrderWhenThePeerComes() {
    Realm realm = realm();
    realm.transmit("a", "b", json("1"));
    realm.transmit("a", "b", json("2"));
    assertThat(realm.queuedMessages()).isEqualTo(2);
    EmbeddedChannel b = new EmbeddedChannel();
    PeerClient client = realm.register("b", "t", b).client();
    realm.deliverQueued(client);
    assertThat(texts(b)).containsExactly("1", "2");
    assertThat(realm.queuedMessages()).isZero();
    assertThat(realm.queuedSenders()).isZero();
  }

  @Test
  void aQueueExpiresExactlyAtExpireTimeoutAndTheSenderIsToldOnce() {
    Realm realm = realm();
    EmbeddedChannel a = new EmbeddedChannel();
    realm.register("a", "t", a);
    realm.transmit("a", "nobody", json("1"));
    millis.addAndGet(1000);
    realm.transmit("a", "nobody", json("2")); // the queue's age counts from its first message
    millis.addAndGet(3999);
    realm.expireQueues(realm.now());
    assertThat(texts(a)).isEmpty();
    assertThat(realm.queuedMessages()).isEqualTo(2);
    millis.addAndGet(1);
    realm.expireQueues(realm.now());
    assertThat(texts(a)).containsExactly("{\"type\":\"EXPIRE\",\"src\":\"nobody\",\"dst\":\"a\"}");
    assertThat(realm.queuedMessages()).isZero();
    assertThat(realm.queuedSenders()).isZero();
    realm.expireQueues(realm.now());
    assertThat(texts(a)).isEmpty();
  }

  @Test
  void aFullQueueExpiresTheNewMessageAtOnce() {
    Realm realm = realm(10, Map.of("queue-per-destination", 2L));
    EmbeddedChannel a = new EmbeddedChannel();
    realm.register("a", "t", a);
    realm.transmit("a", "b", json("1"));
    realm.transmit("a", "b", json("2"));
    assertThat(texts(a)).isEmpty();
    realm.transmit("a", "b", json("3"));
    assertThat(texts(a)).containsExactly("{\"type\":\"EXPIRE\",\"src\":\"b\",\"dst\":\"a\"}");
    assertThat(realm.queuedMessages()).isEqualTo(2);
  }

  @Test
  void queuesAreBoundedPerSenderAndInBytes() {
    Realm realm = realm(10, Map.of("queue-per-sender", 2L, "queue-bytes-per-destination", 10L));
    realm.transmit("a", "x", json("1"));
    realm.transmit("a", "y", json("2"));
    realm.transmit("a", "z", json("3")); // a third waiting message from a
    realm.transmit("c", "w", json("12345678901")); // 11 bytes: over one destination's bytes
    assertThat(realm.queuedMessages()).isEqualTo(2);
    assertThat(realm.queuedSenders()).isEqualTo(1);
  }

  @Test
  void aSilentClientIsDroppedExactlyAtAliveTimeoutAndAHeartbeatKeepsItAlive() {
    Realm realm = realm();
    EmbeddedChannel a = new EmbeddedChannel();
    PeerClient client = realm.register("a", "t", a).client();
    millis.addAndGet(30_000);
    client.heartbeat(realm.now());
    millis.addAndGet(59_999);
    realm.dropSilentClients(realm.now());
    assertThat(realm.get("a")).isNotNull();
    millis.addAndGet(1);
    realm.dropSilentClients(realm.now());
    assertThat(realm.get("a")).isNull();
    assertThat(realm.size()).isZero();
    assertThat(texts(a))
        .containsExactly(
            Rejection.ALIVE_TIMEOUT.frame(), "close " + Rejection.ALIVE_TIMEOUT.closeCode());
  }

  @Test
  void aTakeOverRestartsTheAliveTimeout() {
    Realm realm = realm();
    realm.register("a", "t", new EmbeddedChannel());
    millis.addAndGet(59_000);
    EmbeddedChannel second = new EmbeddedChannel();
    realm.register("a", "t", second);
    millis.addAndGet(59_000);
    realm.dropSilentClients(realm.now());
    assertThat(realm.get("a")).isNotNull();
  }
}
