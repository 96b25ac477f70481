package webcall.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static webcall.support.Http.get;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.json.JSONObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import webcall.TestServer;
import webcall.config.ServerConfig;
import webcall.peerjs.PeerJsOptions;
import webcall.peerjs.Rejection;
import webcall.support.Http;
import webcall.support.PeerSocket;
import webcall.support.PrometheusText;
import webcall.support.PrometheusText.Sample;
import webcall.support.RoomClient;

/**
 * The admin listener's {@code /metrics} on a real server: PeerJS, STUN, /api/ice and process
 * figures move with real traffic, and no label carries anything a client sent (ids, tokens, keys,
 * rooms, message types, query strings).
 */
class MetricsIT {
  /** In every piece of client text below, so that it can be looked for anywhere in the output. */
  static final String MARK = "zq9mark";

  /** Every label a webcall_* series may have, with every value it may take. */
  static final Map<String, Set<String>> ALLOWED =
      Map.of(
          "type", Set.of("OFFER", "ANSWER", "CANDIDATE", "LEAVE"),
          "reason", reasons(),
          "result", Set.of("answered", "dropped"),
          "status", Set.of("200", "405", "429"),
          "area", Set.of("direct", "heap"),
          "transport", Set.of("polling", "websocket"),
          "cause",
              Set.of(
                  "client",
                  "ping_timeout",
                  "flood",
                  "slow_reader",
                  "shutdown",
                  "protocol_error",
                  "connect_timeout",
                  "server"),
          "code", joinErrorCodes(),
          "limit", Set.of("connections_per_address", "peerjs_sockets_per_address"));

  /** The join refusals' codes: an enum, so the label is bounded whatever clients send. */
  static Set<String> joinErrorCodes() {
    Set<String> codes = new TreeSet<>();
    for (webcall.rooms.RoomDirectory.JoinError e : webcall.rooms.RoomDirectory.JoinError.values()) {
      codes.add(e.code());
    }
    return codes;
  }

  static Set<String> reasons() {
    Set<String> r = new TreeSet<>(Set.of("timeout", "queue_full"));
    for (Rejection why : Rejection.values()) {
      r.add(why.name().toLowerCase(Locale.ROOT));
    }
    return r;
  }

  static TestServer server;
  static Metrics metrics;
  static AdminListener admin;
  static int adminPort;

  /** The PeerJS state of a server whose meters go to {@code metrics}. */
  @BeforeAll
  static void start() {
    ServerConfig base = ServerConfig.forLoopback();
    PeerJsOptions p = base.peerjs();
    // Messages for an absent peer expire after 300 ms, so the test sees an expiry without waiting 5
    // s.
    PeerJsOptions fast =
        new PeerJsOptions(
            p.key(),
            p.path(),
            Duration.ofMillis(300),
            p.aliveTimeout(),
            Duration.ofMillis(100),
            p.concurrentLimit(),
            p.allowDiscovery(),
            p.limits());
    ServerConfig config =
        base.withPeerJs(fast)
            .withIce(
                base.ice()
                    .withTurn(
                        List.of("turn:127.0.0.1:3478?transport=udp"),
                        List.of("s3cret-" + MARK),
                        Duration.ofHours(1)));
    metrics = Metrics.prometheus();
    server = TestServer.of(config, metrics).start();
    admin = new AdminListener("127.0.0.1", 0, metrics, server.server().readiness());
    adminPort = admin.start().getPort();
  }

  @AfterAll
  static void stop() {
    server.close();
    admin.close();
    metrics.close();
  }

  static List<Sample> scrape() throws Exception {
    HttpResponse<String> res = get(adminPort, "/metrics");
    assertThat(res.statusCode()).isEqualTo(200);
    return PrometheusText.parse(res.body());
  }

  static PeerSocket peer(String id, String token, String key) {
    String q =
        "/peerjs/peerjs?key="
            + enc(key)
            + "&id="
            + enc(id)
            + "&token="
            + enc(token)
            + "&version=1.5.5";
    return PeerSocket.open(server.ws(q));
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void theAdminListenerServesMetricsAndHealthButNoCallPages() throws Exception {
    HttpResponse<String> res = get(adminPort, "/metrics");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("Content-Type"))
        .hasValue("text/plain; version=0.0.4; charset=utf-8");
    assertThat(get(adminPort, "/healthz").body()).isEqualTo("{\"status\":\"ok\"}");
    assertThat(get(adminPort, "/readyz").body()).isEqualTo("{\"ready\":true}");
    assertThat(get(adminPort, "/").statusCode()).isEqualTo(404);
    assertThat(get(adminPort, "/some-room").statusCode()).isEqualTo(404);
    assertThat(get(adminPort, "/assets/app.js").statusCode()).isEqualTo(404);
    assertThat(get(server.port(), "/metrics").statusCode()).isEqualTo(404);
  }

