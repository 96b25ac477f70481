package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import webcall.peerjs.PeerRegistry.Outcome;
import webcall.peerjs.PeerRegistry.Registration;

/**
 * What every {@link PeerRegistry} does, seen from one node that holds every socket it registers.
 * Each implementation runs it through a subclass.
 */
abstract class PeerRegistryContract {

  /** A fresh, empty registry of at most {@code concurrentLimit} ids. */
  protected abstract PeerRegistry registry(int concurrentLimit);

  @Test
  void registersTakesOverAndRefuses() {
    PeerRegistry registry = registry(1);
    FakeLink first = new FakeLink();
    FakeLink second = new FakeLink();
    assertThat(registry.register("a", "t1", first, 0).outcome()).isEqualTo(Outcome.OPENED);
    assertThat(registry.register("a", "other", second, 0).outcome()).isEqualTo(Outcome.ID_TAKEN);
    Registration again = registry.register("a", "t1", second, 0);
    assertThat(again.outcome()).isEqualTo(Outcome.TAKEN_OVER);
    assertThat(again.replaced()).isSameAs(first);
    assertThat(registry.get("a").link()).isSameAs(second);
    assertThat(registry.register("b", "t", new FakeLink(), 0).outcome())
        .isEqualTo(Outcome.LIMIT_REACHED);
    assertThat(registry.size()).isEqualTo(1);
    assertThat(registry.ids()).containsExactly("a");
  }

  @Test
  void onlyTheLinkThatSpeaksForAnIdFreesIt() {
    PeerRegistry registry = registry(10);
    FakeLink first = new FakeLink();
    FakeLink second = new FakeLink();
    PeerClient client = registry.register("a", "t", first, 0).client();
    registry.register("a", "t", second, 0);
    // The old socket no longer speaks for the id: its close does not free it.
    assertThat(registry.unregister(client, first)).isFalse();
    assertThat(registry.get("a")).isSameAs(client);
    assertThat(registry.unregister(client, second)).isTrue();
    assertThat(registry.get("a")).isNull();
    assertThat(registry.size()).isZero();
    assertThat(registry.ids()).isEmpty();
  }

  @Test
  void aClientOfAFreedIdDoesNotFreeItsNewHolder() {
    PeerRegistry registry = registry(10);
    FakeLink link = new FakeLink();
    PeerClient gone = registry.register("a", "t", link, 0).client();
    registry.unregister(gone, link);
    PeerClient now = registry.register("a", "t", link, 0).client();
    assertThat(registry.unregister(gone, link)).isFalse();
    assertThat(registry.get("a")).isSameAs(now);
  }

  @Test
  void aFreedIdCountsNoLongerAgainstTheLimit() {
    PeerRegistry registry = registry(1);
    FakeLink link = new FakeLink();
    PeerClient a = registry.register("a", "t", link, 0).client();
    registry.unregister(a, link);
    assertThat(registry.register("b", "t", new FakeLink(), 0).outcome()).isEqualTo(Outcome.OPENED);
  }

  @Test
  void theTokenIsTheOneRegistered() {
    PeerRegistry registry = registry(10);
    registry.register("a", "secret", new FakeLink(), 0);
    assertThat(registry.get("a").tokenMatches("secret")).isTrue();
    assertThat(registry.get("a").tokenMatches("Secret")).isFalse();
    assertThat(registry.get("a").tokenMatches(null)).isFalse();
  }

  @Test
  void aTakeOverRestartsTheClientsSilence() {
    PeerRegistry registry = registry(10);
    PeerClient client = registry.register("a", "t", new FakeLink(), 1000).client();
    assertThat(client.lastPing()).isEqualTo(1000);
    registry.register("a", "t", new FakeLink(), 5000);
    assertThat(client.lastPing()).isEqualTo(5000);
  }

  @Test
  void idsHereAreOnNoOtherNode() {
    PeerRegistry registry = registry(10);
    registry.register("a", "t", new FakeLink(), 0);
    assertThat(registry.remoteNode("a")).isEmpty();
    assertThat(registry.remoteNode("nobody")).isEmpty();
    assertThat(registry.get(null)).isNull();
    assertThat(registry.localClients()).extracting(PeerClient::id).containsExactly("a");
  }
}
