package webcall.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static webcall.support.Http.get;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import webcall.support.ChildProcess;
import webcall.support.Http;
import webcall.support.PeerSocket;
import webcall.support.PrometheusText;
import webcall.support.RawWs;
import webcall.support.RoomClient;

/**
 * The drain, as an operator stops the server: SIGTERM to the real command line in its own process
 * while a room is in a call. Not ready at once, new joins refused with {@code draining}, the
 * members' signaling going on, then 1001 to every WebSocket and exit 0 when the last member leaves
 * or {@code --drain-timeout} is up; a second signal ends it at once.
 */
class DrainIT {
  static final Pattern LISTENING = Pattern.compile("^webcall listening on http://\\S+:(\\d+)$");

  static ChildProcess start(String name, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of("--host", "127.0.0.1", "--port", "0", "--stun-port", "0", "--admin-port", "0"));
    args.addAll(List.of(extra));
    return ChildProcess.start(
        ChildProcess.webcall(args.toArray(String[]::new)),
        Map.of(),
        LISTENING,
        Duration.ofSeconds(60),
        name);
  }

  static int port(ChildProcess p) {
    return Integer.parseInt(p.readyLine().group(1));
  }

  static JSONObject profile(String name) throws Exception {
    JSONObject p = new JSONObject();
    p.put("name", name);
    return p;
  }

  @Test
  void aDrainKeepsTheCallGoingRefusesNewJoinsAndEndsWhenTheLastMemberLeaves() throws Exception {
    try (ChildProcess p = start("webcall-drain")) {
      int port = port(p);
      int admin = AdminCommandIT.adminPort(p);
      RoomClient a = new RoomClient(port, "drainA");
      RoomClient b = new RoomClient(port, "drainB");
      RoomClient late = null;
      RoomClient rejoined = null;
      try {
        assertThat(a.joinAs("drain-room", profile("Ann")).getBoolean("ok")).isTrue();
        assertThat(b.joinAs("drain-room", profile("Bob")).getBoolean("ok")).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.count("user-connected:drainB") == 1);
        // A page in the lobby: connected before the signal, joins after it.
        late = new RoomClient(port, "drainLate");

        p.signal("TERM");
        long signalled = System.nanoTime();
        await()
            .atMost(Duration.ofSeconds(2))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> get(port, "/readyz").statusCode() == 503);
        HttpResponse<String> ready = get(port, "/readyz");
        assertThat(ready.body())
            .isEqualTo("{\"ready\":false,\"reason\":\"draining\",\"reasons\":[\"draining\"]}");
        assertThat(get(admin, "/readyz").statusCode()).isEqualTo(503);
        assertThat(get(port, "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(admin, "/healthz").statusCode()).isEqualTo(200);

        // A new join gets the error the page understands, in the shape of every join refusal.
        JSONObject refused = late.joinAs("drain-room", profile("Late"));
        assertThat(refused.getBoolean("ok")).isFalse();
        assertThat(refused.getString("error")).isEqualTo("draining");
        assertThat(refused.getString("message")).isNotBlank();
        RoomClient.JoinAck other = late.join("another-room");
        assertThat(other.ok()).isFalse();
        assertThat(other.error()).isEqualTo("draining");

        // The call in progress keeps its signaling: chat and state both ways.
        JSONObject chat = a.request("chat", "still here");
        assertThat(chat.getBoolean("ok")).isTrue();
        assertThat(b.request("state", new JSONObject().put("muted", true)).getBoolean("ok"))
            .isTrue();
        await()
            .atMost(Duration.ofSeconds(5))
            .untilAsserted(
                () -> {
                  assertThat(b.received("chat-message")).hasSize(1);
                  assertThat(a.received("user-state")).hasSize(1);
                });
        // A member whose connection dropped unnoticed comes back on a new one (same PeerJS id and
        // token, as the page
        // reconnects): let back into its own room, so a network blip during the drain does not end
        // its call.
        rejoined = new RoomClient(port, "drainB");
        assertThat(rejoined.join("drain-room").ok()).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.count("user-connected:drainB") == 2);

        List<PrometheusText.Sample> s = PrometheusText.parse(get(admin, "/metrics").body());
        assertThat(PrometheusText.value(s, "webcall_ready")).isZero();
        assertThat(PrometheusText.value(s, "webcall_rooms_join_refusals_total", "code", "draining"))
            .isEqualTo(2);
        assertThat(PrometheusText.value(s, "webcall_rooms_open")).isEqualTo(1);
        assertThat(Duration.ofNanos(System.nanoTime() - signalled))
            .isLessThan(Duration.ofSeconds(15));
      } finally {
        a.close();
        b.close();
        for (RoomClient c : new RoomClient[] {late, rejoined}) {
          if (c != null) {
            c.close();
          }
        }
      }
      long left = System.nanoTime();
      // The last member left: the process ends well before the 20 s default.
      assertThat(p.exitWithin(Duration.ofSeconds(12))).as(p.stderrText()).isZero();
      assertThat(Duration.ofNanos(System.nanoTime() - left)).isLessThan(Duration.ofSeconds(10));
      assertThat(p.stderrText())
          .contains("event=drain-start", "timeout_ms=20000", "event=drain-end rooms=0");
    }
  }

  @Test
  void aMemberThatStaysIsToldGoingAwayWhenTheDrainTimeoutIsUp() throws Exception {
    try (ChildProcess p = start("webcall-drain-timeout", "--drain-timeout", "2s")) {
      int port = port(p);
      String token = "stayTok1";
      try (PeerSocket peer = PeerSocket.connect(port, "drainStay", token);
          RawWs ws = new RawWs(port, "/socket.io/?EIO=4&transport=websocket")) {
        assertThat(peer.nextText(5)).isEqualTo("{\"type\":\"OPEN\"}");
        ws.readTimeout(15_000);
        assertThat(ws.read().text()).startsWith("0{");
        ws.text("40");
        assertThat(ws.read().text()).startsWith("40{");
        ws.text(
            "420[\"join-room\",\"drain-stay\",\"drainStay\",{\"token\":\""
                + token
                + "\",\"name\":\"Stay\"}]");
        assertThat(ws.read().text()).startsWith("430[{\"ok\":true");
        // A polling session with a poll waiting when the drain ends: the poll gets DISCONNECT, the
        // session is gone.
        String sid = handshakePolling(port);
        CompletableFuture<HttpResponse<String>> poll =
            Http.CLIENT.sendAsync(
                HttpRequest.newBuilder(
                        URI.create(
                            "http://127.0.0.1:"
                                + port
                                + "/socket.io/?EIO=4&transport=polling&sid="
                                + sid))
                    .timeout(Duration.ofSeconds(20))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

        p.signal("TERM");
        long signalled = System.nanoTime();
        assertThat(ws.closeCode()).isEqualTo(1001);
        Duration cutOff = Duration.ofNanos(System.nanoTime() - signalled);
        assertThat(cutOff).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(8));
        assertThat(peer.closeCode(5)).isEqualTo(1001);
        String body = poll.get(10, TimeUnit.SECONDS).body();
        assertThat(Arrays.asList(body.split("\u001e"))).contains("41");
        assertThat(p.exitWithin(Duration.ofSeconds(10))).as(p.stderrText()).isZero();
        assertThat(Duration.ofNanos(System.nanoTime() - signalled))
            .isLessThan(Duration.ofSeconds(10));
      }
      assertThat(p.stderrText()).contains("timeout_ms=2000", "event=drain-end rooms=1");
    }
  }

  /** A polling session connected to "/": its sid. */
  static String handshakePolling(int port) throws Exception {
    String open = get(port, "/socket.io/?EIO=4&transport=polling").body();
    assertThat(open).startsWith("0{");
    String sid = new JSONObject(open.substring(1)).getString("sid");
    HttpResponse<String> connect =
        Http.CLIENT.send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + port
                            + "/socket.io/?EIO=4&transport=polling&sid="
                            + sid))
                .POST(HttpRequest.BodyPublishers.ofString("40", StandardCharsets.UTF_8))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(connect.body()).isEqualTo("ok");
    assertThat(get(port, "/socket.io/?EIO=4&transport=polling&sid=" + sid).body())
        .startsWith("40{");
    return sid;
  }

  @Test
  void aSecondSignalEndsTheDrainAtOnce() throws Exception {
    try (ChildProcess p = start("webcall-drain-twice")) {
      int port = port(p);
      try (RoomClient a = new RoomClient(port, "drainTwice")) {
        assertThat(a.join("drain-twice").ok()).isTrue();
        p.signal("TERM");
        await()
            .atMost(Duration.ofSeconds(2))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> get(port, "/readyz").statusCode() == 503);
        long second = System.nanoTime();
        // TERM again, as an impatient operator or a service manager sends it: a JVM started in the
        // background by a shell without job control inherits SIGINT ignored and cannot handle it.
        p.signal("TERM");
        assertThat(p.exitWithin(Duration.ofSeconds(5))).isEqualTo(128 + 15);
        assertThat(Duration.ofNanos(System.nanoTime() - second)).isLessThan(Duration.ofSeconds(3));
      }
    }
  }

  /**
   * A person who presses Join while the server drains is told it is restarting, and the page asks
   * again by itself: the server counts a second {@code draining} refusal from it a few seconds
   * later, with no click.
   */
  @Test
  void thePageSaysTheServerIsRestartingAndJoinsAgainByItself() throws Exception {
    try (ChildProcess p = start("webcall-drain-page", "--drain-timeout", "30s")) {
      int port = port(p);
      int admin = AdminCommandIT.adminPort(p);
      RoomClient member = new RoomClient(port, "drainHolder");
      webcall.e2e.Browser browser = webcall.e2e.Browser.launch();
      try {
        assertThat(member.joinAs("drain-page", profile("Holder")).getBoolean("ok"))
            .isTrue(); // keeps the drain going
        browser.open("http://127.0.0.1:" + port + "/drain-page?lang=en");
        p.signal("TERM");
        await()
            .atMost(Duration.ofSeconds(2))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> get(port, "/readyz").statusCode() == 503);
        browser.joinCall("Cleo");
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(browser.status())
                        .contains("restarting")
                        .contains("Joining again in"));
        await()
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(200))
            .untilAsserted(
                () -> {
                  List<PrometheusText.Sample> s =
                      PrometheusText.parse(get(admin, "/metrics").body());
                  assertThat(
                          PrometheusText.value(
                              s, "webcall_rooms_join_refusals_total", "code", "draining"))
                      .isGreaterThanOrEqualTo(2);
                });
        assertThat(browser.status()).contains("restarting");
      } finally {
        browser.close();
        member.close();
      }
      assertThat(p.exitWithin(Duration.ofSeconds(12))).as(p.stderrText()).isZero();
    }
  }
}
