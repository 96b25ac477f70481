package webcall.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import webcall.TestServer;
import webcall.config.ServerConfig;
import webcall.peerjs.PeerJsOptions;
import webcall.peerjs.Rejection;
import webcall.support.PeerSocket;
import webcall.support.PrometheusText;
import webcall.support.PrometheusText.Sample;

/**
 * The admin listener's {@code /metrics} on a real server: PeerJS, STUN, /api/ice and process figures move with real
 * traffic, and no label carries anything a client sent (ids, tokens, keys, rooms, message types, query strings).
 */
class MetricsIT {
  /** In every piece of client text below, so that it can be looked for anywhere in the output. */
  static final String MARK = "zq9mark";

  /** Every label a webcall_* series may have, with every value it may take. */
  static final Map<String, Set<String>> ALLOWED = Map.of(
      "type", Set.of("OFFER", "ANSWER", "CANDIDATE", "LEAVE"),
      "reason", reasons(),
      "result", Set.of("answered", "dropped"),
      "status", Set.of("200", "405", "429"),
      "area", Set.of("direct", "heap"));

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
  static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    ServerConfig base = ServerConfig.forLoopback();
    PeerJsOptions p = base.peerjs();
    // Messages for an absent peer expire after 300 ms, so the test sees an expiry without waiting 5 s.
    PeerJsOptions fast = new PeerJsOptions(p.key(), p.path(), Duration.ofMillis(300), p.aliveTimeout(),
        Duration.ofMillis(100), p.concurrentLimit(), p.allowDiscovery(), p.limits());
    ServerConfig config = base.withPeerJs(fast)
        .withIce(base.ice().withTurn(List.of("turn:127.0.0.1:3478?transport=udp"), List.of("s3cret-" + MARK),
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

  static HttpResponse<String> get(int port, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
  }

  static List<Sample> scrape() throws Exception {
    HttpResponse<String> res = get(adminPort, "/metrics");
    assertThat(res.statusCode()).isEqualTo(200);
    return PrometheusText.parse(res.body());
  }

  static PeerSocket peer(String id, String token, String key) {
    String q = "/peerjs/peerjs?key=" + enc(key) + "&id=" + enc(id) + "&token=" + enc(token) + "&version=1.5.5";
    return PeerSocket.open(server.ws(q));
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void theAdminListenerServesMetricsAndHealthButNoCallPages() throws Exception {
    HttpResponse<String> res = get(adminPort, "/metrics");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("Content-Type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
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
    // One series per heap pool, and a pool (the survivor space, Eden right after a collection) may be empty: the sum
    assertThat(PrometheusText.sum(s, "jvm_memory_used_bytes", "area", "heap")).isPositive();
    assertThat(PrometheusText.value(s, "jvm_memory_max_bytes", "area", "heap")).isNotNaN();
    assertThat(PrometheusText.value(s, "jvm_gc_memory_allocated_bytes_total")).isNotNaN();
    assertThat(PrometheusText.value(s, "jvm_memory_usage_after_gc")).isNotNaN();
    assertThat(PrometheusText.value(s, "webcall_netty_allocator_memory_used_bytes", "area", "direct")).isNotNaN();
    assertThat(PrometheusText.value(s, "webcall_netty_allocator_memory_used_bytes", "area", "heap")).isNotNaN();
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

      a.send("{\"type\":\"OFFER\",\"dst\":\"" + MARK + "-b\",\"payload\":{\"sdp\":\"" + MARK + "\"}}");
      a.send("{\"type\":\"CANDIDATE\",\"dst\":\"" + MARK + "-b\",\"payload\":{\"candidate\":\"" + MARK + "\"}}");
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
        InetSocketAddress stun = new InetSocketAddress("127.0.0.1", server.server().stunAddress().getPort());
        byte[] request = ByteBuffer.allocate(20).putShort((short) 1).putShort((short) 0).putInt(0x2112A442)
            .put(MARK.getBytes(StandardCharsets.US_ASCII)).put(new byte[12 - MARK.length()]).array();
        udp.send(new DatagramPacket(request, request.length, stun));
        udp.receive(new DatagramPacket(new byte[600], 600));
        byte[] junk = (MARK + " not stun").getBytes(StandardCharsets.US_ASCII);
        udp.send(new DatagramPacket(junk, junk.length, stun));
      }
      // /api/ice with TURN: a credential issued; the room page of a crafted room and a crafted query string.
      assertThat(get(server.port(), "/api/ice?" + MARK + "=1").statusCode()).isEqualTo(200);
      assertThat(get(server.port(), "/" + MARK + "-room").statusCode()).isEqualTo(200);

      await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
        List<Sample> s = scrape();
        assertThat(value(s, "webcall_peerjs_messages_relayed_total", "type", "OFFER") - offers).isEqualTo(2);
        assertThat(value(s, "webcall_peerjs_messages_relayed_total", "type", "CANDIDATE") - candidates)
            .isEqualTo(1);
        assertThat(value(s, "webcall_peerjs_refusals_total", "reason", "invalid_key") - badKeys).isEqualTo(1);
        assertThat(value(s, "webcall_peerjs_refusals_total", "reason", "invalid_id") - badIds).isEqualTo(1);
        assertThat(value(s, "webcall_peerjs_messages_queued_total") - queued).isEqualTo(1);
        assertThat(value(s, "webcall_peerjs_messages_expired_total", "reason", "timeout") - expired).isEqualTo(1);
        assertThat(value(s, "webcall_peerjs_messages_waiting")).isZero();
        assertThat(value(s, "webcall_peerjs_ids_registered")).isEqualTo(2);
        assertThat(value(s, "webcall_peerjs_sockets_open")).isEqualTo(2);
        assertThat(value(s, "webcall_stun_requests_total", "result", "answered")).isGreaterThanOrEqualTo(1);
        assertThat(value(s, "webcall_stun_requests_total", "result", "dropped")).isGreaterThanOrEqualTo(1);
        assertThat(value(s, "webcall_ice_api_requests_total", "status", "200")).isGreaterThanOrEqualTo(1);
        assertThat(value(s, "webcall_turn_credentials_issued_total")).isGreaterThanOrEqualTo(1);
      });

      String text = get(adminPort, "/metrics").body();
      assertThat(text).doesNotContain(MARK).doesNotContain("s3cret");
      List<String> outside = new ArrayList<>();
      for (Sample s : PrometheusText.parse(text)) {
        if (!s.name().startsWith("webcall_")) {
          continue;
        }
        s.labels().forEach((label, v) -> {
          if (!ALLOWED.getOrDefault(label, Set.of()).contains(v)) {
            outside.add(s.name() + "{" + label + "=" + v + "}");
          }
        });
      }
      assertThat(outside).as("webcall_* label values outside the allow-list").isEmpty();
    } finally {
      sockets.forEach(PeerSocket::close);
    }
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      List<Sample> s = scrape();
      assertThat(value(s, "webcall_peerjs_sockets_open")).isZero();
      assertThat(value(s, "webcall_peerjs_ids_registered")).isZero();
    });
  }

  static double value(List<Sample> s, String name, String... labels) {
    double v = PrometheusText.value(s, name, labels);
    assertThat(v).as(name + " " + String.join(",", labels)).isNotNaN();
    return v;
  }
}
