package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;
import static webcall.peerjs.Peers.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The relay's one decision, deliver here, forward or queue, on the in-memory parts. */
class RelayTest {
  private final AtomicLong millis = new AtomicLong(1_000_000);
  private final List<String> forwarded = new ArrayList<>();
  private PeerRegistry registry = new InMemoryPeerRegistry(10);
  private OfflineQueue queue;

  private Relay relay(Map<String, Long> limits) {
    queue = new InMemoryOfflineQueue(Peers.options(10, limits), millis::get);
    return new Relay(
        registry,
        queue,
        (node, src, dst, json, queueIfGone) ->
            forwarded.add(
                node
                    + " "
                    + src
                    + ">"
                    + dst
                    + " "
                    + new String(json, StandardCharsets.UTF_8)
                    + (queueIfGone ? "" : " unqueued")),
        PeerJsMetrics.none());
  }

  private Relay relay() {
    return relay(Map.of());
  }

  private FakeLink register(String id) {
    FakeLink link = new FakeLink();
    registry.register(id, "t", link, millis.get());
    return link;
  }

  @Test
  void aMessageForAPresentPeerGoesStraightToItsSocket() {
    Relay relay = relay();
    FakeLink b = register("b");
    relay.transmit("a", "b", json("{\"type\":\"OFFER\"}"));
    assertThat(b.texts()).containsExactly("{\"type\":\"OFFER\"}");
    assertThat(queue.messages()).isZero();
  }

  @Test
  void queuedMessagesAreDeliveredInOrderWhenThePeerComes() {
    Relay relay = relay();
    relay.transmit("a", "b", json("1"));
    relay.transmit("a", "b", json("2"));
    assertThat(queue.messages()).isEqualTo(2);
    FakeLink b = new FakeLink();
    PeerClient client = registry.register("b", "t", b, millis.get()).client();
    relay.deliverQueued(client);
    assertThat(b.texts()).containsExactly("1", "2");
    assertThat(queue.messages()).isZero();
    assertThat(queue.senders()).isZero();
  }

  @Test
  void aFullQueueExpiresTheNewMessageAtOnce() {
    Relay relay = relay(Map.of("queue-per-destination", 2L));
    FakeLink a = register("a");
    relay.transmit("a", "b", json("1"));
    relay.transmit("a", "b", json("2"));
    assertThat(a.texts()).isEmpty();
    relay.transmit("a", "b", json("3"));
    assertThat(a.texts()).containsExactly("{\"type\":\"EXPIRE\",\"src\":\"b\",\"dst\":\"a\"}");
    assertThat(queue.messages()).isEqualTo(2);
  }

  @Test
  void anExpiredQueueTellsEachSenderOnce() {
    Relay relay = relay();
    FakeLink a = register("a");
    relay.transmit("a", "nobody", json("1"));
    relay.transmit("a", "nobody", json("2"));
    relay.transmit("gone", "nobody", json("3")); // a sender that left is told nothing
    millis.addAndGet(4999);
    relay.expireQueues();
    assertThat(a.texts()).isEmpty();
    millis.addAndGet(1);
    relay.expireQueues();
    assertThat(a.texts()).containsExactly("{\"type\":\"EXPIRE\",\"src\":\"nobody\",\"dst\":\"a\"}");
    assertThat(queue.messages()).isZero();
    relay.expireQueues();
    assertThat(a.texts()).isEmpty();
  }

  @Test
  void theExpireNamesTheIdsAsJsonStrings() {
    Relay relay = relay(Map.of("queue-per-destination", 1L));
    FakeLink a = register("a");
    relay.transmit("a", "x\"y", json("1"));
    relay.transmit("a", "x\"y", json("2"));
    assertThat(a.texts()).containsExactly("{\"type\":\"EXPIRE\",\"src\":\"x\\\"y\",\"dst\":\"a\"}");
  }

  @Test
  void aMessageForAnIdOnAnotherNodeIsForwardedThere() {
    registry = new ElsewhereRegistry(registry, "b", "node-2");
    Relay relay = relay();
    relay.transmit("a", "b", json("1"));
    assertThat(forwarded).containsExactly("node-2 a>b 1");
    assertThat(queue.messages()).isZero();
  }

  @Test
  void aLeaveGoesWhereverItsDestinationIsAndIsNeverQueued() {
    registry = new ElsewhereRegistry(registry, "b", "node-2");
    Relay relay = relay();
    FakeLink c = register("c");
    assertThat(relay.transmitUnqueued("a", "c", json("here"))).isTrue();
    assertThat(relay.transmitUnqueued("a", "b", json("there"))).isTrue();
    assertThat(relay.transmitUnqueued("a", "nobody", json("lost"))).isFalse();
    assertThat(c.texts()).containsExactly("here");
    assertThat(forwarded).containsExactly("node-2 a>b there unqueued");
    assertThat(queue.messages()).isZero();
  }

  @Test
  void anExpireForASenderOnAnotherNodeIsForwardedThereUnqueued() {
    registry = new ElsewhereRegistry(registry, "s", "node-3");
    Relay relay = relay(Map.of("queue-per-destination", 1L));
    relay.transmit("s", "x", json("1"));
    relay.transmit("s", "x", json("2"));
    assertThat(forwarded)
        .containsExactly("node-3 x>s {\"type\":\"EXPIRE\",\"src\":\"x\",\"dst\":\"s\"} unqueued");
  }

  /** A registry that says one id's socket is on another node, as a shared one would. */
  private record ElsewhereRegistry(PeerRegistry here, String id, String node)
      implements PeerRegistry {
    @Override
    public Registration register(String id, String token, PeerLink link, long now) {
      return here.register(id, token, link, now);
    }

    @Override
    public boolean unregister(PeerClient client, PeerLink link) {
      return here.unregister(client, link);
    }

    @Override
    public PeerClient get(String id) {
      return here.get(id);
    }

    @Override
    public Optional<String> remoteNode(String id) {
      return this.id.equals(id) ? Optional.of(node) : Optional.empty();
    }

    @Override
    public int size() {
      return here.size();
    }

    @Override
    public Collection<String> ids() {
      return here.ids();
    }

    @Override
    public Collection<PeerClient> localClients() {
      return here.localClients();
    }
  }
}
