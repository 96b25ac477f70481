package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import webcall.PeerJsState;
import webcall.peerjs.PeerJsMetrics;
import webcall.peerjs.PeerJsOptions;
import webcall.peerjs.PeerLink;
import webcall.peerjs.Realm;
import webcall.peerjs.Rejection;
import webcall.socketio.DisconnectReason;
import webcall.socketio.Outgoing;
import webcall.socketio.Socket;

/**
 * The room signaling's time, read from an injected {@link RoomClock}: the event rate, the flood
 * timer and a chat message's time, driven here without sleeping.
 */
class RoomSignalingClockTest {
  private static final long MS = 1_000_000L;

  /** Starts far from 0: a flood timer must not take its own start for "not flooding". */
  private final AtomicLong nanos = new AtomicLong(5_000_000_000L);

  private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  private final RoomClock clock = new RoomClock(nanos::get, wall::get);
  private final Realm realm =
      PeerJsState.inMemory(PeerJsOptions.defaults("/peerjs"), PeerJsMetrics.none());

  /** 1 event a second, 2 at once, cut off after 1 s of flooding. */
  private final SignalingLimits limits =
      new SignalingLimits(64, 2000, 1, 2, 1_000, 25_000, 20_000, 45_000, 1 << 20, 5, 20);

  private final RoomSignaling signaling =
      new RoomSignaling(
          realm, new InMemoryRoomDirectory(4), limits, RoomMetrics.none(), false, clock);

  @Test
  void aFloodThatGoesOnPastTheGraceIsDisconnected() {
    FakeSocket s = connect("s1");
    assertThat(chat(s, 3)).as("the burst, then a drop").isEqualTo(2);
    assertThat(signaling.droppedEvents()).isEqualTo(1);
    nanos.addAndGet(600 * MS);
    assertThat(chat(s, 1)).isZero();
    assertThat(s.disconnectedWith).as("600 ms of flooding: within the grace").isNull();
    nanos.addAndGet(600 * MS);
    assertThat(chat(s, 1)).as("refilled: 1.2 tokens").isEqualTo(1);
    assertThat(s.disconnectedWith).isNull();
    assertThat(chat(s, 1)).isZero();
    assertThat(s.disconnectedWith)
        .as("1.2 s of flooding, no calm second in between")
        .isEqualTo(DisconnectReason.FLOOD);
  }

  @Test
  void aCalmSecondEndsTheFlood() {
    FakeSocket s = connect("s2");
    assertThat(chat(s, 3)).isEqualTo(2);
    nanos.addAndGet(1_500 * MS);
    assertThat(chat(s, 2)).as("calm for 1.5 s: one admitted, a new flood starts").isEqualTo(1);
    nanos.addAndGet(900 * MS);
    assertThat(chat(s, 2)).isEqualTo(1);
    assertThat(s.disconnectedWith)
        .as("2.4 s after the first drop, but the flood that goes on started 0.9 s ago")
        .isNull();
    nanos.addAndGet(200 * MS);
    chat(s, 1);
    assertThat(s.disconnectedWith).isEqualTo(DisconnectReason.FLOOD);
  }

  @Test
  void aChatMessageCarriesTheWallClocksTime() {
    FakeSocket a = connect("sa");
    FakeSocket b = connect("sb");
    realm.register("peer-a", "ta", new NullLink());
    realm.register("peer-b", "tb", new NullLink());
    assertThat(join(a, "peer-a", "ta").get("ok")).isEqualTo(true);
    assertThat(join(b, "peer-b", "tb").get("ok")).isEqualTo(true);
    wall.set(1_234_567L);
    List<Object> reply = new ArrayList<>();
    signaling.event(a, RoomSignaling.CHAT, List.of("hi"), args -> reply.add(args[0]));
    assertThat(((Map<?, ?>) ((Map<?, ?>) reply.get(0)).get("message")).get("at"))
        .isEqualTo(1_234_567L);
    assertThat(b.sent).as("the other member got it").isEqualTo(1);
  }

  private FakeSocket connect(String id) {
    FakeSocket s = new FakeSocket(id);
    signaling.connected(s);
    return s;
  }

  private Map<?, ?> join(FakeSocket s, String peer, String token) {
    List<Object> reply = new ArrayList<>();
    signaling.event(
        s,
        RoomSignaling.JOIN,
        List.of("room", peer, Map.of("token", token)),
        args -> reply.add(args[0]));
    return (Map<?, ?>) reply.get(0);
  }

  /** Sends {@code n} chats from a connection in no room; returns how many were answered. */
  private int chat(FakeSocket s, int n) {
    int[] answered = {0};
    for (int i = 0; i < n; i++) {
      signaling.event(s, RoomSignaling.CHAT, List.of("m"), args -> answered[0]++);
    }
    return answered[0];
  }

  private static final class FakeSocket implements Socket {
    final String id;
    DisconnectReason disconnectedWith;
    int sent;

    FakeSocket(String id) {
      this.id = id;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public String namespace() {
      return "/";
    }

    @Override
    public String clientAddress() {
      return "127.0.0.1";
    }

    @Override
    public Map<String, Object> auth() {
      return Map.of();
    }

    @Override
    public void emit(String event, Object... args) {}

    @Override
    public void send(Outgoing packet) {
      sent++;
    }

    @Override
    public void disconnect() {
      disconnect(DisconnectReason.FORCED_CLOSE);
    }

    @Override
    public void disconnect(DisconnectReason why) {
      if (disconnectedWith == null) {
        disconnectedWith = why;
      }
    }
  }

  private static final class NullLink implements PeerLink {
    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public boolean isWritable() {
      return true;
    }

    @Override
    public void send(byte[] json) {}

    @Override
    public void close(Rejection why) {}

    @Override
    public void closeQuietly(int code, String reason) {}
  }
}
