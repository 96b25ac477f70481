package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import webcall.peerjs.PeerJsTarget.Mode;
import webcall.support.PeerSocket;
import webcall.support.RawWs;

/**
 * The PeerJS server's behaviour (docs/peerjs-protocol.md, docs/limits.md), checked the same way
 * against the standalone server and the one inside the call server. Each limit is tried at the
 * limit and just over it, with small limits so that the suite stays fast.
 */
class PeerJsConformanceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String OPEN = "{\"type\":\"OPEN\"}";
  static final String BANNER =
      "{\"name\":\"PeerJS Server\",\"description\":\"A server side element to broker connections between PeerJS"
          + " clients.\",\"website\":\"https://peerjs.com/\"}";

  /** Mutable copy of the default limits, for tests to shrink. */
  static final class L {
    int frame = 64 * 1024, perDest = 20, perDestBytes = 64 * 1024, perSender = 200, total = 10_000;
    long totalBytes = 16L * 1024 * 1024;
    int rate = 100,
        burst = 200,
        heartbeats = 2,
        outbound = 1024 * 1024,
        perAddress = 50,
        fragments = 128;
    long headerTimeout = 30_000;
    int connectionsPerAddress = 200;
    long requestTimeout = 30_000;

    PeerJsOptions.Limits build() {
      return new PeerJsOptions.Limits(
          frame,
          perDest,
          perDestBytes,
          perSender,
          total,
          totalBytes,
          rate,
          burst,
          heartbeats,
          outbound,
          perAddress,
          fragments,
          headerTimeout,
          connectionsPerAddress,
          requestTimeout);
    }
  }

  static PeerJsOptions options(
      L l, int concurrent, long expireMs, long aliveMs, boolean discovery) {
    return new PeerJsOptions(
        "peerjs",
        "/myapp",
        Duration.ofMillis(expireMs),
        Duration.ofMillis(aliveMs),
        Duration.ofMillis(100),
        concurrent,
        discovery,
        l.build());
  }

  @AfterAll
  static void serversClosed() throws InterruptedException {
    PeerJsTarget.awaitClosed();
  }

  static PeerJsOptions defaults() {
    return options(new L(), 5000, 5000, 60_000, false);
  }

  static String error(String msg) {
    return "{\"type\":\"ERROR\",\"payload\":{\"msg\":\"" + msg + "\"}}";
  }

  static HttpResponse<String> get(PeerJsTarget s, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(s.http(path)).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return PeerSocket.HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertNothingKept(PeerJsTarget s) {
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(s.realm().size()).isZero();
              assertThat(s.realm().ids()).isEmpty();
              assertThat(s.realm().queuedMessages()).isZero();
              assertThat(s.realm().queuedSenders()).isZero();
              assertThat(s.endpoint().socketsByAddress()).isEmpty();
            });
  }

  // ---------------------------------------------------------------- HTTP

  @ParameterizedTest
  @EnumSource(Mode.class)
  void httpApiAnswersLikeTheReference(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults())) {
      for (String p : new String[] {"/myapp", "/myapp/"}) {
        HttpResponse<String> banner = get(s, p);
        assertThat(banner.statusCode()).isEqualTo(200);
        assertThat(banner.body()).isEqualTo(BANNER).hasSize(140);
        assertThat(banner.headers().firstValue("Content-Type"))
            .hasValue("application/json; charset=utf-8");
      }
      HttpResponse<String> id = get(s, "/myapp/peerjs/id?ts=123&version=1.5.5");
      assertThat(id.statusCode()).isEqualTo(200);
      assertThat(id.body())
          .matches("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
      assertThat(id.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
      assertThat(get(s, "/myapp/peerjs/id").body()).isNotEqualTo(id.body());
      assertThat(get(s, "/MYAPP/PEERJS/ID").statusCode()).isEqualTo(200);
      assertThat(get(s, "/myapp/anykey/id/").statusCode()).isEqualTo(200);
      HttpResponse<String> head =
          PeerSocket.HTTP.send(
              HttpRequest.newBuilder(s.http("/myapp/peerjs/id"))
                  .method("HEAD", HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.body()).isEmpty();
      HttpResponse<String> peers = get(s, "/myapp/peerjs/peers");
      assertThat(peers.statusCode()).isEqualTo(401);
      assertThat(peers.body()).isEqualTo("Unauthorized");
      assertThat(get(s, "/myapp/peerjs/unknown").statusCode()).isEqualTo(404);
      assertThat(get(s, "/myapp/peerjs").statusCode()).isEqualTo(404);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void discoveryListsRegisteredIdsOnlyWhenAllowed(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(options(new L(), 5000, 5000, 60_000, true));
        PeerSocket a = s.open("L1", "t1");
        PeerSocket b = s.open("L2", "t2")) {
      HttpResponse<String> peers = get(s, "/myapp/peerjs/peers");
      assertThat(peers.statusCode()).isEqualTo(200);
      assertThat(peers.body()).isIn("[\"L1\",\"L2\"]", "[\"L2\",\"L1\"]");
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void corsReflectsTheOriginAndAnswersPreflights(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults())) {
      HttpResponse<String> id = get(s, "/myapp/peerjs/id", "Origin", "http://page.example:8080");
      assertThat(id.headers().firstValue("Access-Control-Allow-Origin"))
          .hasValue("http://page.example:8080");
      assertThat(id.headers().allValues("Vary").toString()).containsIgnoringCase("origin");
      HttpResponse<String> none = get(s, "/myapp/peerjs/id");
      assertThat(none.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
      assertThat(none.headers().allValues("Vary").toString()).containsIgnoringCase("origin");
      HttpResponse<String> preflight =
          PeerSocket.HTTP.send(
              HttpRequest.newBuilder(s.http("/myapp/peerjs/id"))
                  .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                  .header("Origin", "http://page.example")
                  .header("Access-Control-Request-Headers", "x-custom")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(preflight.statusCode()).isEqualTo(204);
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Origin"))
          .hasValue("http://page.example");
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Methods"))
          .hasValue("GET,HEAD,PUT,PATCH,POST,DELETE");
      assertThat(preflight.headers().firstValue("Access-Control-Allow-Headers"))
          .hasValue("x-custom");
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void webSocketPathIsExact(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults())) {
      for (String wrong : new String[] {"/myapp/peerjs/", "/myapp/PEERJS", "/myapp/peerjs/id"}) {
        try (Socket sock = new Socket("127.0.0.1", s.port())) {
          sock.setSoTimeout(10_000);
          sock.getOutputStream()
              .write(
                  ("GET "
                          + wrong
                          + "?key=peerjs&id=a&token=t HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          + "Sec-WebSocket-Version: 13\r\n\r\n")
                      .getBytes(StandardCharsets.US_ASCII));
          assertThat(RawWs.readHead(sock.getInputStream())).as(wrong).startsWith("HTTP/1.1 400");
        }
      }
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void originIsFreeStandaloneAndCheckedEmbedded(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults())) {
      String query = "key=peerjs&id=O1&token=t";
      if (mode == Mode.STANDALONE) {
        try (PeerSocket c = PeerSocket.open(s.ws(query), "Origin", "http://elsewhere.example")) {
          assertThat(c.text()).isEqualTo(OPEN);
        }
      } else {
        assertThatThrownBy(() -> PeerSocket.open(s.ws(query), "Origin", "http://elsewhere.example"))
            .isInstanceOf(CompletionException.class)
            .cause()
            .isInstanceOf(WebSocketHandshakeException.class)
            .satisfies(
                e ->
                    assertThat(((WebSocketHandshakeException) e).getResponse().statusCode())
                        .isEqualTo(403));
        try (PeerSocket c =
            PeerSocket.open(s.ws(query), "Origin", "http://127.0.0.1:" + s.port())) {
          assertThat(c.text()).isEqualTo(OPEN);
        }
      }
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void headersMustArriveInTime(Mode mode) throws Exception {
    L l = new L();
    l.headerTimeout = 1500;
    try (PeerJsTarget s = mode.start(options(l, 5000, 5000, 60_000, false))) {
      // Within the limit, even in two slow parts: answered.
      try (Socket sock = new Socket("127.0.0.1", s.port())) {
        sock.setSoTimeout(10_000);
        OutputStream out = sock.getOutputStream();
        out.write("GET /myapp HTTP/1.1\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(400); // a slow client on purpose
        out.write("Host: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(RawWs.readHead(sock.getInputStream())).startsWith("HTTP/1.1 200");
      }
      // Headers never finished: the connection is closed after the timeout.
      try (Socket sock = new Socket("127.0.0.1", s.port())) {
        sock.setSoTimeout(10_000);
        sock.getOutputStream()
            .write("GET /myapp HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
        long start = System.nanoTime();
        InputStream in = sock.getInputStream();
        assertThat(in.read()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isGreaterThan(Duration.ofMillis(1000));
      }
      // An open WebSocket is not subject to it.
      try (PeerSocket c = s.open("W1", "t")) {
        Thread.sleep(2000); // longer than the header timeout, on purpose
        c.send("{\"type\":\"OFFER\",\"dst\":\"W1\",\"payload\":1}");
        assertThat(c.text())
            .isEqualTo("{\"type\":\"OFFER\",\"src\":\"W1\",\"dst\":\"W1\",\"payload\":1}");
      }
    }
  }

  // ---------------------------------------------------------------- handshake

  @ParameterizedTest
  @EnumSource(Mode.class)
  void missingOrEmptyParametersAreRefusedFirst(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults())) {
      for (String q :
          new String[] {
            "key=peerjs&token=t", "key=peerjs&id=&token=t", "key=peerjs&id=a",
                "key=peerjs&id=a&token=",
            "id=a&token=t", "key=&id=a&token=t", "key=wrong&id=a", "id=a&token=t&version=1.5.5"
          }) {
        try (PeerSocket c = PeerSocket.open(s.ws(q))) {
          assertThat(c.text())
              .as(q)
              .isEqualTo(error("No id, token, or key supplied to websocket server"));
          assertThat(c.closeCode()).isEqualTo(1008);
        }
      }
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void wrongKeyIsRefused(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults());
        PeerSocket holder = s.open("K1", "t1")) {
      for (String q : new String[] {"key=PEERJS&id=a&token=t", "key=other&id=K1&token=x"}) {
        try (PeerSocket c = PeerSocket.open(s.ws(q))) {
          assertThat(c.text()).isEqualTo(error("Invalid key provided"));
          assertThat(c.closeCode()).isEqualTo(1008);
        }
      }
      assertThat(s.realm().ids()).containsExactly("K1");
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void idAndTokenFollowTheRules(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults())) {
      String id64 = "a".repeat(64);
      String token64 = "T".repeat(64);
      for (String[] ok : new String[][] {{id64, "t"}, {"a%20b-c_d", "t"}, {"x1", token64}}) {
        s.open(ok[0], ok[1]).close();
      }
      String[][] bad = {
        {"a".repeat(65), "t", "Invalid id provided"},
        {"bad%20id%21", "t", "Invalid id provided"},
        {"-lead", "t", "Invalid id provided"},
        {"a%20%20b", "t", "Invalid id provided"},
        {"x2", "T".repeat(65), "Invalid token provided"},
        {"x3", "tok-en", "Invalid token provided"},
      };
      for (String[] b : bad) {
        try (PeerSocket c = PeerSocket.open(s.ws("key=peerjs&id=" + b[0] + "&token=" + b[1]))) {
          assertThat(c.text()).as(b[0]).isEqualTo(error(b[2]));
          assertThat(c.closeCode()).isEqualTo(1008);
        }
      }
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void anIdHeldWithAnotherTokenIsTaken(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults());
        PeerSocket a = s.open("A", "ta");
        PeerSocket b = s.open("B", "tb")) {
      try (PeerSocket thief = PeerSocket.open(s.ws("key=peerjs&id=A&token=other"))) {
        assertThat(thief.text())
            .isEqualTo("{\"type\":\"ID-TAKEN\",\"payload\":{\"msg\":\"ID is taken\"}}");
        assertThat(thief.closeCode()).isEqualTo(1008);
      }
      b.send("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":{}}");
      assertThat(a.text())
          .isEqualTo("{\"type\":\"OFFER\",\"src\":\"B\",\"dst\":\"A\",\"payload\":{}}");
      assertThat(s.realm().size()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void theSameTokenTakesOverAndTheOldSocketIsClosed(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults());
        PeerSocket old = s.open("A", "ta");
        PeerSocket b = s.open("B", "tb");
        PeerSocket fresh = s.open("A", "ta")) {
      assertThat(old.closeCode()).isEqualTo(1000);
      b.send("{\"type\":\"CANDIDATE\",\"dst\":\"A\",\"payload\":1}");
      assertThat(fresh.text())
          .isEqualTo("{\"type\":\"CANDIDATE\",\"src\":\"B\",\"dst\":\"A\",\"payload\":1}");
      // The old socket closing does not free the id from the new one.
      assertThat(s.realm().get("A")).isNotNull();
      assertThat(s.realm().get("A").link().isOpen()).isTrue();
      assertThat(s.realm().size()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void concurrentLimitAtAndOver(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(options(new L(), 2, 5000, 60_000, false))) {
      PeerSocket a = s.open("A", "ta");
      PeerSocket b = s.open("B", "tb");
      try (PeerSocket c = PeerSocket.open(s.ws("key=peerjs&id=C&token=tc"))) {
        assertThat(c.text()).isEqualTo(error("Server has reached its concurrent user limit"));
        assertThat(c.closeCode()).isEqualTo(1013);
      }
      // A reconnecting client is not a new one.
      PeerSocket a2 = s.open("A", "ta");
      assertThat(a.closeCode()).isEqualTo(1000);
      b.close();
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().size() == 1);
      s.open("C", "tc").close();
      a2.close();
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void socketsPerAddressAtAndOver(Mode mode) throws Exception {
    L l = new L();
    l.perAddress = 3;
    try (PeerJsTarget s = mode.start(options(l, 5000, 5000, 60_000, false))) {
      PeerSocket a = s.open("A", "t");
      PeerSocket b = s.open("B", "t");
      PeerSocket c = s.open("C", "t");
      try (PeerSocket d = PeerSocket.open(s.ws("key=peerjs&id=D&token=t"))) {
        assertThat(d.text()).isEqualTo(error("Too many connections from your address"));
        assertThat(d.closeCode()).isEqualTo(1013);
      }
      assertThat(s.realm().get("D")).isNull();
      assertThat(s.endpoint().socketsByAddress()).containsEntry("127.0.0.1", 3);
      a.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> s.endpoint().socketsByAddress().get("127.0.0.1") == 2);
      PeerSocket d = s.open("D", "t");
      b.close();
      c.close();
      d.close();
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void proxiedTakesTheAddressFromXForwardedFor(Mode mode) throws Exception {
    L l = new L();
    l.perAddress = 1;
    PeerJsOptions o = options(l, 5000, 5000, 60_000, false);
    try (PeerJsTarget s = mode.start(o, true)) {
      PeerSocket a =
          PeerSocket.open(s.ws("key=peerjs&id=A&token=t"), "X-Forwarded-For", "10.0.0.1");
      assertThat(a.text()).isEqualTo(OPEN);
      PeerSocket b =
          PeerSocket.open(s.ws("key=peerjs&id=B&token=t"), "X-Forwarded-For", "10.0.0.2");
      assertThat(b.text()).isEqualTo(OPEN);
      // The proxy appends the real address last; what the client put before it does not count.
      try (PeerSocket c =
          PeerSocket.open(
              s.ws("key=peerjs&id=C&token=t"), "X-Forwarded-For", "10.9.9.9, 10.0.0.1")) {
        assertThat(c.text()).isEqualTo(error("Too many connections from your address"));
        assertThat(c.closeCode()).isEqualTo(1013);
      }
      assertThat(s.endpoint().socketsByAddress()).containsOnlyKeys("10.0.0.1", "10.0.0.2");
      a.close();
      b.close();
      assertNothingKept(s);
    }
    try (PeerJsTarget s = mode.start(o, false)) {
      PeerSocket a =
          PeerSocket.open(s.ws("key=peerjs&id=A&token=t"), "X-Forwarded-For", "10.0.0.1");
      assertThat(a.text()).isEqualTo(OPEN);
      try (PeerSocket b =
          PeerSocket.open(s.ws("key=peerjs&id=B&token=t"), "X-Forwarded-For", "10.0.0.2")) {
        assertThat(b.text()).isEqualTo(error("Too many connections from your address"));
      }
      assertThat(s.endpoint().socketsByAddress()).containsOnlyKeys("127.0.0.1");
      a.close();
    }
  }

  // ---------------------------------------------------------------- relay

  @ParameterizedTest
  @EnumSource(Mode.class)
  void relaysWithTheServerSetSourceAndOnlyTheFourFields(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults());
        PeerSocket a = s.open("A", "ta");
        PeerSocket b = s.open("B", "tb")) {
      a.send(
          "{\"type\":\"OFFER\",\"src\":\"MALLORY\",\"dst\":\"B\",\"extra\":true,\"payload\":{\"sdp\":\"x\",\"n\":1}}");
      assertThat(b.text())
          .isEqualTo(
              "{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":{\"sdp\":\"x\",\"n\":1}}");
      b.send("{\"payload\":null,\"dst\":\"A\",\"type\":\"ANSWER\"}");
      assertThat(a.text())
          .isEqualTo("{\"type\":\"ANSWER\",\"src\":\"B\",\"dst\":\"A\",\"payload\":null}");
      a.send("{\"type\":\"CANDIDATE\",\"dst\":\"B\"}");
      assertThat(b.text()).isEqualTo("{\"type\":\"CANDIDATE\",\"src\":\"A\",\"dst\":\"B\"}");
      a.send("{\"type\":\"CANDIDATE\",\"dst\":\"A\",\"payload\":[1,2]}");
      assertThat(a.text())
          .isEqualTo("{\"type\":\"CANDIDATE\",\"src\":\"A\",\"dst\":\"A\",\"payload\":[1,2]}");
      a.send("{\"type\":\"LEAVE\",\"dst\":\"B\"}");
      assertThat(b.text()).isEqualTo("{\"type\":\"LEAVE\",\"src\":\"A\",\"dst\":\"B\"}");
      // LEAVE to an absent peer, or to a dst that is no id, is neither relayed nor queued, and A
      // keeps its id.
      a.send("{\"type\":\"LEAVE\",\"dst\":\"NOBODY\"}");
      a.send("{\"type\":\"LEAVE\",\"dst\":123}");
      a.send("{\"type\":\"LEAVE\",\"dst\":{\"id\":\"B\"}}");
      a.send("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"marker\"}");
      assertThat(b.text()).contains("marker");
      assertThat(s.realm().queuedMessages()).isZero();
      assertThat(s.realm().get("A")).isNotNull();
      assertThat(a.isClosed()).isFalse();
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void clientSentServerTypesAndUnknownTypesAreNotRelayed(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults());
        PeerSocket a = s.open("A", "ta");
        PeerSocket b = s.open("B", "tb")) {
      for (String t :
          new String[] {
            "EXPIRE", "OPEN", "ID-TAKEN", "ERROR", "INVALID-KEY", "FOO", "offer", "", "HEARTBEAT"
          }) {
        a.send("{\"type\":\"" + t + "\",\"dst\":\"B\",\"payload\":{\"msg\":\"x\"}}");
        a.send("{\"type\":\"" + t + "\",\"dst\":\"NOBODY\"}");
      }
      a.send("{\"dst\":\"B\"}");
      a.send("{\"type\":\"CANDIDATE\",\"dst\":\"B\",\"payload\":\"marker\"}");
      assertThat(b.text())
          .isEqualTo("{\"type\":\"CANDIDATE\",\"src\":\"A\",\"dst\":\"B\",\"payload\":\"marker\"}");
      assertThat(s.realm().queuedMessages()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void malformedFramesAreIgnoredAndTheSocketKeepsWorking(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults());
        PeerSocket a = s.open("A", "ta");
        PeerSocket b = s.open("B", "tb")) {
      for (String bad :
          new String[] {
            "not json", "null", "42", "\"str\"", "true", "[]", "{}", "{\"type\":", "{\"type\":7}"
          }) {
        a.send(bad);
      }
      a.sendBinary(new byte[] {(byte) 0xff, 0, 1, (byte) 0xc3});
      // Missing, empty, null, numeric dst: nothing relayed, nothing queued.
      a.send("{\"type\":\"OFFER\"}");
      a.send("{\"type\":\"OFFER\",\"dst\":\"\"}");
      a.send("{\"type\":\"OFFER\",\"dst\":null}");
      a.send("{\"type\":\"OFFER\",\"dst\":123}");
      // A binary frame holding JSON is read like a text frame, as the reference does.
      a.sendBinary(
          "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"bin\"}"
              .getBytes(StandardCharsets.UTF_8));
      assertThat(b.text())
          .isEqualTo("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":\"bin\"}");
      // Content after the object makes the frame malformed, as for JSON.parse.
      a.send("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"trailing\"} x");
      a.send("{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"marker\"}");
      assertThat(b.text()).contains("marker");
      assertThat(a.isClosed()).isFalse();
      assertThat(s.realm().queuedMessages()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void repeatedKeysCountWithTheirLastValueAndThePayloadArrivesAsTheSameJson(Mode mode)
      throws Exception {
    try (PeerJsTarget s = mode.start(defaults());
        PeerSocket a = s.open("A", "ta");
        PeerSocket b = s.open("B", "tb")) {
      // JSON.parse keeps a repeated key's last value: so does the server, for type, dst and
      // payload.
      a.send(
          "{\"type\":\"LEAVE\",\"dst\":\"NOBODY\",\"payload\":\"first\",\"type\":\"OFFER\",\"dst\":\"B\","
              + "\"payload\":\"last\"}");
      assertThat(b.text())
          .isEqualTo("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"B\",\"payload\":\"last\"}");
      String payload =
          "{ \"sdp\" : {\"type\":\"offer\", \"sdp\":\"v=0\\r\\n\\u00e9\"}, \"n\": [1, 2.5e3, null, true],"
              + " \"name\":\"Zoë 张\" }";
      a.send(
          "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":"
              + payload
              + ",\"extra\":{\"dropped\":1}}");
      JsonNode got = JSON.readTree(b.text());
      assertThat(got.get("payload")).isEqualTo(JSON.readTree(payload));
      assertThat(got.has("extra")).isFalse();
      assertThat(s.realm().queuedMessages()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void tooLongStringIsRefused(Mode mode) throws Exception {
    L limits = new L();
    limits.frame =
        256 * 1024; // by default a frame is too big (1009) before a string can be too long
    try (PeerJsTarget s = mode.start(options(limits, 5000, 5000, 60_000, false));
        PeerSocket a = s.open("A", "ta");
        PeerSocket b = s.open("B", "tb")) {
      String ok = "x".repeat(100_000); // the limit
      a.send("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":{\"sdp\":\"" + ok + "\"}}");
      // (compared by length: AssertJ would print all 100 000 characters on a failure)
      assertThat(a.text().length())
          .isEqualTo(
              "{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"A\",\"payload\":{\"sdp\":\"\"}}".length()
                  + ok.length());
      a.send("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":{\"sdp\":\"" + ok + "y\"}}");
      assertThat(a.text())
          .isEqualTo(error("Message is nested too deeply or holds too long a string"));
      assertThat(a.closeCode()).isEqualTo(1007);
      // Every field is checked, whatever comes before it: here a type that is not a string.
      b.send("{\"type\":{\"n\":[1]},\"dst\":\"B\",\"payload\":\"" + ok + "y\"}");
      assertThat(b.text())
          .isEqualTo(error("Message is nested too deeply or holds too long a string"));
      assertThat(b.closeCode()).isEqualTo(1007);
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void tooDeepJsonIsRefused(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults());
        PeerSocket a = s.open("A", "ta")) {
      // 32 levels, the limit: the object and 31 arrays in it.
      String ok = "[".repeat(31) + "]".repeat(31);
      a.send("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":" + ok + "}");
      assertThat(a.text()).endsWith("\"payload\":" + ok + "}");
      String deep = "[".repeat(32) + "]".repeat(32); // 33 levels
      a.send("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":" + deep + "}");
      assertThat(a.text())
          .isEqualTo(error("Message is nested too deeply or holds too long a string"));
      assertThat(a.closeCode()).isEqualTo(1007);
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void leaveWithoutDestinationGivesUpTheId(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults());
        PeerSocket a = s.open("A", "ta")) {
      a.send("{\"type\":\"LEAVE\"}");
      assertThat(a.closeCode()).isEqualTo(1000);
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().get("A") == null);
      s.open("A", "another").close();
      assertNothingKept(s);
    }
  }

  // ---------------------------------------------------------------- liveness and rates

  @ParameterizedTest
  @EnumSource(Mode.class)
  void heartbeatsKeepAPeerAliveAndSilenceDropsIt(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(options(new L(), 5000, 5000, 1500, false));
        PeerSocket alive = s.open("LIVE", "t");
        PeerSocket silent = s.open("SILENT", "t")) {
      long start = System.nanoTime();
      // 600 ms apart: under the 2/s heartbeat limit and well inside the 1500 ms alive timeout.
      for (int i = 0; i < 6 && !silent.isClosed(); i++) {
        alive.send("{\"type\":\"HEARTBEAT\"}");
        Thread.sleep(600);
      }
      assertThat(silent.text()).isEqualTo(error("No heartbeat received in time"));
      assertThat(silent.closeCode()).isEqualTo(1008);
      assertThat(Duration.ofNanos(System.nanoTime() - start))
          .isGreaterThan(Duration.ofMillis(1000));
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().get("SILENT") == null);
      s.open("SILENT", "other").close();
      alive.send("{\"type\":\"OFFER\",\"dst\":\"LIVE\",\"payload\":\"still here\"}");
      assertThat(alive.text()).contains("still here");
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void heartbeatRateAtAndOver(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(defaults());
        PeerSocket a = s.open("A", "t")) {
      a.send("{\"type\":\"HEARTBEAT\"}");
      a.send("{\"type\":\"HEARTBEAT\"}");
      a.send("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":\"after two\"}");
      a.send("{\"type\":\"HEARTBEAT\"}");
      assertThat(a.text()).contains("after two");
      assertThat(a.text()).isEqualTo(error("Too many heartbeats"));
      assertThat(a.closeCode()).isEqualTo(1008);
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void messageRateAtAndOver(Mode mode) throws Exception {
    L l = new L();
    l.rate = 1;
    l.burst = 10;
    try (PeerJsTarget s = mode.start(options(l, 5000, 5000, 60_000, false));
        PeerSocket a = s.open("A", "t")) {
      for (int i = 0; i < 11; i++) {
        a.send("{\"type\":\"OFFER\",\"dst\":\"A\",\"payload\":" + i + "}");
      }
      for (int i = 0; i < 10; i++) {
        assertThat(a.text()).endsWith("\"payload\":" + i + "}");
      }
      assertThat(a.text()).isEqualTo(error("Too many messages"));
      assertThat(a.closeCode()).isEqualTo(1008);
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void pingsAreAnsweredAndCountAsMessages(Mode mode) throws Exception {
    L l = new L();
    l.rate = 1;
    l.burst = 5;
    try (PeerJsTarget s = mode.start(options(l, 5000, 5000, 60_000, false))) {
      try (RawWs ws = new RawWs(s.port(), s.path() + "/peerjs?key=peerjs&id=P&token=t")) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
        for (int i = 0; i < 5; i++) {
          ws.frame(true, 0, 9, new byte[] {(byte) i}, true);
          RawWs.Frame pong = ws.read();
          assertThat(pong.opcode()).isEqualTo(10);
          assertThat(pong.payload()).containsExactly((byte) i);
        }
        ws.frame(true, 0, 9, new byte[] {9}, true);
        assertRejected(ws, "Too many messages", 1008);
      }
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void frameSizeAtAndOver(Mode mode) throws Exception {
    L l = new L();
    l.frame = 4096;
    try (PeerJsTarget s = mode.start(options(l, 5000, 5000, 60_000, false));
        PeerSocket a = s.open("A", "t");
        PeerSocket b = s.open("B", "t")) {
      String head = "{\"type\":\"OFFER\",\"dst\":\"B\",\"payload\":\"";
      String atLimit = head + "x".repeat(4096 - head.length() - 2) + "\"}";
      assertThat(atLimit).hasSize(4096);
      a.send(atLimit);
      assertThat(b.text()).hasSize(4096 + "\"src\":\"A\",".length());
      a.send(head + "x".repeat(4097 - head.length() - 2) + "\"}");
      assertThat(a.text()).isEqualTo(error("Message too big"));
      assertThat(a.closeCode()).isEqualTo(1009);
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().get("A") == null);
    }
  }

  // ---------------------------------------------------------------- raw frames

  @ParameterizedTest
  @EnumSource(Mode.class)
  void brokenFramesGetTheirCloseCodeAndNothingIsKept(Mode mode) throws Exception {
    L l = new L();
    l.frame = 4096;
    try (PeerJsTarget s = mode.start(options(l, 5000, 5000, 60_000, false))) {
      String q = s.path() + "/peerjs?key=peerjs&id=R&token=t";
      byte[] hello = "{}".getBytes(StandardCharsets.UTF_8);
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
        ws.frame(true, 0, 1, hello, false); // unmasked
        assertRejected(ws, "Malformed WebSocket frame", 1002);
      }
      assertNothingKept(s);
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
        ws.frame(true, 4, 1, hello, true); // RSV1 without an extension
        assertRejected(ws, "Malformed WebSocket frame", 1002);
      }
      assertNothingKept(s);
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
        ws.frame(true, 0, 3, hello, true); // reserved opcode
        assertRejected(ws, "Malformed WebSocket frame", 1002);
      }
      assertNothingKept(s);
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
        ws.frame(
            true, 0, 1, new byte[] {'{', (byte) 0xc3, (byte) 0x28, '}'}, true); // invalid UTF-8
        assertRejected(ws, "Text frame is not valid UTF-8", 1007);
      }
      assertNothingKept(s);
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
        // Invalid UTF-8 split across fragments is caught too.
        ws.frame(false, 0, 1, new byte[] {'"', (byte) 0xe2}, true);
        ws.frame(true, 0, 0, new byte[] {(byte) 0x28, '"'}, true);
        assertRejected(ws, "Text frame is not valid UTF-8", 1007);
      }
      assertNothingKept(s);
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
        // Declares a 1 TiB payload and sends none of it: refused on the header alone.
        ws.raw(new byte[] {(byte) 0x81, (byte) 0xff, 0, 0, 1, 0, 0, 0, 0, 0, 1, 2, 3, 4});
        assertRejected(ws, "Message too big", 1009);
      }
      assertNothingKept(s);
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
        // Fragments each under the frame limit that add up to more than it.
        ws.frame(false, 0, 1, new byte[3000], true);
        ws.frame(true, 0, 0, new byte[3000], true);
        assertRejected(ws, "Message too big", 1009);
      }
      assertNothingKept(s);
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
        ws.frame(true, 0, 8, new byte[] {0x03, (byte) 0xe7}, true); // close code 999 is not allowed
        assertRejected(ws, "Malformed WebSocket frame", 1002);
      }
      assertNothingKept(s);
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
        // What peer.destroy() sends: a close without a code, echoed without one, and no ERROR.
        ws.frame(true, 0, 8, new byte[0], true);
        RawWs.Frame close = ws.read();
        assertThat(close.opcode()).isEqualTo(8);
        assertThat(close.closeCode()).isEqualTo(1005);
      }
      assertNothingKept(s);
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
      } // reset right after the upgrade
      assertNothingKept(s);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void fragmentsPerMessageAtAndOver(Mode mode) throws Exception {
    L l = new L();
    l.fragments = 4;
    try (PeerJsTarget s = mode.start(options(l, 5000, 5000, 60_000, false))) {
      String q = s.path() + "/peerjs?key=peerjs&id=F&token=t";
      String[] parts = {"{\"type\":\"OFFER\",", "\"dst\":\"F\",", "\"payload\":", "\"frag\"}"};
      try (RawWs ws = new RawWs(s.port(), q)) {
        assertThat(ws.read().text()).isEqualTo(OPEN);
        for (int i = 0; i < 4; i++) {
          ws.frame(i == 3, 0, i == 0 ? 1 : 0, parts[i].getBytes(StandardCharsets.UTF_8), true);
        }
        assertThat(ws.read().text())
            .isEqualTo("{\"type\":\"OFFER\",\"src\":\"F\",\"dst\":\"F\",\"payload\":\"frag\"}");
        for (int i = 0; i < 5; i++) {
          ws.frame(
              i == 4,
              0,
              i == 0 ? 1 : 0,
              (i < 4 ? parts[i] : " ").getBytes(StandardCharsets.UTF_8),
              true);
        }
        assertRejected(ws, "Message split into too many frames", 1008);
      }
      assertNothingKept(s);
    }
  }

  /** The rejection contract: an ERROR frame with this text, then a close frame with this code. */
  static void assertRejected(RawWs ws, String msg, int code) throws IOException {
    RawWs.Frame f = ws.read();
    assertThat(f.opcode()).as("an ERROR text frame first").isEqualTo(1);
    assertThat(f.text()).isEqualTo(error(msg));
    assertThat(ws.closeCode()).isEqualTo(code);
  }

  // ---------------------------------------------------------------- offline queue

  @ParameterizedTest
  @EnumSource(Mode.class)
  void queuedMessagesWaitForTheirPeerOrExpireOncePerSender(Mode mode) throws Exception {
    try (PeerJsTarget s = mode.start(options(new L(), 5000, 400, 60_000, false));
        PeerSocket a = s.open("A", "t");
        PeerSocket b = s.open("B", "t")) {
      a.send("{\"type\":\"OFFER\",\"dst\":\"C\",\"payload\":1}");
      a.send("{\"type\":\"CANDIDATE\",\"dst\":\"C\",\"payload\":2}");
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().queuedMessages() == 2);
      try (PeerSocket c = s.open("C", "t")) {
        assertThat(c.text())
            .isEqualTo("{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"C\",\"payload\":1}");
        assertThat(c.text())
            .isEqualTo("{\"type\":\"CANDIDATE\",\"src\":\"A\",\"dst\":\"C\",\"payload\":2}");
      }
      assertThat(s.realm().queuedMessages()).isZero();
      a.send("{\"type\":\"OFFER\",\"dst\":\"nobody\",\"payload\":1}");
      a.send("{\"type\":\"CANDIDATE\",\"dst\":\"nobody\",\"payload\":2}");
      b.send("{\"type\":\"OFFER\",\"dst\":\"nobody\",\"payload\":3}");
      assertThat(a.text()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"nobody\",\"dst\":\"A\"}");
      assertThat(b.text()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"nobody\",\"dst\":\"B\"}");
      assertThat(a.nextText(0.8)).as("only one EXPIRE per sender").isNull();
      assertThat(s.realm().queuedMessages()).isZero();
      assertThat(s.realm().queuedSenders()).isZero();
      // After expiry a late peer gets only OPEN.
      try (PeerSocket late = s.open("nobody", "t")) {
        assertThat(late.nextText(0.3)).isNull();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void queueCapsAtAndOver(Mode mode) throws Exception {
    L l = new L();
    l.perDest = 3;
    l.perDestBytes = 1000;
    l.perSender = 5;
    l.total = 8;
    try (PeerJsTarget s = mode.start(options(l, 5000, 60_000, 60_000, false));
        PeerSocket a = s.open("A", "t");
        PeerSocket b = s.open("B", "t");
        PeerSocket c = s.open("C", "t")) {
      // Bytes per destination: one message bigger than the cap is refused at once.
      a.send("{\"type\":\"OFFER\",\"dst\":\"X0\",\"payload\":\"" + "x".repeat(1000) + "\"}");
      assertThat(a.text()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"X0\",\"dst\":\"A\"}");
      // Per destination: three wait, the fourth is refused.
      for (int i = 0; i < 3; i++) {
        a.send("{\"type\":\"OFFER\",\"dst\":\"X1\",\"payload\":" + i + "}");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().queuedMessages() == 3);
      a.send("{\"type\":\"OFFER\",\"dst\":\"X1\",\"payload\":3}");
      assertThat(a.text()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"X1\",\"dst\":\"A\"}");
      // Per sender: five wait, the sixth is refused.
      a.send("{\"type\":\"OFFER\",\"dst\":\"X2\",\"payload\":0}");
      a.send("{\"type\":\"OFFER\",\"dst\":\"X2\",\"payload\":1}");
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().queuedMessages() == 5);
      a.send("{\"type\":\"OFFER\",\"dst\":\"X3\",\"payload\":0}");
      assertThat(a.text()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"X3\",\"dst\":\"A\"}");
      // In all: eight wait, the ninth is refused whoever sends it.
      for (int i = 0; i < 3; i++) {
        b.send("{\"type\":\"OFFER\",\"dst\":\"X3\",\"payload\":" + i + "}");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().queuedMessages() == 8);
      c.send("{\"type\":\"OFFER\",\"dst\":\"X4\",\"payload\":0}");
      assertThat(c.text()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"X4\",\"dst\":\"C\"}");
      assertThat(a.nextText(0.2)).isNull();
      assertThat(b.nextText(0)).isNull();
      // Delivery empties the queues and the per-sender counts.
      try (PeerSocket x1 = s.open("X1", "t");
          PeerSocket x2 = s.open("X2", "t");
          PeerSocket x3 = s.open("X3", "t")) {
        for (int i = 0; i < 3; i++) {
          assertThat(x1.text()).endsWith("\"payload\":" + i + "}");
          assertThat(x3.text())
              .startsWith("{\"type\":\"OFFER\",\"src\":\"B\"")
              .endsWith("\"payload\":" + i + "}");
        }
        assertThat(x2.text()).endsWith("\"payload\":0}");
        assertThat(x2.text()).endsWith("\"payload\":1}");
        assertThat(s.realm().queuedMessages()).isZero();
        assertThat(s.realm().queuedSenders()).isZero();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void queueByteCapsAtAndOver(Mode mode) throws Exception {
    L l = new L();
    l.perDestBytes = 1000;
    l.totalBytes = 2500;
    try (PeerJsTarget s = mode.start(options(l, 5000, 60_000, 60_000, false));
        PeerSocket a = s.open("A", "t")) {
      // Per destination: a message that is 1000 bytes as relayed waits; one of 1001 bytes is
      // refused.
      a.send(offerOfSize("Y1", 1000));
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().queuedMessages() == 1);
      a.send(offerOfSize("Y2", 1001));
      assertThat(a.text()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"Y2\",\"dst\":\"A\"}");
      // ...and a destination holding 1000 bytes takes no more.
      a.send(offerOfSize("Y1", 60));
      assertThat(a.text()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"Y1\",\"dst\":\"A\"}");
      // In all: 1000 + 1000 + 500 = 2500 bytes wait; one byte more is refused.
      a.send(offerOfSize("Y3", 1000));
      a.send(offerOfSize("Y4", 500));
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().queuedMessages() == 3);
      a.send(offerOfSize("Y5", 60));
      assertThat(a.text()).isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"Y5\",\"dst\":\"A\"}");
      assertThat(s.realm().queuedMessages()).isEqualTo(3);
      try (PeerSocket y1 = s.open("Y1", "t")) {
        assertThat(y1.text()).hasSize(1000);
      }
      // Freed bytes can be used again.
      a.send(offerOfSize("Y6", 1000));
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().queuedMessages() == 3);
      assertThat(a.nextText(0.2)).isNull();
    }
  }

  /**
   * An OFFER from "A" that is exactly {@code bytes} long once the server has added {@code
   * "src":"A"}.
   */
  static String offerOfSize(String dst, int bytes) {
    String head = "{\"type\":\"OFFER\",\"src\":\"A\",\"dst\":\"" + dst + "\",\"payload\":\"";
    String relayed = head + "x".repeat(bytes - head.length() - 2) + "\"}";
    assertThat(relayed).hasSize(bytes);
    return relayed.replace("\"src\":\"A\",", "");
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aReaderThatFallsBehindIsCutOffAndTheSenderCarriesOn(Mode mode) throws Exception {
    L l = new L();
    l.outbound = 64 * 1024;
    l.rate = 10_000;
    l.burst = 10_000;
    try (PeerJsTarget s = mode.start(options(l, 5000, 5000, 60_000, false));
        PeerSocket sender = s.open("SENDER", "t");
        PeerSocket reader = s.open("READER", "t");
        RawWs stuck = new RawWs(s.port(), s.path() + "/peerjs?key=peerjs&id=STUCK&token=t", 4096)) {
      String chunk = "x".repeat(60_000);
      // A reader that keeps up gets as much without trouble: 200 x 60 kB, each read before the next
      // is sent.
      int n = 200;
      for (int i = 0; i < n; i++) {
        sender.send("{\"type\":\"OFFER\",\"dst\":\"READER\",\"payload\":\"" + chunk + "\"}");
        assertThat(reader.text()).hasSizeGreaterThan(60_000);
      }
      assertThat(reader.isClosed()).isFalse();
      // One that reads nothing: once 64 KiB wait for it on the server, it is cut off.
      for (int i = 0; i < n && s.realm().get("STUCK") != null; i++) {
        sender.send("{\"type\":\"OFFER\",\"dst\":\"STUCK\",\"payload\":\"" + chunk + "\"}");
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> s.realm().get("STUCK") == null);
      assertThat(stuck.endsWithin()).as("the server closes the stuck connection").isTrue();
      sender.send("{\"type\":\"OFFER\",\"dst\":\"READER\",\"payload\":\"still here\"}");
      assertThat(reader.text()).contains("still here");
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void tokensNeverReachTheLog(Mode mode) throws Exception {
    ch.qos.logback.classic.Logger root =
        (ch.qos.logback.classic.Logger)
            org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
        new ch.qos.logback.core.read.ListAppender<>();
    logs.start();
    root.addAppender(logs);
    ch.qos.logback.classic.Level level = root.getLevel();
    root.setLevel(ch.qos.logback.classic.Level.DEBUG);
    String secret = "Zq9secretToken7";
    try (PeerJsTarget s = mode.start(defaults())) {
      try (PeerSocket a = s.open("TA", secret);
          PeerSocket thief = PeerSocket.open(s.ws("key=peerjs&id=TA&token=wrong" + secret))) {
        assertThat(thief.text()).contains("ID-TAKEN");
        PeerSocket again = s.open("TA", secret);
        assertThat(a.closeCode()).isEqualTo(1000);
        again.send("not json");
        again.close();
      }
      try (PeerSocket bad = PeerSocket.open(s.ws("key=nope&id=TB&token=" + secret))) {
        assertThat(bad.text()).contains("Invalid key");
      }
      assertNothingKept(s);
    } finally {
      root.detachAppender(logs);
      root.setLevel(level);
    }
    assertThat(logs.list).isNotEmpty();
    assertThat(logs.list)
        .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain(secret));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void shuttingDownTellsConnectedClientsGoingAway(Mode mode) throws Exception {
    PeerJsTarget s = mode.start(defaults());
    try (PeerSocket a = s.open("A", "t");
        PeerSocket b = s.open("B", "t")) {
      s.close();
      assertThat(a.closeCode()).isEqualTo(1001);
      assertThat(b.closeCode()).isEqualTo(1001);
    }
  }
}
