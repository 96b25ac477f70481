package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.socket.engineio.client.transports.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import webcall.TestServer;
import webcall.support.RoomClient;

/**
 * Private rooms (docs/signaling.md): host, lock, password, knock, removal, all enforced by the
 * server, with the official Java Socket.IO client. Behind --proxied, so that each test's clients
 * come from addresses of their own (X-Forwarded-For) and the per-address password limit can be seen
 * apart from the per-connection one.
 */
class PrivateRoomsIT {
  @RegisterExtension
  static final TestServer server =
      new TestServer(
          c ->
              c.withProxied(true)
                  .withRoomCapacity(4)
                  .withSignaling(
                      SignalingLimits.from(
                          Map.of(
                              "password-attempts-per-minute",
                              5L,
                              "password-attempts-per-address-per-minute",
                              8L))));

  private static final AtomicInteger addresses = new AtomicInteger(1);

  private final List<RoomClient> clients = new ArrayList<>();

  @AfterEach
  void closeClients() {
    clients.forEach(RoomClient::close);
    clients.clear();
  }

  private RoomClient client(String peerId, String address) {
    RoomClient c =
        new RoomClient(
            server.port(), peerId, Map.of("X-Forwarded-For", List.of(address)), WebSocket.NAME);
    clients.add(c);
    return c;
  }

  /** A client from an address no other test uses. */
  private RoomClient client(String peerId) {
    return client(peerId, "10.9.0." + addresses.getAndIncrement());
  }

  private static JSONObject join(RoomClient c, String room) {
    return c.joinAs(room, new JSONObject());
  }

  private static JSONObject joinWith(RoomClient c, String room, String password) throws Exception {
    return c.joinAs(room, new JSONObject().put("password", password));
  }

  private static JSONObject settings(RoomClient c, JSONObject changes) {
    return c.request("room-settings", changes);
  }

  private static String error(JSONObject reply) {
    return reply.optBoolean("ok") ? "ok" : reply.optString("error");
  }

