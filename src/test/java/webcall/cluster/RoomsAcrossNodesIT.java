package webcall.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.json.JSONException;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import webcall.support.ChildProcess;
import webcall.support.RedisServer;
import webcall.support.RoomClient;
import webcall.support.RoomClient.Received;

/**
 * Three webcall processes on one redis-server, official Socket.IO clients (Java) spread over them,
 * each with its PeerJS id on the node of its Socket.IO connection: what one member does, the
 * members on the other nodes see, and a room's limits hold across nodes. Every wait is bounded;
 * nothing sleeps.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoomsAcrossNodesIT {
  private static final Pattern LISTENING =
      Pattern.compile("^webcall listening on http://\\S+:(\\d+)$");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final int CAPACITY = 4;

  private static RedisServer redis;
  private static final List<ChildProcess> nodes = new ArrayList<>();
  private static final int[] ports = new int[3];
  private final List<RoomClient> clients = new ArrayList<>();
  private static int rooms;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    for (int i = 0; i < 3; i++) {
      ChildProcess node =
          ChildProcess.start(
              ChildProcess.webcall(
                  "--host",
                  "127.0.0.1",
                  "--port",
                  "0",
                  "--stun-port",
                  "0",
                  "--room-capacity",
                  Integer.toString(CAPACITY),
                  "--redis-url",
                  redis.url()),
              Map.of(),
              LISTENING,
              Duration.ofSeconds(60),
              "rooms-node" + (i + 1));
      nodes.add(node);
      ports[i] = Integer.parseInt(node.readyLine().group(1));
    }
  }

  @AfterAll
  static void stop() {
    for (ChildProcess n : nodes) {
      n.close();
    }
    if (redis != null) {
      redis.close();
    }
  }

  @AfterEach
  void closeClients() {
    clients.forEach(RoomClient::close);
  }

  /** A participant whose PeerJS and Socket.IO connections are on node {@code n} (0, 1, 2). */
  private RoomClient on(int n, String peerId) {
    RoomClient c = new RoomClient(ports[n], peerId);
    clients.add(c);
    return c;
  }

  private static String room() {
    return "cluster-room-" + ++rooms;
  }

  private static JSONObject named(String name) {
    return object("name", name);
  }

  private static JSONObject object(Object... pairs) {
    JSONObject o = new JSONObject();
    try {
      for (int i = 0; i < pairs.length; i += 2) {
        o.put((String) pairs[i], pairs[i + 1]);
      }
    } catch (JSONException e) {
      throw new AssertionError(e);
    }
    return o;
  }

  private static List<Received> awaitEvents(RoomClient c, String event, int n) {
    await().atMost(WAIT).until(() -> c.received(event).size() >= n);
    return c.received(event);
  }

  private static JSONObject ok(JSONObject ack) {
    assertThat(ack.optBoolean("ok")).as("ack %s", ack).isTrue();
    return ack;
  }

  @Test
  @Order(1)
  void aJoinIsSeenOnEveryNodeWithItsProfileAndStateChatAndLeaveReachEveryMember() throws Exception {
    String room = room();
    RoomClient ann = on(0, "ann-x1");
    RoomClient bob = on(1, "bob-x1");
    RoomClient cid = on(2, "cid-x1");
    ok(ann.joinAs(room, named("Ann")));
    JSONObject bobAck = ok(bob.joinAs(room, named("Bob")));
    assertThat(bobAck.getJSONArray("members").getString(0)).isEqualTo("ann-x1");
    assertThat(bobAck.getJSONArray("participants").getJSONObject(0).getString("name"))
        .isEqualTo("Ann");
    ok(cid.joinAs(room, object("name", "Cid", "muted", true)));

    Received bobSeen = awaitEvents(ann, "user-connected", 1).get(0);
    assertThat(bobSeen.args().get(0)).isEqualTo("bob-x1");
    assertThat(bobSeen.object(1).getString("name")).isEqualTo("Bob");
    Received cidSeenByBob = awaitEvents(bob, "user-connected", 1).get(0);
    assertThat(cidSeenByBob.args().get(0)).isEqualTo("cid-x1");
    assertThat(cidSeenByBob.object(1).getString("name")).isEqualTo("Cid");
    assertThat(cidSeenByBob.object(1).getBoolean("muted")).isTrue();
    assertThat(awaitEvents(ann, "user-connected", 2).get(1).args().get(0)).isEqualTo("cid-x1");

    // state from node 1, chat from node 3: every other member gets them, once each.
    ok(ann.request("state", object("cameraOff", true, "name", "Ann B.")));
    ok(cid.request("chat", "hello from node 3"));
    for (RoomClient other : List.of(bob, cid)) {
      Received state = awaitEvents(other, "user-state", 1).get(0);
      assertThat(state.args().get(0)).isEqualTo("ann-x1");
      assertThat(state.object(1).getBoolean("cameraOff")).isTrue();
      assertThat(state.object(1).getString("name")).isEqualTo("Ann B.");
    }
    for (RoomClient other : List.of(ann, bob)) {
      JSONObject chat = awaitEvents(other, "chat-message", 1).get(0).object(0);
      assertThat(chat.getString("from")).isEqualTo("cid-x1");
      assertThat(chat.getString("name")).isEqualTo("Cid");
      assertThat(chat.getString("text")).isEqualTo("hello from node 3");
    }
    assertThat(ann.received("user-state")).as("no echo of one's own").isEmpty();
    assertThat(cid.received("chat-message")).isEmpty();
    // Cid's user-connected reached Bob before Cid's chat did.
    List<String> bobOrder = bob.received.stream().map(Received::event).toList();
    assertThat(bobOrder.indexOf("user-connected")).isLessThan(bobOrder.indexOf("chat-message"));

    // Bob (node 2) goes: the others hear it exactly once. A chat sent after it from node 3
    // arrives after any duplicate could have: both pass through the same channel.
    bob.close();
    clients.remove(bob);
    for (RoomClient other : List.of(ann, cid)) {
      await().atMost(WAIT).until(() -> other.count("user-disconnected:bob-x1") == 1);
    }
    ok(cid.request("chat", "after bob"));
    await().atMost(WAIT).until(() -> ann.received("chat-message").size() == 2);
    assertThat(ann.count("user-disconnected:bob-x1")).isEqualTo(1);
    assertThat(cid.count("user-disconnected:bob-x1")).isEqualTo(1);
    JSONObject ackAfter = ok(on(1, "dan-x1").joinAs(room, named("Dan")));
    assertThat(ackAfter.getJSONArray("members").toString())
        .contains("ann-x1", "cid-x1")
        .doesNotContain("bob-x1");
  }

  @Test
  @Order(2)
  void twoNodesFillingTheLastSeatAtOnceExactlyOneWins() {
    for (int round = 0; round < 5; round++) {
      String room = room();
      for (int i = 0; i < CAPACITY - 1; i++) {
        ok(on(i % 3, "seat" + round + "-" + i).joinAs(room, named("m" + i)));
      }
      RoomClient left = on(1, "last-a" + round);
      RoomClient right = on(2, "last-b" + round);
      CompletableFuture<JSONObject> a =
          CompletableFuture.supplyAsync(() -> left.joinAs(room, named("A")));
      CompletableFuture<JSONObject> b =
          CompletableFuture.supplyAsync(() -> right.joinAs(room, named("B")));
      List<JSONObject> acks = List.of(a.orTimeout(15, TimeUnit.SECONDS).join(), b.join());
      long won = acks.stream().filter(x -> x.optBoolean("ok")).count();
      assertThat(won).as("round %d: %s", round, acks).isEqualTo(1);
      JSONObject lost = acks.stream().filter(x -> !x.optBoolean("ok")).findFirst().orElseThrow();
      assertThat(lost.optString("error")).isEqualTo("room-full");
      assertThat(lost.optInt("capacity")).isEqualTo(CAPACITY);
      clients.forEach(RoomClient::close);
      clients.clear();
    }
  }

  @Test
  @Order(3)
  void aLockPasswordAndKnockSetOnOneNodeHoldOnTheOthers() throws Exception {
    String room = room();
    RoomClient host = on(0, "host-x3");
    RoomClient member = on(1, "member-x3");
    ok(host.joinAs(room, named("Host")));
    ok(member.joinAs(room, named("Member")));

    ok(host.request("room-settings", object("locked", true)));
    assertThat(awaitEvents(member, "room-settings", 1).get(0).object(0).getBoolean("locked"))
        .isTrue();
    RoomClient late = on(2, "late-x3");
    assertThat(late.joinAs(room, named("Late")).optString("error")).isEqualTo("room-locked");

    ok(host.request("room-settings", object("locked", false, "password", "open sesame")));
    assertThat(late.joinAs(room, named("Late")).optString("error")).isEqualTo("password-required");
    assertThat(late.joinAs(room, object("name", "Late", "password", "wrong")).optString("error"))
        .isEqualTo("bad-password");

    ok(host.request("room-settings", object("password", "", "knock", true)));
    JSONObject knocking = late.joinAs(room, named("Late"));
    assertThat(knocking.optString("error")).isEqualTo("knocking");
    JSONObject knock = awaitEvents(host, "knock", 1).get(0).object(0);
    assertThat(knock.getString("name")).isEqualTo("Late");
    ok(host.request("admit", knock.getString("knockId")));
    JSONObject admitted = awaitEvents(late, "admitted", 1).get(0).object(0);
    assertThat(admitted.getBoolean("ok")).isTrue();
    assertThat(admitted.getString("host")).isEqualTo("host-x3");
    assertThat(admitted.getJSONArray("members").toString()).contains("host-x3", "member-x3");
    Received seen = awaitEvents(member, "user-connected", 1).get(0);
    assertThat(seen.args().get(0)).isEqualTo("late-x3");
    assertThat(seen.object(1).getString("name")).isEqualTo("Late");

    // A second knocker on node 2, turned away by the host on node 1.
    RoomClient other = on(1, "other-x3");
    assertThat(other.joinAs(room, named("Other")).optString("error")).isEqualTo("knocking");
    JSONObject second = awaitEvents(host, "knock", 2).get(1).object(0);
    ok(host.request("deny", second.getString("knockId")));
    assertThat(awaitEvents(other, "knock-denied", 1).get(0).object(0).getString("error"))
        .isEqualTo("knock-denied");

    // The host on node 1 removes the member on node 2: it is told, the others see it leave.
    ok(host.request("remove-participant", "member-x3"));
    assertThat(awaitEvents(member, "removed", 1).get(0).object(0).getString("error"))
        .isEqualTo("removed");
    await().atMost(WAIT).until(() -> late.count("user-disconnected:member-x3") == 1);
  }

  @Test
  @Order(4)
  void whileRedisIsDownRoomEventsAreUnavailableAndWhenItComesBackEmptyTheRoomsComeBack()
      throws Exception {
    String room = room();
    RoomClient before = on(0, "before-x4");
    RoomClient partner = on(2, "partner-x4");
    ok(before.joinAs(room, named("Before")));
    ok(partner.joinAs(room, named("Partner")));
    RoomClient asking = on(1, "asking-x4");
    redis.stop();
    try {
      JSONObject refused = asking.joinAs(room, named("Asking"));
      assertThat(refused.optString("error")).as("%s", refused).isEqualTo("unavailable");
      JSONObject chat = before.request("chat", "anyone?");
      assertThat(chat.optString("error")).isEqualTo("unavailable");
    } finally {
      redis.startAgain(); // empty: nothing was saved
    }
    for (ChildProcess n : nodes) {
      assertThat(n.exitWithin(Duration.ZERO)).as("still running").isEqualTo(-1);
    }
    // The nodes reconnect by themselves and put their members back: the two can chat again
    // without joining again. (Until each node's subscription is back too, a message published
    // meanwhile is lost, as pub/sub is: hence a chat per attempt until one arrives.)
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () ->
                partner.request("chat", "back again").optBoolean("ok")
                    && before.received("chat-message").stream()
                        .anyMatch(r -> r.object(0).optString("text").equals("back again")));
    JSONObject newcomer = ok(asking.joinAs(room, named("Asking")));
    assertThat(newcomer.getJSONArray("members").toString()).contains("before-x4", "partner-x4");
    assertThat(newcomer.getString("host")).as("hosting as it was").isEqualTo("before-x4");
    Received seen = awaitEvents(before, "user-connected", 2).get(1);
    assertThat(seen.args().get(0)).isEqualTo("asking-x4");
  }

  @Test
  @Order(5)
  void aNodeFrozenLongerThanItsLeaseHasItsMembersLeaveAndComeBackAnnounced() throws Exception {
    String room = room();
    RoomClient ann = on(0, "ann-x6");
    RoomClient eve = on(2, "eve-x6");
    ok(ann.joinAs(room, named("Ann")));
    ok(eve.joinAs(room, named("Eve")));
    awaitEvents(ann, "user-connected", 1);

    nodes.get(2).signal("STOP"); // frozen (a long pause): alive, but its lease lapses
    try {
      await()
          .atMost(Duration.ofSeconds(40))
          .until(() -> ann.count("user-disconnected:eve-x6") == 1);
    } finally {
      nodes.get(2).signal("CONT");
    }
    Received back = awaitEvents(ann, "user-connected", 2).get(1);
    assertThat(back.args().get(0)).as("announced again once back").isEqualTo("eve-x6");
    assertThat(back.object(1).getString("name")).isEqualTo("Eve");
    ok(eve.request("chat", "I am back"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                ann.received("chat-message").stream()
                    .anyMatch(r -> r.object(0).optString("text").equals("I am back")));
    assertThat(ann.count("user-disconnected:eve-x6")).isEqualTo(1);
  }

  @Test
  @Order(6)
  void theMembersOfANodeThatDiesLeaveTheirRoomsOnceWithinTheLease() throws Exception {
    String room = room();
    RoomClient cid = on(2, "cid-x5");
    RoomClient ann = on(0, "ann-x5");
    RoomClient bob = on(1, "bob-x5");
    ok(cid.joinAs(room, named("Cid"))); // the host, on the node that will die
    ok(ann.joinAs(room, named("Ann")));
    ok(bob.joinAs(room, named("Bob")));
    awaitEvents(ann, "user-connected", 1);

    nodes.get(2).signal("KILL"); // no goodbye: its sockets just stop
    // The lease is 10 s; a node that saw Redis come back (the test before) waits one lease
    // before it reaps.
    for (RoomClient survivor : List.of(ann, bob)) {
      await()
          .atMost(Duration.ofSeconds(40))
          .until(() -> survivor.count("user-disconnected:cid-x5") == 1);
      assertThat(awaitEvents(survivor, "host-changed", 1).get(0).args().get(0))
          .as("hosting passed to the longest present member")
          .isEqualTo("ann-x5");
    }
    ok(bob.request("chat", "still here"));
    await().atMost(WAIT).until(() -> ann.received("chat-message").size() == 1);
    assertThat(ann.count("user-disconnected:cid-x5")).as("once").isEqualTo(1);
    assertThat(bob.count("user-disconnected:cid-x5")).as("once").isEqualTo(1);
    JSONObject next = ok(on(1, "dan-x5").joinAs(room, named("Dan")));
    assertThat(next.getJSONArray("members").toString())
        .contains("ann-x5", "bob-x5")
        .doesNotContain("cid-x5");
    assertThat(next.getString("host")).isEqualTo("ann-x5");
  }
}
