package webcall.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import webcall.support.ChildProcess;
import webcall.support.PeerSocket;
import webcall.support.RedisServer;

/**
 * Three webcall processes on one real redis-server (two call servers and one {@code webcall
 * peerjs}), raw PeerJS clients spread over them: what a client sees of ids, relay, queues and
 * leases across nodes, and when a node is SIGKILLed or Redis stops and comes back empty. Every wait
 * is bounded; nothing sleeps for correctness.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
  private static final Pattern LISTENING =
      Pattern.compile("^webcall listening on http://\\S+:(\\d+)$");
  private static final Pattern STARTED =
      Pattern.compile("^Started PeerServer on \\S+, port: (\\d+), path: \\S+$");
  private static final int LEASE_SECONDS = 3;
  private static final String OPEN = "{\"type\":\"OPEN\"}";

  private static RedisServer redis;
  private static final List<ChildProcess> nodes = new ArrayList<>();
  private static final List<PeerSocket> sockets = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    redis = RedisServer.start();
    List<String> shared =
        List.of(
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--expire_timeout",
            "1000",
            "--cleanup_out_msgs",
            "200",
            "--allow_discovery",
            "--node-lease-seconds",
            Integer.toString(LEASE_SECONDS));
    for (int i = 1; i <= 3; i++) {
      List<String> args = new ArrayList<>();
      if (i == 3) {
        // The third node is the standalone PeerJS server, mounted where webcall mounts its own.
        args.addAll(List.of("peerjs", "--path", "/peerjs"));
        args.addAll(shared);
      } else {
        args.addAll(shared);
        args.addAll(List.of("--stun-port", "-1", "--drain-timeout", "0"));
      }
      nodes.add(
          ChildProcess.start(
              ChildProcess.webcall(args.toArray(String[]::new)),
              Map.of("WEBCALL_REDIS_URL", redis.url()),
              i == 3 ? STARTED : LISTENING,
              Duration.ofSeconds(90),
              "cluster-node" + i));
    }
  }

  @AfterAll
  static void stopCluster() {
    sockets.forEach(PeerSocket::close);
    nodes.forEach(ChildProcess::close);
    if (redis != null) {
      redis.close();
    }
  }

  private static int port(int node) {
    return Integer.parseInt(nodes.get(node - 1).readyLine().group(1));
  }

  private static PeerSocket connect(int node, String id, String token) {
    PeerSocket s = PeerSocket.connect(port(node), id, token);
    sockets.add(s);
    return s;
  }

  private static JsonNode nextOfType(PeerSocket s, String type) {
    JsonNode m = s.next(10);
    assertThat(m.get("type").asText()).as("%s", m).isEqualTo(type);
    return m;
  }

  private static String peers(int node) throws Exception {
    return PeerSocket.HTTP
        .send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port(node) + "/peerjs/peerjs/peers"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  @Test
  @Order(1)
  void anIdOpenOnOneNodeIsTakenOnTheOthers() throws Exception {
    PeerSocket first = connect(1, "it-x", "tokA");
    assertThat(first.text()).isEqualTo(OPEN);
    PeerSocket second = connect(2, "it-x", "tokB");
    assertThat(nextOfType(second, "ID-TAKEN").at("/payload/msg").asText()).isEqualTo("ID is taken");
    assertThat(second.closeCode()).isEqualTo(1008);
    assertThat(peers(3)).contains("\"it-x\"");
  }

  @Test
  @Order(2)
  void theSameTokenOnAnotherNodeTakesTheIdOverAndTheOldSocketCloses() {
    PeerSocket old = connect(1, "it-y", "tok");
    assertThat(old.text()).isEqualTo(OPEN);
    PeerSocket fresh = connect(2, "it-y", "tok");
    assertThat(fresh.text()).isEqualTo(OPEN);
    assertThat(old.closeCode()).isEqualTo(1000);
    PeerSocket other = connect(3, "it-y-friend", "tok");
    assertThat(other.text()).isEqualTo(OPEN);
    other.send("{\"type\":\"OFFER\",\"dst\":\"it-y\",\"payload\":{\"n\":1}}");
    assertThat(nextOfType(fresh, "OFFER").get("src").asText()).isEqualTo("it-y-friend");
  }

  @Test
  @Order(3)
  void offerAnswerCandidateAndLeaveCrossNodes() {
    PeerSocket alice = connect(1, "it-alice", "tA");
    PeerSocket bob = connect(2, "it-bob", "tB");
    assertThat(alice.text()).isEqualTo(OPEN);
    assertThat(bob.text()).isEqualTo(OPEN);
    alice.send(
        "{\"type\":\"OFFER\",\"src\":\"mallory\",\"dst\":\"it-bob\",\"payload\":{\"sdp\":\"v=0\",\"connectionId\":\"mc_1\"}}");
    JsonNode offer = nextOfType(bob, "OFFER");
    assertThat(offer.get("src").asText()).isEqualTo("it-alice");
    assertThat(offer.at("/payload/connectionId").asText()).isEqualTo("mc_1");
    bob.send("{\"type\":\"ANSWER\",\"dst\":\"it-alice\",\"payload\":{\"connectionId\":\"mc_1\"}}");
    assertThat(nextOfType(alice, "ANSWER").get("src").asText()).isEqualTo("it-bob");
    for (int i = 0; i < 20; i++) {
      bob.send("{\"type\":\"CANDIDATE\",\"dst\":\"it-alice\",\"payload\":{\"i\":" + i + "}}");
    }
    for (int i = 0; i < 20; i++) {
      assertThat(nextOfType(alice, "CANDIDATE").at("/payload/i").asInt()).isEqualTo(i);
    }
    alice.send("{\"type\":\"LEAVE\",\"dst\":\"it-bob\"}");
    assertThat(nextOfType(bob, "LEAVE").get("src").asText()).isEqualTo("it-alice");
  }

  @Test
  @Order(4)
  void anOfferWaitsForAPeerThatConnectsToAnotherNode() {
    PeerSocket alice = connect(1, "it-q-alice", "tA");
    assertThat(alice.text()).isEqualTo(OPEN);
    alice.send("{\"type\":\"OFFER\",\"dst\":\"it-late\",\"payload\":{\"connectionId\":\"mc_q\"}}");
    PeerSocket late = connect(3, "it-late", "tL");
    assertThat(late.text()).isEqualTo(OPEN);
    JsonNode offer = nextOfType(late, "OFFER");
    assertThat(offer.get("src").asText()).isEqualTo("it-q-alice");
    assertThat(offer.at("/payload/connectionId").asText()).isEqualTo("mc_q");
    assertThat(alice.nextText(1.5)).as("no EXPIRE for a delivered offer").isNull();
  }

  @Test
  @Order(5)
  void theSenderGetsExpireOnItsNodeWhenThePeerNeverComes() {
    PeerSocket alice = connect(2, "it-e-alice", "tA");
    assertThat(alice.text()).isEqualTo(OPEN);
    alice.send("{\"type\":\"OFFER\",\"dst\":\"it-never\",\"payload\":{}}");
    JsonNode expire = nextOfType(alice, "EXPIRE");
    assertThat(expire.get("src").asText()).isEqualTo("it-never");
    assertThat(expire.get("dst").asText()).isEqualTo("it-e-alice");
  }

  @Test
  @Order(6)
  void theIdsOfAKilledNodeAreFreeWithinItsLease() {
    PeerSocket doomed = connect(3, "it-dead", "t1");
    assertThat(doomed.text()).isEqualTo(OPEN);
    PeerSocket refused = connect(1, "it-dead", "t2");
    assertThat(nextOfType(refused, "ID-TAKEN")).isNotNull();
    nodes.get(2).signal("KILL");
    long killed = System.nanoTime();
    assertThat(nodes.get(2).exitWithin(Duration.ofSeconds(10))).isNotEqualTo(-1);
    // Each try is one connection; at most 40 tries, 250 ms apart at the least.
    String got = null;
    for (int attempt = 0; attempt < 40 && !OPEN.equals(got); attempt++) {
      PeerSocket s = connect(1, "it-dead", "t2");
      got = s.text();
      if (!OPEN.equals(got)) {
        s.closeCode();
        s.nextText(0.25); // the pause between tries: nothing is expected
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - killed);
    assertThat(got).isEqualTo(OPEN);
    assertThat(took).isLessThanOrEqualTo(Duration.ofSeconds(LEASE_SECONDS + 1));
  }

  @Test
  @Order(7)
  void whileRedisIsDownNodesRefuseNewIdsAndWhenItIsBackTheyConverge() throws Exception {
    PeerSocket r1 = connect(1, "it-r1", "t1");
    PeerSocket r2 = connect(1, "it-r2", "t2");
    PeerSocket far = connect(2, "it-r-far", "t3");
    assertThat(r1.text()).isEqualTo(OPEN);
    assertThat(r2.text()).isEqualTo(OPEN);
    assertThat(far.text()).isEqualTo(OPEN);
    redis.stop();

    PeerSocket refused = connect(2, "it-r3", "t");
    JsonNode error = nextOfType(refused, "ERROR");
    assertThat(error.at("/payload/msg").asText()).contains("unavailable");
    assertThat(refused.closeCode()).isEqualTo(1013);
    // Two sockets on one node still talk.
    r1.send("{\"type\":\"OFFER\",\"dst\":\"it-r2\",\"payload\":{\"down\":true}}");
    assertThat(nextOfType(r2, "OFFER").at("/payload/down").asBoolean()).isTrue();

    redis.startAgain(); // empty: nothing was saved
    // Bounded: 60 reads of node 2's view, 250 ms apart at the least.
    String seen = "";
    for (int i = 0; i < 60 && !(seen.contains("\"it-r1\"") && seen.contains("\"it-r-far\"")); i++) {
      seen = peers(2);
      if (!(seen.contains("\"it-r1\"") && seen.contains("\"it-r-far\""))) {
        r1.nextText(0.25); // pause between reads; r1 expects nothing meanwhile
      }
    }
    assertThat(seen).contains("\"it-r1\"", "\"it-r2\"", "\"it-r-far\"");
    PeerSocket again = connect(2, "it-r1", "other");
    assertThat(nextOfType(again, "ID-TAKEN")).isNotNull();
    far.send("{\"type\":\"OFFER\",\"dst\":\"it-r1\",\"payload\":{\"back\":true}}");
    assertThat(nextOfType(r1, "OFFER").get("src").asText()).isEqualTo("it-r-far");
    PeerSocket fresh = connect(2, "it-r3", "t");
    assertThat(fresh.text()).isEqualTo(OPEN);
  }
}
