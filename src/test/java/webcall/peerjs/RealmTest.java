package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;
import static webcall.peerjs.Peers.json;

import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The realm's liveness sweep on a clock the test moves: silence is exact, with no sleeping. */
class RealmTest {
  private final AtomicLong millis = new AtomicLong(1_000_000);

  private Realm realm() {
    PeerJsOptions options = Peers.options(10, Map.of());
    PeerJsMetrics metrics = PeerJsMetrics.none();
    PeerRegistry registry = new InMemoryPeerRegistry(options.concurrentLimit());
    OfflineQueue queue = new InMemoryOfflineQueue(options, millis::get);
    Relay relay = new Relay(registry, queue, Relay.Forwarder.NONE, metrics);
    return new Realm(options, metrics, registry, queue, relay, millis::get);
  }

  @Test
  void aSilentClientIsDroppedExactlyAtAliveTimeoutAndAHeartbeatKeepsItAlive() {
    Realm realm = realm();
    FakeLink a = new FakeLink();
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
    assertThat(a.closedWith).isEqualTo(Rejection.ALIVE_TIMEOUT);
  }

  @Test
  void aTakeOverRestartsTheAliveTimeout() {
    Realm realm = realm();
    realm.register("a", "t", new FakeLink());
    millis.addAndGet(59_000);
    realm.register("a", "t", new FakeLink());
    millis.addAndGet(59_000);
    realm.dropSilentClients(realm.now());
    assertThat(realm.get("a")).isNotNull();
  }

  @Test
  void aDroppedClientsQueueGoesWithIt() {
    Realm realm = realm();
    // As if queued in the instant before "late" registered.
    realm.transmit("b", "late", json("1"));
    realm.register("late", "t", new FakeLink());
    millis.addAndGet(60_000);
    realm.dropSilentClients(realm.now());
    assertThat(realm.size()).isZero();
    assertThat(realm.queuedMessages()).isZero();
    assertThat(realm.queuedSenders()).isZero();
  }

  @Test
  void aSlowConsumerIsClosedRatherThanSentTo() {
    Realm realm = realm();
    FakeLink a = new FakeLink();
    realm.register("a", "t", a);
    a.stopReading();
    realm.transmit("b", "a", json("1"));
    assertThat(a.texts()).isEmpty();
    assertThat(a.closedWith).isEqualTo(Rejection.SLOW_CONSUMER);
  }
}
