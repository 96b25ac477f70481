package webcall.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.socket.engineio.client.transports.Polling;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.Connection;
import okhttp3.EventListener;
import okhttp3.OkHttpClient;
import org.json.JSONException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import webcall.TestServer;
import webcall.rooms.SignalingLimits;
import webcall.support.HttpConnection;
import webcall.support.PeerSocket;
import webcall.support.RoomClient;

/**
 * Socket.IO over HTTP long-polling on kept-alive connections, spoken by hand so that which TCP
 * connection carries which request is the test's choice, as it is a browser's (it pools connections
 * per origin, across tabs).
 */
class PollingKeepAliveIT {
  // No Engine.IO pings during a test: every packet a poll returns is one the test caused.
  @RegisterExtension
  static final TestServer server =
      new TestServer(
          c ->
              c.withSignaling(
                  SignalingLimits.from(
                      Map.of("ping-interval-ms", 120_000L, "ping-timeout-ms", 120_000L))));

  private static final Pattern SID = Pattern.compile("^0\\{\"sid\":\"([0-9a-f-]{36})\"");
  private static final Duration QUIET = Duration.ofMillis(300);

  @Test
  void oneConnectionCarriesTheHandshakeTheConnectAndPollAfterPoll() throws Exception {
    try (HttpConnection c = HttpConnection.open(server.port())) {
      Session s = Session.open(c);
      s.post(c, "40");
      assertThat(s.poll(c)).singleElement().asString().startsWith("40{\"sid\":");
      for (int i = 1; i <= 3; i++) {
        s.post(
            c,
            "42" + i + "[\"chat\",\"hello\"]"); // not in a room: an error ack, to this session only
        assertThat(s.poll(c))
            .singleElement()
            .asString()
            .startsWith("43" + i + "[{\"ok\":false,\"error\":\"not-joined\"");
      }
      assertThat(c.closedByServerWithin(QUIET)).as("still open after 9 requests").isFalse();
    }
  }

  @Test
  void twoSessionsTakingTurnsOnOneConnectionEachGetOnlyTheirOwnPackets() throws Exception {
    try (PeerSocket pa = registered("kaA");
        PeerSocket pb = registered("kaB");
        PeerSocket pc = registered("kaC");
        HttpConnection shared = HttpConnection.open(server.port());
        HttpConnection other = HttpConnection.open(server.port())) {
      Session a = Session.open(shared);
      Session b = Session.open(shared);
      Session c = Session.open(other);
      for (Session s : List.of(a, b)) {
        s.post(shared, "40");
        assertThat(s.poll(shared)).singleElement().asString().startsWith("40{\"sid\":\"");
      }
      c.post(other, "40");
      assertThat(c.poll(other)).singleElement().asString().startsWith("40{");

      // A and B join over the shared connection; each one's packets wait while the other's requests
      // hold it.
      a.post(shared, join(1, "kaA"));
      b.post(shared, join(1, "kaB"));
      List<String> toA = a.poll(shared);
      assertThat(toA).hasSize(2);
      assertThat(toA.get(0)).startsWith("431[{\"ok\":true,\"members\":[]");
      assertThat(toA.get(1)).startsWith("42[\"user-connected\",\"kaB\"");
      assertThat(b.poll(shared))
          .singleElement()
          .asString()
          .startsWith("431[{\"ok\":true,\"members\":[\"kaA\"]");

      // A's poll waits on the shared connection; C's join, over the other one, answers it.
      shared.send("GET", a.target(), null);
      c.post(other, join(1, "kaC"));
      assertThat(Session.packets(keptOpen(shared.read())))
          .singleElement()
          .asString()
          .startsWith("42[\"user-connected\",\"kaC\"");
      assertThat(c.poll(other))
          .singleElement()
          .asString()
          .startsWith("431[{\"ok\":true,\"members\":[\"kaA\",\"kaB\"]");
      assertThat(b.poll(shared))
          .singleElement()
          .asString()
          .startsWith("42[\"user-connected\",\"kaC\"");

      // Now B's poll waits on the connection that last answered A. A's error ack (to A alone) must
      // not answer it.
      shared.send("GET", b.target(), null);
      assertThat(shared.closedByServerWithin(QUIET)).as("B's poll waits").isFalse();
      a.post(other, "422[\"chat\",\"\"]");
      assertThat(shared.closedByServerWithin(QUIET))
          .as("B's poll is still waiting, and got nothing")
          .isFalse();
      c.post(other, "422[\"state\",{\"muted\":true}]");
      assertThat(Session.packets(keptOpen(shared.read())))
          .singleElement()
          .asString()
          .startsWith("42[\"user-state\",\"kaC\"");
      List<String> laterToA = a.poll(shared);
      assertThat(laterToA).hasSize(2);
      assertThat(laterToA.get(0)).startsWith("432[{\"ok\":false,\"error\":\"bad-chat\"");
      assertThat(laterToA.get(1)).startsWith("42[\"user-state\",\"kaC\"");
      assertThat(c.poll(other)).singleElement().asString().isEqualTo("432[{\"ok\":true}]");

      // Nothing is left behind or doubled: one last event reaches each of A and B once, alone.
      c.post(other, "423[\"chat\",\"bye\"]");
      for (Session s : List.of(b, a)) {
        assertThat(s.poll(shared))
            .singleElement()
            .asString()
            .startsWith("42[\"chat-message\",{\"from\":\"kaC\"");
      }
      assertThat(shared.closedByServerWithin(QUIET)).isFalse();
    }
  }