  private static void quiet() {
    await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> true);
  }

  private static RoomClient.Received awaitEvent(RoomClient c, String event) {
    await().atMost(Duration.ofSeconds(5)).until(() -> !c.received(event).isEmpty());
    return c.received(event).get(c.received(event).size() - 1);
  }

  @Test
  void theFirstHostsAndHostingPassesToTheLongestPresent() throws Exception {
    RoomClient a = client("hostA");
    RoomClient b = client("hostB");
    RoomClient c = client("hostC");
    JSONObject first = join(a, "hosting");
    assertThat(first.getString("host")).isEqualTo("hostA");
    assertThat(first.getJSONObject("settings").toString()).contains("\"locked\":false");
    assertThat(join(b, "hosting").getString("host")).isEqualTo("hostA");
    assertThat(join(c, "hosting").getString("host")).isEqualTo("hostA");

    a.close();
    assertThat(awaitEvent(b, "host-changed").args()).containsExactly("hostB");
    assertThat(awaitEvent(c, "host-changed").args()).containsExactly("hostB");
    // The new host may do host things, the former second may not any more be refused.
    assertThat(error(settings(b, new JSONObject().put("locked", true)))).isEqualTo("ok");
    assertThat(error(settings(c, new JSONObject().put("locked", false)))).isEqualTo("not-host");

    b.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> c.received("host-changed").size() == 2);
    assertThat(c.received("host-changed").get(1).args()).containsExactly("hostC");
    c.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> server.server().rooms().size("hosting") == 0);
    // The room ended with its last member: made again, it is open, whoever comes first hosts.
    RoomClient d = client("hostD");
    JSONObject again = join(d, "hosting");
    assertThat(error(again)).isEqualTo("ok");
    assertThat(again.getString("host")).isEqualTo("hostD");
  }

  @Test
  void aLockedRoomRefusesNewcomersAndTheMembersSeeNothing() throws Exception {
    RoomClient host = client("lockHost");
    RoomClient member = client("lockMember");
    RoomClient late = client("lockLate");
    join(host, "locked");
    join(member, "locked");
    JSONObject done = settings(host, new JSONObject().put("locked", true));
    assertThat(done.getJSONObject("settings").getBoolean("locked")).isTrue();
    assertThat(awaitEvent(member, "room-settings").object(0).getBoolean("locked")).isTrue();

    assertThat(error(join(late, "locked"))).isEqualTo("room-locked");
    quiet();
    assertThat(host.received("user-connected"))
        .extracting(r -> r.args().get(0))
        .containsExactly("lockMember");

    settings(host, new JSONObject().put("locked", false));
    assertThat(error(join(late, "locked"))).isEqualTo("ok");
  }

  @Test
  void aPasswordIsAskedForCheckedAndNeverSent() throws Exception {
    RoomClient host = client("pwHost");
    RoomClient member = client("pwMember");
    RoomClient guest = client("pwGuest");
    join(host, "pw");
    join(member, "pw");
    JSONObject set = settings(host, new JSONObject().put("password", "open sesame"));
    assertThat(set.getJSONObject("settings").getBoolean("password")).isTrue();
    assertThat(set.toString()).doesNotContain("open sesame");
    assertThat(awaitEvent(member, "room-settings").args().toString()).doesNotContain("open sesame");

    assertThat(error(join(guest, "pw"))).isEqualTo("password-required");
    assertThat(error(joinWith(guest, "pw", "open says me"))).isEqualTo("bad-password");
    assertThat(error(joinWith(guest, "pw", ""))).isEqualTo("bad-password");
    JSONObject in = joinWith(guest, "pw", "open sesame");
    assertThat(error(in)).isEqualTo("ok");
    assertThat(in.toString()).doesNotContain("open sesame");
    guest.socket.disconnect();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> host.events.contains("user-disconnected:pwGuest"));

    // Cleared (null or ""), the room is open again.
    settings(host, new JSONObject().put("password", JSONObject.NULL));
    RoomClient next = client("pwNext");
    assertThat(error(join(next, "pw"))).isEqualTo("ok");
  }

  @Test
  void passwordAttemptsAreLimitedPerConnectionAndPerAddress() throws Exception {
    RoomClient host = client("rateHost");
    join(host, "rate");
    settings(host, new JSONObject().put("password", "right"));
    String address = "10.77.0.1";
    RoomClient guesser = client("rateGuess1", address);
    for (int i = 0; i < 5; i++) {
      assertThat(error(joinWith(guesser, "rate", "wrong" + i))).isEqualTo("bad-password");
    }
    assertThat(error(joinWith(guesser, "rate", "right")))
        .as("over 5 a minute per connection, even the right one is not tried")
        .isEqualTo("too-many-attempts");
    assertThat(error(join(guesser, "rate")))
        .as("no password: not an attempt")
        .isEqualTo("password-required");

    RoomClient sameAddress = client("rateGuess2", address);
    for (int i = 0; i < 3; i++) {
      assertThat(error(joinWith(sameAddress, "rate", "again" + i))).isEqualTo("bad-password");
    }
    assertThat(error(joinWith(sameAddress, "rate", "right")))
        .as("over 8 a minute from one address, on a fresh connection")
        .isEqualTo("too-many-attempts");

    RoomClient elsewhere = client("rateOther", "10.77.0.2");
    assertThat(error(joinWith(elsewhere, "rate", "right")))
        .as("another address is not held back")
        .isEqualTo("ok");
  }

  @Test
  void aKnockIsHeldUntilTheHostAdmitsOrDenies() throws Exception {
    RoomClient host = client("knockHost");
    RoomClient member = client("knockMember");
    RoomClient knocker = client("knocker");
    RoomClient unwanted = client("unwanted");
    join(host, "knock");
    join(member, "knock");
    assertThat(
            settings(host, new JSONObject().put("knock", true))
                .getJSONObject("settings")
                .getBoolean("knock"))
        .isTrue();

    JSONObject waiting = knocker.joinAs("knock", new JSONObject().put("name", "Kim"));
    assertThat(error(waiting)).isEqualTo("knocking");
    JSONObject knock = awaitEvent(host, "knock").object(0);
    assertThat(knock.getString("name")).isEqualTo("Kim");
    String knockId = knock.getString("knockId");
    assertThat(knockId)
        .isNotEqualTo(knocker.socket.id())
        .doesNotContain(knocker.socket.id())
        .doesNotContain("knocker");
    quiet();
    assertThat(member.received("knock")).as("only the host hears a knock").isEmpty();
    assertThat(member.received("user-connected")).isEmpty();

    // A forged join cannot skip the knock: joining again, or with made-up fields, still knocks
    // (once).
    assertThat(
            error(
                knocker.joinAs(
                    "knock", new JSONObject().put("admitted", true).put("knockId", knockId))))
        .isEqualTo("knocking");
    assertThat(error(knocker.request("admit", knockId))).as("not a member").isEqualTo("not-joined");
    quiet();
    assertThat(host.received("knock")).hasSize(1);
    assertThat(member.received("user-connected")).isEmpty();

    assertThat(error(host.request("admit", knockId))).isEqualTo("ok");
    JSONObject admitted = awaitEvent(knocker, "admitted").object(0);
    assertThat(admitted.getBoolean("ok")).isTrue();
    assertThat(admitted.getJSONArray("members").toString())
        .isEqualTo("[\"knockHost\",\"knockMember\"]");
    assertThat(admitted.getString("host")).isEqualTo("knockHost");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> member.events.contains("user-connected:knocker"));
    assertThat(host.events).contains("user-connected:knocker");
    assertThat(error(host.request("admit", knockId))).as("used up").isEqualTo("no-such-knock");

    assertThat(error(join(unwanted, "knock"))).isEqualTo("knocking");
    await().atMost(Duration.ofSeconds(5)).until(() -> host.received("knock").size() == 2);
    String second = host.received("knock").get(1).object(0).getString("knockId");
    assertThat(error(host.request("deny", second))).isEqualTo("ok");
    assertThat(awaitEvent(unwanted, "knock-denied").object(0).getString("error"))
        .isEqualTo("knock-denied");
    quiet();
    assertThat(member.events).doesNotContain("user-connected:unwanted");
    assertThat(server.server().rooms().knockCount()).isZero();
  }

  @Test
  void aKnockerThatLeavesIsForgottenAndAnEndedRoomTurnsItsKnockersAway() throws Exception {
    RoomClient host = client("goneHost");
    RoomClient leaver = client("goneKnocker");
    RoomClient stayer = client("stayKnocker");
    join(host, "gone");
    settings(host, new JSONObject().put("knock", true));
    assertThat(error(join(leaver, "gone"))).isEqualTo("knocking");
    String knockId = awaitEvent(host, "knock").object(0).getString("knockId");
    leaver.socket.disconnect();
    assertThat(awaitEvent(host, "knock-withdrawn").object(0).getString("knockId"))
        .isEqualTo(knockId);
    assertThat(error(host.request("admit", knockId))).isEqualTo("no-such-knock");

    assertThat(error(join(stayer, "gone"))).isEqualTo("knocking");
    await().atMost(Duration.ofSeconds(5)).until(() -> host.received("knock").size() == 2);
    host.socket.disconnect();
    assertThat(awaitEvent(stayer, "knock-denied").object(0).getString("error"))
        .isEqualTo("knock-denied");
    await().atMost(Duration.ofSeconds(5)).until(() -> server.server().rooms().knockCount() == 0);
  }

  @Test
  void aRemovedMemberLeavesAndCannotComeBackWhileTheRoomLasts() throws Exception {
    RoomClient host = client("rmHost");
    RoomClient member = client("rmMember");
    RoomClient out = client("rmOut");
    join(host, "rm");
    join(member, "rm");
    join(out, "rm");
    assertThat(error(host.request("remove-participant", "rmOut"))).isEqualTo("ok");
    assertThat(awaitEvent(out, "removed").object(0).getString("error")).isEqualTo("removed");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                member.events.contains("user-disconnected:rmOut")
                    && host.events.contains("user-disconnected:rmOut"));
    assertThat(server.server().rooms().size("rm")).isEqualTo(2);

    assertThat(error(join(out, "rm"))).as("the same connection").isEqualTo("removed");
    out.socket.disconnect();
    RoomClient back =
        client("rmOut"); // the same PeerJS id on a new connection (its PeerJS socket reconnects)
    assertThat(error(join(back, "rm"))).as("the same id").isEqualTo("removed");
    assertThat(error(host.request("remove-participant", "rmHost"))).isEqualTo("no-such-member");
    assertThat(error(host.request("remove-participant", "nobody"))).isEqualTo("no-such-member");
    quiet();
    assertThat(member.count("user-connected:rmOut")).as("its first join only").isEqualTo(1);

    host.socket.disconnect();
    member.socket.disconnect();
    await().atMost(Duration.ofSeconds(5)).until(() -> server.server().rooms().size("rm") == 0);
    assertThat(error(join(back, "rm"))).as("a new room of that name").isEqualTo("ok");
  }

  @Test
  void onlyTheHostMayDoHostThings() throws Exception {
    RoomClient host = client("nhHost");
    RoomClient other = client("nhOther");
    RoomClient outsider = client("nhOutsider");
    join(host, "nh");
    join(other, "nh");
    settings(host, new JSONObject().put("knock", true));
    assertThat(error(join(outsider, "nh"))).isEqualTo("knocking");
    String knockId = awaitEvent(host, "knock").object(0).getString("knockId");

    assertThat(error(settings(other, new JSONObject().put("locked", true)))).isEqualTo("not-host");
    assertThat(error(settings(other, new JSONObject().put("password", "mine"))))
        .isEqualTo("not-host");
    assertThat(error(settings(other, new JSONObject().put("knock", false)))).isEqualTo("not-host");
    assertThat(error(other.request("admit", knockId))).isEqualTo("not-host");
    assertThat(error(other.request("deny", knockId))).isEqualTo("not-host");
    assertThat(error(other.request("remove-participant", "nhHost"))).isEqualTo("not-host");
    assertThat(error(outsider.request("remove-participant", "nhHost"))).isEqualTo("not-joined");
    quiet();
    assertThat(outsider.received("admitted")).isEmpty();
    assertThat(outsider.received("knock-denied")).isEmpty();
    assertThat(host.received("removed")).isEmpty();
    assertThat(error(join(client("nhLate"), "nh")))
        .as("still not locked, knock still on")
        .isEqualTo("knocking");
  }

  @Test
  void forgedPayloadsGetAClearErrorAndNothingElseBreaks() throws Exception {
    RoomClient host = client("fgHost");
    RoomClient other = client("fgOther");
    join(host, "fg");
    join(other, "fg");
    String huge = "x".repeat(20_000);
    assertThat(error(host.request("room-settings", "locked"))).isEqualTo("bad-request");
    assertThat(error(settings(host, new JSONObject().put("locked", "yes"))))
        .isEqualTo("bad-request");
    assertThat(error(settings(host, new JSONObject().put("knock", 1)))).isEqualTo("bad-request");
    assertThat(error(settings(host, new JSONObject().put("password", 1234))))
        .isEqualTo("bad-request");
    assertThat(error(settings(host, new JSONObject().put("password", huge))))
        .isEqualTo("bad-request");
    assertThat(error(host.request("admit", 42))).isEqualTo("bad-request");
    assertThat(error(host.request("deny", huge))).isEqualTo("bad-request");
    assertThat(error(host.request("admit", new JSONObject()))).isEqualTo("bad-request");
    assertThat(error(host.request("remove-participant", new JSONObject().put("id", "fgOther"))))
        .isEqualTo("bad-request");
    assertThat(error(host.request("remove-participant", huge))).isEqualTo("bad-request");
    RoomClient guest = client("fgGuest");
    assertThat(error(guest.joinAs("fg", new JSONObject().put("password", 42))))
        .isEqualTo("bad-request");
    assertThat(error(guest.joinAs("fg", new JSONObject().put("password", huge))))
        .as("no password set: a password is not needed, whatever it is")
        .isEqualTo("ok");
    JSONObject set = settings(host, new JSONObject());
    JSONObject after = set.getJSONObject("settings");
    assertThat(
            List.of(
                after.getBoolean("locked"),
                after.getBoolean("knock"),
                after.getBoolean("password")))
        .as("nothing forged changed the room")
        .containsExactly(false, false, false);
    // The room goes on: chat still arrives.
    host.request("chat", "still here");
    await().atMost(Duration.ofSeconds(5)).until(() -> !other.received("chat-message").isEmpty());
  }
}