  @Test
  void processJvmAndAllocatorFiguresAreThere() throws Exception {
    List<Sample> s = scrape();
    assertThat(PrometheusText.value(s, "process_files_open_files")).isPositive();
    assertThat(PrometheusText.value(s, "process_files_max_files")).isPositive();
    assertThat(PrometheusText.value(s, "process_uptime_seconds")).isPositive();
    assertThat(PrometheusText.value(s, "process_cpu_usage")).isNotNaN();
    assertThat(PrometheusText.value(s, "jvm_threads_live_threads")).isPositive();
    // One series per heap pool, and a pool (the survivor space, Eden right after a collection) may
    // be empty: the sum
    assertThat(PrometheusText.sum(s, "jvm_memory_used_bytes", "area", "heap")).isPositive();
    assertThat(PrometheusText.value(s, "jvm_memory_max_bytes", "area", "heap")).isNotNaN();
    assertThat(PrometheusText.value(s, "jvm_gc_memory_allocated_bytes_total")).isNotNaN();
    assertThat(PrometheusText.value(s, "jvm_memory_usage_after_gc")).isNotNaN();
    assertThat(
            PrometheusText.value(s, "webcall_netty_allocator_memory_used_bytes", "area", "direct"))
        .isNotNaN();
    assertThat(PrometheusText.value(s, "webcall_netty_allocator_memory_used_bytes", "area", "heap"))
        .isNotNaN();
    assertThat(PrometheusText.value(s, "webcall_ready")).isEqualTo(1.0);
  }