  /**
   * The official Java client's two sockets on one OkHttp connection pool, as a browser's tabs share
   * one: the pool hands each connection to whichever socket asks next, and every event still
   * reaches only its own socket.
   */
  @Test
  void twoOfficialClientsSharingOneConnectionPoolHearOnlyTheirOwnEvents() throws Exception {
    ConnectionLog log = new ConnectionLog();
    OkHttpClient http = RoomClient.newHttpClient().newBuilder().eventListener(log).build();
    try (RoomClient a = new RoomClient(server.port(), "kcA", http, Polling.NAME);
        RoomClient b = new RoomClient(server.port(), "kcB", http, Polling.NAME)) {
      assertThat(a.join("keepalive-pool").ok()).isTrue();
      assertThat(b.join("keepalive-pool").members()).containsExactly("kcA");
      for (int i = 1; i <= 3; i++) {
        assertThat(a.request("chat", "a" + i).getBoolean("ok")).isTrue();
        assertThat(b.request("chat", "b" + i).getBoolean("ok")).isTrue();
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  a.received("chat-message").size() == 3 && b.received("chat-message").size() == 3);
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
      assertThat(a.events).containsExactly("user-connected:kcB");
      assertThat(b.events).isEmpty();
      assertThat(texts(a)).containsExactly("kcB:b1", "kcB:b2", "kcB:b3");
      assertThat(texts(b)).containsExactly("kcA:a1", "kcA:a2", "kcA:a3");
    }
    assertThat(log.connects.get())
        .as("TCP connections for %s requests", log.calls.get())
        .isLessThan(log.calls.get() / 2);
    assertThat(log.sessionsByConnection.values())
        .as("a connection carried both sessions' requests")
        .anyMatch(sessions -> sessions.size() == 2);
  }

