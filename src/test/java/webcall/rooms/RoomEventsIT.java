package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.socket.engineio.client.transports.WebSocket;
import java.time.Duration;
import java.util.List;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import webcall.TestServer;
import webcall.support.RoomClient;

/**
 * The events the call page adds next to the original three (docs/signaling.md): profiles on join,
 * {@code state} and {@code chat}, each checked by the server, over the official Java Socket.IO
 * client.
 */
class RoomEventsIT {
  @RegisterExtension static final TestServer server = new TestServer();

  private static JSONObject json(Object... keyValues) {
    try {
      JSONObject o = new JSONObject();
      for (int i = 0; i < keyValues.length; i += 2) {
        o.put((String) keyValues[i], keyValues[i + 1]);
      }
      return o;
    } catch (JSONException e) {
      throw new AssertionError(e);
    }
  }

  private static String str(JSONObject o, String key) {
    return o.optString(key, null);
  }

  private static RoomClient client(String id) {
    return new RoomClient(server.port(), id, WebSocket.NAME);
  }

  /** Lets events that should not arrive have their chance to, before asserting they did not. */
  private static void settle() {
    await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> true);
  }

  @Test
  void aNewcomerIsAnnouncedWithItsProfileAndLearnsEveryMembersProfile() throws Exception {
    try (RoomClient a = client("profA");
        RoomClient b = client("profB")) {
      assertThat(a.joinAs("prof", json("name", "Ada", "muted", true)).getBoolean("ok")).isTrue();
      JSONObject ack = b.joinAs("prof", json("name", "Bo\u202E\r\nevil", "cameraOff", true));
      assertThat(ack.getBoolean("ok")).isTrue();
      assertThat(ack.getInt("capacity")).isEqualTo(8);
      JSONArray participants = ack.getJSONArray("participants");
      assertThat(participants.length()).isEqualTo(1);
      JSONObject ada = participants.getJSONObject(0);
      assertThat(str(ada, "id")).isEqualTo("profA");
      assertThat(str(ada, "name")).isEqualTo("Ada");
      assertThat(ada.getBoolean("muted")).isTrue();
      assertThat(ada.getBoolean("cameraOff")).isFalse();

      await().atMost(Duration.ofSeconds(5)).until(() -> a.received("user-connected").size() == 1);
      RoomClient.Received joined = a.received("user-connected").get(0);
      assertThat(joined.args().get(0)).isEqualTo("profB");
      // Bidi overrides and line breaks are taken out: a name cannot spoof text around it or split a
      // log line.
      assertThat(str(joined.object(1), "name")).isEqualTo("Boevil");
      assertThat(joined.object(1).getBoolean("cameraOff")).isTrue();
    }
  }

  @Test
  void stateChangesReachTheOthersInTheRoomOnly() throws Exception {
    try (RoomClient a = client("stateA");
        RoomClient b = client("stateB");
        RoomClient other = client("stateX")) {
      a.joinAs("state", json("name", "Ada"));
      b.joinAs("state", json("name", "Bo"));
      other.joinAs("state-other", json("name", "X"));

      assertThat(a.request("state", json("muted", true, "sharing", true)).getBoolean("ok"))
          .isTrue();
      await().atMost(Duration.ofSeconds(5)).until(() -> b.received("user-state").size() == 1);
      RoomClient.Received seen = b.received("user-state").get(0);
      assertThat(seen.args().get(0)).isEqualTo("stateA");
      JSONObject profile = seen.object(1);
      assertThat(str(profile, "name")).as("unchanged fields kept").isEqualTo("Ada");
      assertThat(profile.getBoolean("muted")).isTrue();
      assertThat(profile.getBoolean("sharing")).isTrue();
      assertThat(profile.getBoolean("cameraOff")).isFalse();

      assertThat(a.request("state", json("name", "n".repeat(64))).getBoolean("ok"))
          .as("64 characters")
          .isTrue();
      settle();
      assertThat(a.received("user-state")).as("not echoed to the sender").isEmpty();
      assertThat(other.received("user-state")).as("not sent to other rooms").isEmpty();
      assertThat(b.received("user-state")).hasSize(2);
    }
  }

  @Test
  void badStateIsRefusedWithACodeAndNotPassedOn() throws Exception {
    try (RoomClient a = client("badStateA");
        RoomClient b = client("badStateB");
        RoomClient outsider = client("badStateOut")) {
      a.joinAs("badstate", json("name", "Ada"));
      b.joinAs("badstate", json());
      assertThat(str(a.request("state", json("name", "n".repeat(65))), "error"))
          .isEqualTo("bad-profile");
      assertThat(str(a.request("state", json("muted", "yes")), "error")).isEqualTo("bad-profile");
      assertThat(str(a.request("state", json("name", 42)), "error")).isEqualTo("bad-profile");
      assertThat(str(a.request("state", "muted"), "error")).isEqualTo("bad-profile");
      assertThat(str(outsider.request("state", json("muted", true)), "error"))
          .isEqualTo("not-joined");
      assertThat(str(b.joinAs("badstate2", json("name", "Bo")), "error"))
          .isEqualTo("already-joined");
      try (RoomClient c = client("badStateC")) {
        JSONObject refused = c.joinAs("badstate", json("name", "n".repeat(65)));
        assertThat(refused.getBoolean("ok")).isFalse();
        assertThat(str(refused, "error")).isEqualTo("bad-profile");
      }
      settle();
      assertThat(b.received("user-state")).isEmpty();
      assertThat(b.received("user-connected")).isEmpty();
    }
  }

  @Test
  void chatReachesTheOthersAsPlainTextWithNameAndTime() throws Exception {
    try (RoomClient a = client("chatA");
        RoomClient b = client("chatB");
        RoomClient other = client("chatX")) {
      a.joinAs("chat", json("name", "Ada"));
      b.joinAs("chat", json("name", "Bo"));
      other.joinAs("chat-other", json());
      long before = System.currentTimeMillis();

      JSONObject ack = a.request("chat", "  <b>hi</b>\nsecond line\u0007  ");
      assertThat(ack.getBoolean("ok")).isTrue();
      assertThat(str(ack.getJSONObject("message"), "text")).isEqualTo("<b>hi</b>\nsecond line");
      await().atMost(Duration.ofSeconds(5)).until(() -> b.received("chat-message").size() == 1);
      JSONObject message = b.received("chat-message").get(0).object(0);
      assertThat(str(message, "from")).isEqualTo("chatA");
      assertThat(str(message, "name")).isEqualTo("Ada");
      assertThat(str(message, "text"))
          .as("stored and sent as text, never interpreted")
          .isEqualTo("<b>hi</b>\nsecond line");
      assertThat(message.getLong("at")).isBetween(before, System.currentTimeMillis());

      assertThat(a.request("chat", "x".repeat(2000)).getBoolean("ok"))
          .as("2000 characters")
          .isTrue();
      assertThat(str(a.request("chat", "x".repeat(2001)), "error")).isEqualTo("bad-chat");
      assertThat(str(a.request("chat", "   "), "error")).isEqualTo("bad-chat");
      assertThat(str(a.request("chat", 12), "error")).isEqualTo("bad-chat");
      assertThat(other.request("chat", "alone").getBoolean("ok"))
          .as("a room of one: sent to nobody")
          .isTrue();
      try (RoomClient outsider = client("chatOut")) {
        assertThat(str(outsider.request("chat", "let me in"), "error")).isEqualTo("not-joined");
      }
      settle();
      assertThat(b.received("chat-message")).hasSize(2);
      assertThat(a.received("chat-message")).as("not echoed to the sender").isEmpty();
      assertThat(other.received("chat-message")).isEmpty();
    }
  }

  @Test
  void aFloodIsCutToTheBurstAndAFloodThatGoesOnIsDisconnected() {
    try (RoomClient flooder = client("floodA");
        RoomClient b = client("floodB");
        RoomClient bystander = client("floodC")) {
      flooder.join("flood");
      b.join("flood");
      bystander.join("flood-quiet");
      long droppedBefore = server.server().signaling().droppedEvents();
      for (int i = 0; i < 100; i++) {
        flooder.socket.emit("chat", "m" + i);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> b.received("chat-message").size() >= 49);
      settle();
      // 50 events at once (the join was one), then 20 a second.
      assertThat(b.received("chat-message").size()).isBetween(49, 80);
      assertThat(server.server().signaling().droppedEvents() - droppedBefore)
          .isGreaterThanOrEqualTo(20);
      assertThat(flooder.socket.connected()).as("a short burst is only cut").isTrue();

      // Over the limit for more than 10 s: disconnected, and announced as gone.
      for (int i = 0; i < 130 && flooder.socket.connected(); i++) {
        for (int j = 0; j < 10; j++) {
          flooder.socket.emit("state", new Object[] {"x"});
        }
        await().pollDelay(Duration.ofMillis(100)).until(() -> true);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> !flooder.socket.connected());
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> b.events.contains("user-disconnected:floodA"));
      JSONObject stillServed = bystander.request("chat", "still here");
      assertThat(stillServed.optBoolean("ok")).as("other rooms unaffected").isTrue();
    }
  }

  @Test
  void deeplyNestedJsonClosesOnlyThatConnection() throws Exception {
    try (RoomClient a = client("deepA");
        RoomClient b = client("deepB")) {
      a.join("deep");
      b.join("deep");
      Object nested = "leaf";
      for (int i = 0; i < 40; i++) {
        nested = new JSONArray(List.of(nested));
      }
      b.socket.emit("state", nested);
      await().atMost(Duration.ofSeconds(5)).until(() -> !b.socket.connected());
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> a.events.contains("user-disconnected:deepB"));
      assertThat(a.request("state", json("muted", true)).getBoolean("ok")).isTrue();
    }
  }
}
