package webcall.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import webcall.support.ChildProcess;
import webcall.support.Command;
import webcall.support.Haproxy;
import webcall.support.Http;
import webcall.support.PeerSocket;
import webcall.support.TestCertificate;

/**
 * deploy/haproxy/haproxy.cfg as an operator runs it: Debian's HAProxy in front of two webcall nodes
 * started with --proxied. Long-polling sessions stay on their node through the cookie, WebSockets
 * pass through, a dead node is taken out, the client's address is HAProxy's entry and not what the
 * client wrote, and TLS ends at the balancer.
 */
class HaproxyIT {
  static final Pattern LISTENING = Pattern.compile("^webcall listening on http://\\S+:(\\d+)$");
  static final Pattern ADMIN =
      Pattern.compile("^Admin listener on http://127\\.0\\.0\\.1:(\\d+)/metrics");
  static final Pattern NODE_COOKIE = Pattern.compile("WEBCALL_NODE=(node\\d)");
  static final ObjectMapper JSON = new ObjectMapper();

  static ChildProcess node1;
  static ChildProcess node2;
  static Haproxy lb;

  @BeforeAll
  static void twoNodesBehindHaproxy() throws Exception {
    Haproxy.require();
    node1 = node("node1", "ping-interval-ms=300,ping-timeout-ms=2000");
    node2 = node("node2", "ping-interval-ms=300,ping-timeout-ms=2000");
    lb = Haproxy.start(Map.of("WEBCALL_NODE1", address(node1), "WEBCALL_NODE2", address(node2)));
    awaitBothNodesUp(lb.port);
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {lb, node1, node2}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // stopping what is left
      }
    }
  }

  static ChildProcess node(String name, String limits, String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--stun-port",
                "0",
                "--admin-port",
                "0",
                "--proxied",
                "--limit",
                limits));
    args.addAll(List.of(more));
    return ChildProcess.start(
        ChildProcess.webcall(args.toArray(String[]::new)),
        Map.of(),
        LISTENING,
        Duration.ofSeconds(60),
        "haproxy-" + name);
  }

  static String address(ChildProcess node) {
    return "127.0.0.1:" + node.readyLine().group(1);
  }

  static int adminPort(ChildProcess node) {
    for (String line : node.stdout()) {
      Matcher m = ADMIN.matcher(line);
      if (m.find()) {
        return Integer.parseInt(m.group(1));
      }
    }
    throw new AssertionError("no admin line in " + node.stdout());
  }

  /** The node that answered, from the cookie HAProxy set; null if it set none. */
  static String nodeOf(HttpResponse<?> r) {
    for (String c : r.headers().allValues("set-cookie")) {
      Matcher m = NODE_COOKIE.matcher(c);
      if (m.find()) {
        return m.group(1);
      }
    }
    return null;
  }

  /** Until each node has answered a page through the balancer (its health checks passed). */
  static void awaitBothNodesUp(int port) throws Exception {
    Set<String> seen = new HashSet<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (seen.size() < 2 && System.nanoTime() < deadline) {
      HttpResponse<String> r = Http.get(port, "/healthz");
      if (r.statusCode() == 200 && nodeOf(r) != null) {
        seen.add(nodeOf(r));
      }
      Thread.sleep(100);
    }
    assertThat(seen)
        .as("nodes that answered through HAProxy")
        .containsExactlyInAnyOrder("node1", "node2");
  }

  static JsonNode clients(int port, int n, String transport, String cookies, int holdMs)
      throws Exception {
    Command.Result r =
        Command.run(
            60,
            "node",
            "src/test/node/lb-clients.cjs",
            String.valueOf(port),
            String.valueOf(n),
            transport,
            cookies,
            String.valueOf(holdMs));
    assertThat(r.exit()).as(r.output()).isZero();
    String[] lines = r.output().strip().split("\n");
    return JSON.readTree(lines[lines.length - 1]);
  }

  /** Socket.IO sessions that have ended on this node, whatever the reason. */
  static long sessionsEnded(ChildProcess node) throws Exception {
    String metrics = Http.get(adminPort(node), "/metrics").body();
    Matcher m =
        Pattern.compile("(?m)^webcall_socketio_disconnections_total\\{[^}]*} (\\S+)$")
            .matcher(metrics);
    long total = 0;
    while (m.find()) {
      total += (long) Double.parseDouble(m.group(1));
    }
    return total;
  }

  @Test
  void haproxyAcceptsTheConfigWithOneToThreeNodesAndWithTls(@TempDir Path dir) throws Exception {
    Command.Result one = Haproxy.check(Map.of());
    assertThat(one.exit()).as(one.output()).isZero();
    TestCertificate cert = TestCertificate.create(dir);
    Path pem = dir.resolve("lb.pem");
    Files.writeString(pem, Files.readString(cert.certPem()) + Files.readString(cert.keyPem()));
    Command.Result three =
        Haproxy.check(
            Map.of(
                "WEBCALL_NODE2", "127.0.0.1:8082",
                "WEBCALL_NODE3", "127.0.0.1:8083",
                "WEBCALL_LB_CERT", pem.toString()));
    assertThat(three.exit()).as(three.output()).isZero();
  }

  @Test
  void longPollingSessionsStayOnTheirNodeThroughTheCookie() throws Exception {
    // 20 official clients, polling only, each holding its session through pings every 300 ms:
    // every poll and every pong must reach the node that opened the session.
    long before1 = sessionsEnded(node1);
    long before2 = sessionsEnded(node2);
    JsonNode sticky = clients(lb.port, 20, "polling", "cookies", 2000);
    assertThat(sticky.path("connected").asInt()).as(sticky.toString()).isEqualTo(20);
    assertThat(sticky.path("disconnects").asInt()).as(sticky.toString()).isZero();
    assertThat(sticky.has("error")).as(sticky.toString()).isFalse();
    // Both nodes held some of them (so the cookie, not luck, kept each on its node): each node
    // sees its share end once the clients are gone.
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while ((sessionsEnded(node1) == before1 || sessionsEnded(node2) == before2)
        && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(sessionsEnded(node1)).as("sessions ended on node1").isGreaterThan(before1);
    assertThat(sessionsEnded(node2)).as("sessions ended on node2").isGreaterThan(before2);
    // The same clients without a cookie jar are spread poll by poll, and sessions break.
    JsonNode loose = clients(lb.port, 20, "polling", "no-cookies", 2000);
    assertThat(loose.path("connectErrors").asInt() + loose.path("disconnects").asInt())
        .as("sessions lost without the cookie: " + loose)
        .isPositive();
  }

  @Test
  void webSocketsPassThrough() throws Exception {
    JsonNode ws = clients(lb.port, 10, "websocket", "no-cookies", 1000);
    assertThat(ws.path("connected").asInt()).as(ws.toString()).isEqualTo(10);
    assertThat(ws.path("disconnects").asInt()).as(ws.toString()).isZero();
    try (PeerSocket peer = PeerSocket.connect(lb.port, "lb-peer-1", "tok1")) {
      assertThat(peer.next(10).path("type").asText()).isEqualTo("OPEN");
    }
  }

  @Test
  void theClientAddressIsHaproxysEntryNotTheOneTheClientWrote() throws Exception {
    // Own nodes with room for 3 connections per client address: 7 connections from one client,
    // each claiming another address, cannot all be served by two nodes (one gets 4 or more).
    try (ChildProcess a = node("xff-a", "connections-per-address=3");
        ChildProcess b = node("xff-b", "connections-per-address=3");
        Haproxy h =
            Haproxy.start(Map.of("WEBCALL_NODE1", address(a), "WEBCALL_NODE2", address(b)))) {
      awaitBothNodesUp(h.port);
      List<Socket> open = new ArrayList<>();
      List<String> statuses = new ArrayList<>();
      try {
        for (int i = 0; i < 7; i++) {
          Socket s = new Socket("127.0.0.1", h.port);
          s.setSoTimeout(10_000);
          open.add(s);
          OutputStream out = s.getOutputStream();
          out.write(
              ("GET /healthz HTTP/1.1\r\nHost: lb\r\nX-Forwarded-For: 10.66.0." + i + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
          out.flush();
          statuses.add(
              new BufferedReader(
                      new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                  .readLine());
        }
      } finally {
        for (Socket s : open) {
          s.close();
        }
      }
      assertThat(statuses).as("status lines").anyMatch(l -> l != null && l.contains(" 429"));
    }
  }

  @Test
  void tlsEndsAtTheBalancerAndTheNodeSeesHttps(@TempDir Path dir) throws Exception {
    TestCertificate cert = TestCertificate.create(dir);
    Path pem = dir.resolve("lb.pem");
    Files.writeString(pem, Files.readString(cert.certPem()) + Files.readString(cert.keyPem()));
    int tls = Haproxy.freePort();
    try (ChildProcess n = node("tls", "ping-interval-ms=25000", "--force-https");
        Haproxy h =
            Haproxy.start(
                Map.of(
                    "WEBCALL_NODE1", address(n),
                    "WEBCALL_LB_CERT", pem.toString(),
                    "WEBCALL_LB_TLS_BIND", "127.0.0.1:" + tls))) {
      HttpClient https =
          HttpClient.newBuilder()
              .sslContext(cert.clientContext())
              .connectTimeout(Duration.ofSeconds(5))
              .build();
      HttpResponse<String> secure = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        secure =
            https.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + tls + "/healthz"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        if (secure.statusCode() == 200) {
          break;
        }
        Thread.sleep(100);
      }
      assertThat(secure.statusCode()).as("HTTPS through HAProxy").isEqualTo(200);
      HttpResponse<String> plain = Http.get(h.port, "/healthz");
      assertThat(plain.statusCode()).as("plain HTTP is sent to HTTPS").isBetween(301, 308);
      assertThat(plain.headers().firstValue("location").orElse("")).startsWith("https://");
    }
  }

  @Test
  void aKilledNodeIsTakenOutAndItsBrowsersGoToTheOther() throws Exception {
    try (ChildProcess a = node("kill-a", "ping-interval-ms=25000");
        ChildProcess b = node("kill-b", "ping-interval-ms=25000");
        Haproxy h =
            Haproxy.start(Map.of("WEBCALL_NODE1", address(a), "WEBCALL_NODE2", address(b)))) {
      awaitBothNodesUp(h.port);
      a.signal("KILL");
      // A browser whose cookie names the dead node, and new browsers: all served by node2.
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      int inARow = 0;
      while (inARow < 10 && System.nanoTime() < deadline) {
        HttpResponse<String> r =
            Http.CLIENT.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + h.port + "/healthz"))
                    .header("Cookie", "WEBCALL_NODE=node1")
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        inARow = r.statusCode() == 200 && "node2".equals(nodeOf(r)) ? inARow + 1 : 0;
      }
      assertThat(inARow).as("answers in a row from node2 for node1's cookie").isEqualTo(10);
    }
  }
}
