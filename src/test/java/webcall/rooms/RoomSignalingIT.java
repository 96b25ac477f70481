package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.socket.engineio.client.transports.Polling;
import io.socket.engineio.client.transports.WebSocket;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import webcall.TestServer;
import webcall.support.PeerSocket;
import webcall.support.RoomClient;

/**
 * Room signaling with the official Socket.IO client, over each transport mode a browser may use.
 */
class RoomSignalingIT {
  @RegisterExtension static final TestServer server = new TestServer(c -> c.withRoomCapacity(3));

  static Stream<Arguments> transports() {
    return Stream.of(
        Arguments.of("default (polling, then upgrade)", new String[0]),
        Arguments.of("websocket only", new String[] {WebSocket.NAME}),
        Arguments.of("polling only", new String[] {Polling.NAME}));
  }

  private static String room(String name, String[] transports) {
    return name + "-" + transports.length + (transports.length > 0 ? transports[0] : "");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transports")
  void announcementsReachTheOthersInTheRoomOnly(String label, String[] transports) {
    String room = room("r", transports);
    String tag = room.replace("-", "");
    try (RoomClient a = new RoomClient(server.port(), tag + "a", transports);
        RoomClient b = new RoomClient(server.port(), tag + "b", transports);
        RoomClient c = new RoomClient(server.port(), tag + "c", transports);
        RoomClient elsewhere = new RoomClient(server.port(), tag + "x", transports)) {
      assertThat(a.join(room).ok()).isTrue();
      assertThat(elsewhere.join(room + "other").ok()).isTrue();
      RoomClient.JoinAck bJoined = b.join(room);
      assertThat(bJoined.ok()).isTrue();
      assertThat(bJoined.members()).containsExactly(a.peerId);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> a.events.contains("user-connected:" + b.peerId));

      RoomClient.JoinAck cJoined = c.join(room);
      assertThat(cJoined.members()).containsExactlyInAnyOrder(a.peerId, b.peerId);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  a.events.contains("user-connected:" + c.peerId)
                      && b.events.contains("user-connected:" + c.peerId));

      b.socket.disconnect();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  a.events.contains("user-disconnected:" + b.peerId)
                      && c.events.contains("user-disconnected:" + b.peerId));
      await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> true);

      assertThat(a.events)
          .containsExactly(
              "user-connected:" + b.peerId,
              "user-connected:" + c.peerId,
              "user-disconnected:" + b.peerId);
      assertThat(b.events)
          .as("nobody hears of their own joining")
          .containsExactly("user-connected:" + c.peerId);
      assertThat(c.events).containsExactly("user-disconnected:" + b.peerId);
      assertThat(elsewhere.events).as("other rooms hear nothing").isEmpty();
    }
  }

  @Test
  void aLostConnectionIsAnnouncedOnceAndForgotten() throws Exception {
    try (RoomClient a = new RoomClient(server.port(), "lossA", WebSocket.NAME);
        PeerSocket lostPeer = PeerSocket.connect(server.port(), "lossB", "tokLoss")) {
      a.join("loss");
      lostPeer.next();
      // A raw Engine.IO v4 session over a WebSocket, cut without a close frame: what a network loss
      // looks like.
      try (PeerSocket eio = PeerSocket.open(server.ws("/socket.io/?EIO=4&transport=websocket"))) {
        assertThat(eio.nextText(5)).startsWith("0{\"sid\"");
        eio.send("40");
        assertThat(eio.nextText(5)).startsWith("40");
        eio.send("421[\"join-room\",\"loss\",\"lossB\",{\"token\":\"tokLoss\"}]");
        assertThat(eio.nextText(5)).startsWith("431[{\"ok\":true");
        await()
            .atMost(Duration.ofSeconds(5))
            .until(() -> a.events.contains("user-connected:lossB"));
      } // abort(): TCP closed with no WebSocket close frame
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> a.events.contains("user-disconnected:lossB"));
      await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> true);
      assertThat(a.count("user-disconnected:lossB")).isEqualTo(1);
    }
  }

  @Test
  void badIdsAreRejectedAndNobodyIsTold() {
    try (RoomClient a = new RoomClient(server.port(), "badA", WebSocket.NAME);
        RoomClient b = new RoomClient(server.port(), "badB", WebSocket.NAME);
        RoomClient holder = new RoomClient(server.port(), "badHolder", WebSocket.NAME)) {
      a.join("bad");
      assertThat(b.join("no spaces allowed", b.peerId, b.token).error()).isEqualTo("bad-room");
      assertThat(b.join("x".repeat(65), b.peerId, b.token).error()).isEqualTo("bad-room");
      assertThat(b.join(42, b.peerId, b.token).error()).isEqualTo("bad-room");
      assertThat(b.join("bad", "notRegistered", b.token).error()).isEqualTo("bad-user");
      assertThat(b.join("bad", b.peerId, "wrongToken").error()).isEqualTo("bad-user");
      assertThat(b.join("bad", b.peerId, null).error()).isEqualTo("bad-user");
      assertThat(b.join("bad", holder.peerId, b.token).error())
          .as("someone else's PeerJS id: a spoofed user-connected")
          .isEqualTo("bad-user");
      assertThat(b.join("bad", "<img src=x onerror=alert(1)>", b.token).error())
          .isEqualTo("bad-user");

      assertThat(b.join("bad").ok()).isTrue();
      RoomClient.JoinAck again = b.join("bad");
      assertThat(again.ok()).isFalse();
      assertThat(again.error()).isEqualTo("already-joined");
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
      assertThat(a.events).containsExactly("user-connected:" + b.peerId);
    }
  }

  @Test
  void aFullRoomTurnsTheNewcomerAwayAndTheMembersSeeNothing() {
    try (RoomClient a = new RoomClient(server.port(), "fullA", WebSocket.NAME);
        RoomClient b = new RoomClient(server.port(), "fullB", WebSocket.NAME);
        RoomClient c = new RoomClient(server.port(), "fullC", WebSocket.NAME);
        RoomClient d = new RoomClient(server.port(), "fullD", WebSocket.NAME)) {
      a.join("full");
      b.join("full");
      assertThat(c.join("full").ok()).as("at the capacity of 3").isTrue();
      RoomClient.JoinAck refused = d.join("full");
      assertThat(refused.ok()).isFalse();
      assertThat(refused.error()).isEqualTo("room-full");
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
      assertThat(a.events).containsExactly("user-connected:fullB", "user-connected:fullC");
      c.socket.disconnect();
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> a.events.contains("user-disconnected:fullC"));
      assertThat(d.join("full").ok()).as("a place freed up").isTrue();
    }
  }

  @Test
  void aMessageOverThePayloadLimitClosesOnlyThatConnection() {
    try (RoomClient a = new RoomClient(server.port(), "bigA", WebSocket.NAME);
        RoomClient b = new RoomClient(server.port(), "bigB", WebSocket.NAME)) {
      a.join("big");
      b.join("big");
      b.socket.emit("join-room", "x".repeat(1_000_100));
      await().atMost(Duration.ofSeconds(5)).until(() -> !b.socket.connected());
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> a.events.contains("user-disconnected:bigB"));
      assertThat(a.socket.connected()).isTrue();
    }
  }

  @Test
  void noRoomStateIsKeptAfterEveryoneLeaves() {
    try (RoomClient a = new RoomClient(server.port(), "goneA", WebSocket.NAME);
        RoomClient b = new RoomClient(server.port(), "goneB", Polling.NAME)) {
      a.join("gone");
      b.join("gone");
      assertThat(server.server().rooms().size("gone")).isEqualTo(2);
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> server.server().rooms().size("gone") == 0);
  }
}