  @Test
  void connectionCloseIsHonoured() throws Exception {
    try (HttpConnection c = HttpConnection.open(server.port())) {
      Session s = Session.open(c);
      s.post(c, "40");
      HttpConnection.Response last = c.exchange("GET", s.target(), null, "Connection", "close");
      assertThat(Session.packets(last)).singleElement().asString().startsWith("40{");
      assertThat(last.header("Connection")).isEqualToIgnoringCase("close");
      assertThat(c.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
    }
    try (HttpConnection c = HttpConnection.open(server.port())) {
      Session s = Session.open(c);
      HttpConnection.Response last = c.exchange("POST", s.target(), "40", "Connection", "close");
      assertThat(last.body()).isEqualTo("ok");
      assertThat(last.header("Connection")).isEqualToIgnoringCase("close");
      assertThat(c.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void http10IsClosedUnlessItAsksForKeepAlive() throws Exception {
    try (HttpConnection c = HttpConnection.open(server.port())) {
      c.write(c.head("HTTP/1.0", "GET", "/socket.io/?EIO=4&transport=polling", null));
      HttpConnection.Response r = c.read();
      assertThat(r.body()).startsWith("0{\"sid\":");
      assertThat(r.header("Connection")).isEqualToIgnoringCase("close");
      assertThat(c.closedByServerWithin(Duration.ofSeconds(5))).isTrue();
    }
    try (HttpConnection c = HttpConnection.open(server.port())) {
      c.write(
          c.head(
              "HTTP/1.0",
              "GET",
              "/socket.io/?EIO=4&transport=polling",
              null,
              "Connection",
              "keep-alive"));
      HttpConnection.Response r = c.read();
      Matcher m = SID.matcher(r.body());
      assertThat(m.find()).as(r.body()).isTrue();
      assertThat(r.header("Connection")).isEqualToIgnoringCase("keep-alive");
      Session s = new Session(m.group(1));
      c.write(c.head("HTTP/1.0", "POST", s.target(), "40", "Connection", "keep-alive"));
      assertThat(c.read().body()).isEqualTo("ok");
      assertThat(c.closedByServerWithin(QUIET)).isFalse();
    }
  }

  /**
   * A request sent before the previous one is answered (pipelining, which browsers do not do) would
   * be answered by netty-socketio ahead of the waiting poll, and the client would take one response
   * for the other: the connection is closed instead, without an answer, and the session's packets
   * wait for its next poll.
   */
  @Test
  void aRequestBeforeThePreviousAnswerClosesTheConnectionAndLosesNothing() throws Exception {
    try (PeerSocket pa = registered("kpA");
        PeerSocket pc = registered("kpC");
        HttpConnection first = HttpConnection.open(server.port());
        HttpConnection other = HttpConnection.open(server.port())) {
      Session a = Session.open(first);
      a.post(first, "40");
      a.post(first, join(1, "kpA"));
      assertThat(a.poll(first)).hasSize(2); // the connect and the join's ack
      Session c = Session.open(other);
      c.post(other, "40");
      c.post(other, join(1, "kpC"));
      assertThat(c.poll(other)).hasSize(2);
      assertThat(a.poll(first))
          .singleElement()
          .asString()
          .startsWith("42[\"user-connected\",\"kpC\"");

      first.write(
          first.head("HTTP/1.1", "GET", a.target(), null)
              + first.head("HTTP/1.1", "POST", a.target(), "422[\"chat\",\"pipelined\"]"));
      assertThatThrownBy(first::read).isInstanceOf(EOFException.class);

      c.post(other, "422[\"chat\",\"after\"]");
      assertThat(c.poll(other))
          .singleElement()
          .asString()
          .startsWith("432[{")
          .contains("\"ok\":true");
      try (HttpConnection next = HttpConnection.open(server.port())) {
        assertThat(a.poll(next))
            .as("the pipelined chat was not run: no ack for it")
            .singleElement()
            .asString()
            .startsWith("42[\"chat-message\",{\"from\":\"kpC\"")
            .contains("\"text\":\"after\"");
      }
    }
  }

  private static List<String> texts(RoomClient c) throws JSONException {
    List<String> texts = new ArrayList<>();
    for (RoomClient.Received r : c.received("chat-message")) {
      texts.add(r.object(0).getString("from") + ":" + r.object(0).getString("text"));
    }
    return texts;
  }

  /**
   * How many requests and TCP connections an OkHttp client made, and which sessions each connection
   * carried.
   */
  private static final class ConnectionLog extends EventListener {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger connects = new AtomicInteger();
    final Map<Connection, Set<String>> sessionsByConnection = new ConcurrentHashMap<>();

    @Override
    public void callStart(Call call) {
      calls.incrementAndGet();
    }

    @Override
    public void connectStart(Call call, InetSocketAddress address, Proxy proxy) {
      connects.incrementAndGet();
    }

    @Override
    public void connectionAcquired(Call call, Connection connection) {
      String sid = call.request().url().queryParameter("sid");
      if (sid != null) {
        sessionsByConnection
            .computeIfAbsent(connection, k -> ConcurrentHashMap.newKeySet())
            .add(sid);
      }
    }
  }

  @Test
  void thePollAClientLeavesWaitingIsAnsweredWhenItLeaves() throws Exception {
    try (HttpConnection polling = HttpConnection.open(server.port());
        HttpConnection other = HttpConnection.open(server.port())) {
      Session s = Session.open(polling);
      s.post(polling, "40");
      assertThat(s.poll(polling)).singleElement().asString().startsWith("40{");
      polling.send("GET", s.target(), null); // nothing to send yet: it waits
      assertThat(polling.closedByServerWithin(QUIET)).isFalse();
      s.post(other, "1"); // the client's goodbye, as socket.io-client sends it when closed
      // A NOOP, as the reference server ends it; left waiting, the poll would hold its connection
      // until the client
      // gave up on it.
      assertThat(Session.packets(keptOpen(polling.read()))).containsExactly("6");
      // The connection then serves the next session.
      Session next = Session.open(polling);
      next.post(polling, "40");
      assertThat(next.poll(polling)).singleElement().asString().startsWith("40{");
    }
  }

  private static HttpConnection.Response keptOpen(HttpConnection.Response r) {
    assertThat(r.header("Connection")).isEqualToIgnoringCase("keep-alive");
    return r;
  }

  private static String join(int ackId, String peerId) {
    return "42"
        + ackId
        + "[\"join-room\",\"keepalive-room-"
        + peerId.substring(0, 2)
        + "\",\""
        + peerId
        + "\",{\"token\":\"tok"
        + peerId
        + "\"}]";
  }

  private static PeerSocket registered(String peerId) {
    PeerSocket p = PeerSocket.connect(server.port(), peerId, "tok" + peerId);
    assertThat(p.nextText(5)).isEqualTo("{\"type\":\"OPEN\"}");
    return p;
  }

  /** An Engine.IO v4 polling session; each request goes over the connection the test names. */
  private record Session(String sid) {
    static Session open(HttpConnection c) throws IOException {
      HttpConnection.Response r = c.exchange("GET", "/socket.io/?EIO=4&transport=polling", null);
      assertThat(r.status()).isEqualTo(200);
      Matcher m = SID.matcher(r.body());
      assertThat(m.find()).as(r.body()).isTrue();
      keptOpen(r);
      return new Session(m.group(1));
    }

    String target() {
      return "/socket.io/?EIO=4&transport=polling&sid=" + sid;
    }

    void post(HttpConnection c, String packet) throws IOException {
      HttpConnection.Response r = c.exchange("POST", target(), packet);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("ok");
      keptOpen(r);
    }

    /** A poll that is answered at once, on a connection that stays open. */
    List<String> poll(HttpConnection c) throws IOException {
      return packets(keptOpen(c.exchange("GET", target(), null)));
    }

    /** The Engine.IO packets of a poll's answer, which are separated by the record separator. */
    static List<String> packets(HttpConnection.Response r) {
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      return Arrays.asList(r.body().split("\u001e"));
    }
  }
}
