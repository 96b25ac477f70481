package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;
import static webcall.peerjs.Peers.json;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * What every {@link OfflineQueue} does, on a clock the test moves: expiry is exact, with no
 * sleeping. Each implementation runs it through a subclass.
 */
abstract class OfflineQueueContract {
  private final AtomicLong millis = new AtomicLong(1_000_000);

  /** A fresh, empty queue with these options (expire_timeout 5 s), aging by {@code clock}. */
  protected abstract OfflineQueue queue(PeerJsOptions options, LongSupplier clock);

  private OfflineQueue queue(Map<String, Long> limits) {
    return queue(Peers.options(10, limits), millis::get);
  }

  private static List<String> texts(List<byte[]> messages) {
    List<String> out = new ArrayList<>();
    for (byte[] m : messages) {
      out.add(new String(m, StandardCharsets.UTF_8));
    }
    return out;
  }

  private record Expired(String dst, List<String> senders, int messages) {}

  private static List<Expired> expire(OfflineQueue queue) {
    List<Expired> out = new ArrayList<>();
    queue.expire(
        (dst, senders, messages) -> out.add(new Expired(dst, List.copyOf(senders), messages)));
    return out;
  }

  @Test
  void messagesAreTakenInOrderAndOnce() {
    OfflineQueue queue = queue(Map.of());
    assertThat(queue.offer("a", "b", json("1"))).isTrue();
    assertThat(queue.offer("c", "b", json("2"))).isTrue();
    assertThat(queue.offer("a", "x", json("3"))).isTrue();
    assertThat(queue.messages()).isEqualTo(3);
    assertThat(queue.senders()).isEqualTo(2);
    assertThat(texts(queue.take("b"))).containsExactly("1", "2");
    assertThat(queue.take("b")).isEmpty();
    assertThat(queue.messages()).isEqualTo(1);
    assertThat(queue.senders()).isEqualTo(1);
    assertThat(queue.take("nobody")).isEmpty();
  }

  @Test
  void aQueueExpiresExactlyAtExpireTimeoutAndEachSenderIsToldOnce() {
    OfflineQueue queue = queue(Map.of());
    queue.offer("a", "nobody", json("1"));
    millis.addAndGet(1000);
    queue.offer("a", "nobody", json("2")); // the queue's age counts from its first message
    queue.offer("c", "nobody", json("3"));
    millis.addAndGet(3999);
    assertThat(expire(queue)).isEmpty();
    assertThat(queue.messages()).isEqualTo(3);
    millis.addAndGet(1);
    assertThat(expire(queue)).containsExactly(new Expired("nobody", List.of("a", "c"), 3));
    assertThat(queue.messages()).isZero();
    assertThat(queue.senders()).isZero();
    assertThat(expire(queue)).isEmpty();
  }

  @Test
  void aFullDestinationRefusesTheNewMessage() {
    OfflineQueue queue = queue(Map.of("queue-per-destination", 2L));
    assertThat(queue.offer("a", "b", json("1"))).isTrue();
    assertThat(queue.offer("a", "b", json("2"))).isTrue();
    assertThat(queue.offer("c", "b", json("3"))).isFalse();
    assertThat(queue.offer("c", "d", json("4"))).isTrue();
    assertThat(texts(queue.take("b"))).containsExactly("1", "2");
  }

  @Test
  void queuesAreBoundedPerSenderAndInBytesPerDestination() {
    OfflineQueue queue = queue(Map.of("queue-per-sender", 2L, "queue-bytes-per-destination", 10L));
    assertThat(queue.offer("a", "x", json("1"))).isTrue();
    assertThat(queue.offer("a", "y", json("2"))).isTrue();
    assertThat(queue.offer("a", "z", json("3"))).isFalse(); // a third waiting message from a
    // 11 bytes: over one destination's bytes, new or not.
    assertThat(queue.offer("c", "w", json("12345678901"))).isFalse();
    assertThat(queue.offer("c", "x", json("123456789"))).isTrue();
    assertThat(queue.offer("c", "x", json("1"))).isFalse(); // x holds 10 bytes already
    assertThat(queue.messages()).isEqualTo(3);
    assertThat(queue.senders()).isEqualTo(2);
  }

  @Test
  void queuesAreBoundedInTotal() {
    OfflineQueue queue = queue(Map.of("queue-total", 2L));
    assertThat(queue.offer("a", "x", json("1"))).isTrue();
    assertThat(queue.offer("b", "y", json("2"))).isTrue();
    assertThat(queue.offer("c", "z", json("3"))).isFalse();
    queue.take("x");
    assertThat(queue.offer("c", "z", json("3"))).isTrue();
  }

  @Test
  void queuesAreBoundedInTotalBytes() {
    OfflineQueue queue = queue(Map.of("queue-total-bytes", 5L));
    assertThat(queue.offer("a", "x", json("123"))).isTrue();
    assertThat(queue.offer("b", "y", json("123"))).isFalse();
    assertThat(queue.offer("b", "y", json("12"))).isTrue();
  }

  @Test
  void aDroppedQueueIsForgottenAndTellsNoOne() {
    OfflineQueue queue = queue(Map.of());
    queue.offer("a", "b", json("1"));
    queue.drop("b");
    queue.drop("nobody");
    assertThat(queue.messages()).isZero();
    assertThat(queue.senders()).isZero();
    millis.addAndGet(10_000);
    assertThat(expire(queue)).isEmpty();
  }

  @Test
  void aTakenQueueStartsAfresh() {
    OfflineQueue queue = queue(Map.of());
    queue.offer("a", "b", json("1"));
    millis.addAndGet(4000);
    queue.take("b");
    queue.offer("a", "b", json("2"));
    millis.addAndGet(4000);
    assertThat(expire(queue)).isEmpty();
    millis.addAndGet(1000);
    assertThat(expire(queue)).containsExactly(new Expired("b", List.of("a"), 1));
  }
}