  @Test
  void peerJsStunAndIceFiguresFollowTrafficAndNoLabelCarriesClientText() throws Exception {
    List<Sample> before = scrape();
    double offers = value(before, "webcall_peerjs_messages_relayed_total", "type", "OFFER");
    double candidates = value(before, "webcall_peerjs_messages_relayed_total", "type", "CANDIDATE");
    double badKeys = value(before, "webcall_peerjs_refusals_total", "reason", "invalid_key");
    double badIds = value(before, "webcall_peerjs_refusals_total", "reason", "invalid_id");
    double queued = value(before, "webcall_peerjs_messages_queued_total");
    double expired = value(before, "webcall_peerjs_messages_expired_total", "reason", "timeout");

    List<PeerSocket> sockets = new ArrayList<>();
    try {
      PeerSocket a = peer(MARK + "-a", MARK + "TokenA", "peerjs");
      PeerSocket b = peer(MARK + "-b", MARK + "TokenB", "peerjs");
      sockets.add(a);
      sockets.add(b);
      assertThat(a.next().get("type").asText()).isEqualTo("OPEN");
      assertThat(b.next().get("type").asText()).isEqualTo("OPEN");
      PeerSocket wrongKey = peer(MARK + "-c", MARK + "TokenC", MARK + "key");
      PeerSocket wrongId = peer(MARK + "<script>\"}", MARK + "TokenD", "peerjs");
      sockets.add(wrongKey);
      sockets.add(wrongId);
      assertThat(wrongKey.closeCode(5)).isEqualTo(1008);
      assertThat(wrongId.closeCode(5)).isEqualTo(1008);

      a.send(
          "{\"type\":\"OFFER\",\"dst\":\"" + MARK + "-b\",\"payload\":{\"sdp\":\"" + MARK + "\"}}");
      a.send(
          "{\"type\":\"CANDIDATE\",\"dst\":\""
              + MARK
              + "-b\",\"payload\":{\"candidate\":\""
              + MARK
              + "\"}}");
      assertThat(b.next().get("type").asText()).isEqualTo("OFFER");
      assertThat(b.next().get("type").asText()).isEqualTo("CANDIDATE");
      // Types a client made up, and a message for a peer that never comes (queued, then expired).
      a.send("{\"type\":\"" + MARK + "-TYPE\",\"dst\":\"" + MARK + "-b\"}");
      a.send("{\"type\":\"OFFER\\\"} " + MARK + "\",\"dst\":\"" + MARK + "-b\"}");
      a.send("{\"type\":\"OFFER\",\"dst\":\"" + MARK + "-absent\",\"payload\":{}}");
      assertThat(a.next().get("type").asText()).isEqualTo("EXPIRE");

      // STUN: one Binding request answered, one malformed datagram dropped.
      try (DatagramSocket udp = new DatagramSocket()) {
        udp.setSoTimeout(5000);
        InetSocketAddress stun =
            new InetSocketAddress("127.0.0.1", server.server().stunAddress().getPort());
        byte[] request =
            ByteBuffer.allocate(20)
                .putShort((short) 1)
                .putShort((short) 0)
                .putInt(0x2112A442)
                .put(MARK.getBytes(StandardCharsets.US_ASCII))
                .put(new byte[12 - MARK.length()])
                .array();
        udp.send(new DatagramPacket(request, request.length, stun));
        udp.receive(new DatagramPacket(new byte[600], 600));
        byte[] junk = (MARK + " not stun").getBytes(StandardCharsets.US_ASCII);
        udp.send(new DatagramPacket(junk, junk.length, stun));
      }
      // /api/ice with TURN: a credential issued; the room page of a crafted room and a crafted
      // query string.
      assertThat(get(server.port(), "/api/ice?" + MARK + "=1").statusCode()).isEqualTo(200);
      assertThat(get(server.port(), "/" + MARK + "-room").statusCode()).isEqualTo(200);

      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .untilAsserted(
              () -> {
                List<Sample> s = scrape();
                assertThat(
                        value(s, "webcall_peerjs_messages_relayed_total", "type", "OFFER") - offers)
                    .isEqualTo(2);
                assertThat(
                        value(s, "webcall_peerjs_messages_relayed_total", "type", "CANDIDATE")
                            - candidates)
                    .isEqualTo(1);
                assertThat(
                        value(s, "webcall_peerjs_refusals_total", "reason", "invalid_key")
                            - badKeys)
                    .isEqualTo(1);
                assertThat(
                        value(s, "webcall_peerjs_refusals_total", "reason", "invalid_id") - badIds)
                    .isEqualTo(1);
                assertThat(value(s, "webcall_peerjs_messages_queued_total") - queued).isEqualTo(1);
                assertThat(
                        value(s, "webcall_peerjs_messages_expired_total", "reason", "timeout")
                            - expired)
                    .isEqualTo(1);
                assertThat(value(s, "webcall_peerjs_messages_waiting")).isZero();
                assertThat(value(s, "webcall_peerjs_ids_registered")).isEqualTo(2);
                assertThat(value(s, "webcall_peerjs_sockets_open")).isEqualTo(2);
                assertThat(value(s, "webcall_stun_requests_total", "result", "answered"))
                    .isGreaterThanOrEqualTo(1);
                assertThat(value(s, "webcall_stun_requests_total", "result", "dropped"))
                    .isGreaterThanOrEqualTo(1);
                assertThat(value(s, "webcall_ice_api_requests_total", "status", "200"))
                    .isGreaterThanOrEqualTo(1);
                assertThat(value(s, "webcall_turn_credentials_issued_total"))
                    .isGreaterThanOrEqualTo(1);
              });

      String text = get(adminPort, "/metrics").body();
      assertThat(text).doesNotContain(MARK).doesNotContain("s3cret");
      List<String> outside = new ArrayList<>();
      for (Sample s : PrometheusText.parse(text)) {
        if (!s.name().startsWith("webcall_")) {
          continue;
        }
        s.labels()
            .forEach(
                (label, v) -> {
                  if (!ALLOWED.getOrDefault(label, Set.of()).contains(v)) {
                    outside.add(s.name() + "{" + label + "=" + v + "}");
                  }
                });
      }
      assertThat(outside).as("webcall_* label values outside the allow-list").isEmpty();
    } finally {
      sockets.forEach(PeerSocket::close);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<Sample> s = scrape();
              assertThat(value(s, "webcall_peerjs_sockets_open")).isZero();
              assertThat(value(s, "webcall_peerjs_ids_registered")).isZero();
            });
  }

  @Test
  void socketIoAndRoomFiguresFollowRealClientsAndCarryNoRoomNameOrText() throws Exception {
    int port = server.port();
    List<Sample> before = scrape();
    double ws = value(before, "webcall_socketio_connections_open", "transport", "websocket");
    double polling = value(before, "webcall_socketio_connections_open", "transport", "polling");
    double rooms = value(before, "webcall_rooms_open");
    double participants = value(before, "webcall_rooms_participants");
    double joins = value(before, "webcall_rooms_joins_total");
    double chats = value(before, "webcall_rooms_chat_messages_total");
    double already = value(before, "webcall_rooms_join_refusals_total", "code", "already-joined");
    double badRoom = value(before, "webcall_rooms_join_refusals_total", "code", "bad-room");
    double badUser = value(before, "webcall_rooms_join_refusals_total", "code", "bad-user");
    double byClient = value(before, "webcall_socketio_disconnections_total", "cause", "client");
    String room = MARK + "-room";

    RoomClient a = new RoomClient(port, MARK + "-sa"); // upgrades to WebSocket
    RoomClient b = new RoomClient(port, MARK + "-sb", "polling");
    RoomClient c = new RoomClient(port, MARK + "-sc", "websocket");
    try {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                List<Sample> s = scrape();
                assertThat(
                        value(s, "webcall_socketio_connections_open", "transport", "websocket")
                            - ws)
                    .isEqualTo(2);
                assertThat(
                        value(s, "webcall_socketio_connections_open", "transport", "polling")
                            - polling)
                    .isEqualTo(1);
              });
      assertThat(a.joinAs(room, new JSONObject().put("name", MARK + " Ann")).getBoolean("ok"))
          .isTrue();
      assertThat(b.joinAs(room, new JSONObject().put("name", MARK + " Bob")).getBoolean("ok"))
          .isTrue();
      assertThat(a.join(room).error()).isEqualTo("already-joined");
      assertThat(c.join(MARK + " not a room!").error()).isEqualTo("bad-room");
      assertThat(c.join(room, MARK + "-nobody", "tok").error()).isEqualTo("bad-user");
      assertThat(a.request("chat", MARK + " hello").getBoolean("ok")).isTrue();
      assertThat(b.request("chat", MARK + " hi").getBoolean("ok")).isTrue();

      List<Sample> s = scrape();
      assertThat(value(s, "webcall_rooms_open") - rooms).isEqualTo(1);
      assertThat(value(s, "webcall_rooms_participants") - participants).isEqualTo(2);
      assertThat(value(s, "webcall_rooms_joins_total") - joins).isEqualTo(2);
      assertThat(value(s, "webcall_rooms_chat_messages_total") - chats).isEqualTo(2);
      assertThat(value(s, "webcall_rooms_join_refusals_total", "code", "already-joined") - already)
          .isEqualTo(1);
      assertThat(value(s, "webcall_rooms_join_refusals_total", "code", "bad-room") - badRoom)
          .isEqualTo(1);
      assertThat(value(s, "webcall_rooms_join_refusals_total", "code", "bad-user") - badUser)
          .isEqualTo(1);
      assertThat(value(s, "webcall_rooms_join_refusals_total", "code", "draining")).isZero();
      assertThat(value(s, "webcall_socketio_events_dropped_total")).isZero();

      b.close();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                List<Sample> t = scrape();
                assertThat(value(t, "webcall_rooms_participants") - participants).isEqualTo(1);
                assertThat(
                        value(t, "webcall_socketio_connections_open", "transport", "polling")
                            - polling)
                    .isZero();
                assertThat(
                        value(t, "webcall_socketio_disconnections_total", "cause", "client")
                            - byClient)
                    .isEqualTo(1);
              });
      String text = get(adminPort, "/metrics").body();
      assertThat(text).doesNotContain(MARK).doesNotContain("Ann").doesNotContain("hello");
    } finally {
      a.close();
      b.close();
      c.close();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              List<Sample> s = scrape();
              assertThat(value(s, "webcall_rooms_open") - rooms).isZero();
              assertThat(value(s, "webcall_rooms_participants") - participants).isZero();
              assertThat(
                      value(s, "webcall_socketio_connections_open", "transport", "websocket") - ws)
                  .isZero();
              assertThat(
                      value(s, "webcall_socketio_disconnections_total", "cause", "client")
                          - byClient)
                  .isEqualTo(3);
              assertThat(value(s, "webcall_peerjs_sockets_open"))
                  .isZero(); // for the PeerJS test's absolute figures
            });
  }

  @Test
  void connectionsRefusedByThePerAddressLimitsAreCountedByLimit() throws Exception {
    ServerConfig base = ServerConfig.forLoopback();
    ServerConfig tight =
        base.withPeerJs(
            base.peerjs()
                .withLimits(
                    PeerJsOptions.Limits.from(
                        Map.of("connections-per-address", 2L, "sockets-per-address", 1L))));
    Metrics own = Metrics.prometheus();
    TestServer small = TestServer.of(tight, own);
    List<java.net.Socket> plain = new ArrayList<>();
    try {
      int port = small.start().port();
      String q = "/peerjs/peerjs?key=peerjs&token=t1&version=1.5.5&id=";
      try (PeerSocket first =
              PeerSocket.open(URI.create("ws://127.0.0.1:" + port + q + "limitOne"));
          PeerSocket second =
              PeerSocket.open(URI.create("ws://127.0.0.1:" + port + q + "limitTwo"))) {
        assertThat(first.next().get("type").asText()).isEqualTo("OPEN");
        assertThat(second.closeCode(5)).isEqualTo(1013); // sockets-per-address
        for (int i = 0;
            i < 3;
            i++) { // one more TCP connection fits beside the first socket, then they are refused
          java.net.Socket tcp = new java.net.Socket();
          tcp.connect(new InetSocketAddress("127.0.0.1", port), 5000);
          plain.add(tcp);
        }
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () -> {
                  List<Sample> s = PrometheusText.parse(own.scrape());
                  assertThat(
                          value(
                              s,
                              "webcall_connections_refused_total",
                              "limit",
                              "peerjs_sockets_per_address"))
                      .isEqualTo(1);
                  assertThat(
                          value(
                              s,
                              "webcall_connections_refused_total",
                              "limit",
                              "connections_per_address"))
                      .isGreaterThanOrEqualTo(1);
                });
      }
    } finally {
      for (java.net.Socket tcp : plain) {
        tcp.close();
      }
      small.close();
      own.close();
    }
  }

  /**
   * Each way the server ends a Socket.IO connection is counted under its own cause: a client that
   * never sends CONNECT, one that stops answering pings, one that floods events and one that stops
   * reading. Raw Engine.IO over HTTP, so that the client does exactly that and nothing more.
   */
  @Test
  void socketIoDisconnectionsAreCountedByCause() throws Exception {
    // Each refused event is answered with a request-error: the flooder, which never polls, would be
    // cut off as a slow
    // reader first under a small outbound cap, so the slow reader has a server of its own.
    Map<String, Long> common =
        Map.of(
            "connect-timeout-ms",
            300L,
            "ping-interval-ms",
            1000L,
            "ping-timeout-ms",
            1000L,
            "flood-grace-ms",
            200L);
    Map<String, Long> smallOutbound = new java.util.HashMap<>(common);
    smallOutbound.put("socketio-outbound-bytes", 1000L);
    Metrics own = Metrics.prometheus();
    ServerConfig base = ServerConfig.forLoopback();
    TestServer first =
        TestServer.of(base.withSignaling(webcall.rooms.SignalingLimits.from(common)), own);
    TestServer second =
        TestServer.of(base.withSignaling(webcall.rooms.SignalingLimits.from(smallOutbound)), own);
    try {
      int port = first.start().port();
      handshake(port); // never sends CONNECT
      String neverPongs = handshake(port);
      post(port, neverPongs, "40");
      String floods = handshake(port);
      post(port, floods, "40");
      // Over the event rate (20/s, a burst of 50) for longer than the 200 ms grace: three bursts of
      // 60, 150 ms apart.
      String burst = String.join("\u001e", java.util.Collections.nCopies(60, "42[\"chat\",\"x\"]"));
      for (int i = 0; i < 3; i++) {
        if (post(port, floods, burst) != 200) {
          break; // already cut off
        }
        Thread.sleep(150);
      }
      int other = second.start().port();
      String neverReads = handshake(other);
      post(other, neverReads, "40");
      // Twenty join-room calls with an ack each: their refusals (about 100 bytes apiece) wait for a
      // poll that never
      // comes, past the 1 000-byte cap.
      StringBuilder asks = new StringBuilder();
      for (int i = 0; i < 20; i++) {
        asks.append(i == 0 ? "" : "\u001e")
            .append("42")
            .append(i)
            .append("[\"join-room\",\"r\",\"nobody\"]");
      }
      post(other, neverReads, asks.toString());
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                List<Sample> s = PrometheusText.parse(own.scrape());
                for (String cause :
                    List.of("connect_timeout", "ping_timeout", "flood", "slow_reader")) {
                  assertThat(value(s, "webcall_socketio_disconnections_total", "cause", cause))
                      .as(cause)
                      .isEqualTo(1);
                }
              });
    } finally {
      first.close();
      second.close();
      own.close();
    }
  }

  /** Opens an Engine.IO session over polling; its sid. */
  static String handshake(int port) throws Exception {
    HttpResponse<String> res = get(port, "/socket.io/?EIO=4&transport=polling");
    assertThat(res.statusCode()).isEqualTo(200);
    return new JSONObject(res.body().substring(1)).getString("sid");
  }

  static int post(int port, String sid, String body) throws Exception {
    return Http.CLIENT
        .send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:"
                            + port
                            + "/socket.io/?EIO=4&transport=polling&sid="
                            + sid))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }

  static double value(List<Sample> s, String name, String... labels) {
    double v = PrometheusText.value(s, name, labels);
    assertThat(v).as(name + " " + String.join(",", labels)).isNotNaN();
    return v;
  }
}
