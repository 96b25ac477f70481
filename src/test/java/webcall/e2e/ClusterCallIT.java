package webcall.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Cookie;
import webcall.support.ChildProcess;
import webcall.support.Haproxy;
import webcall.support.RedisServer;

/**
 * A call across a cluster, as a user meets it: two webcall nodes on one Redis behind HAProxy
 * (deploy/haproxy/haproxy.cfg), four Chromium pages, two on each node. Everyone sees and hears
 * everyone; then one node is killed mid-call: the calls' media goes on (it is peer to peer), the
 * pages that were on it reconnect through HAProxy to the live node and rejoin, and a new page still
 * joins everyone.
 */
class ClusterCallIT {
  static final Pattern LISTENING = Pattern.compile("^webcall listening on http://\\S+:(\\d+)$");
  private static final String[] NAMES = {"Ada", "Grace", "Margaret", "Linus", "Barbara"};

  private static final Map<Browser, String> ids = new java.util.concurrent.ConcurrentHashMap<>();
  private final List<AutoCloseable> opened = new ArrayList<>();
  private final List<Browser> browsers = new ArrayList<>();

  @AfterEach
  void closeAll() {
    browsers.forEach(Browser::close);
    ids.clear();
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception ignored) {
        // stopping what is left
      }
    }
  }

  private <T extends AutoCloseable> T keep(T c) {
    opened.add(c);
    return c;
  }

  private ChildProcess node(String name, RedisServer redis) {
    return keep(
        ChildProcess.start(
            ChildProcess.webcall(
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--stun-port",
                "0",
                "--proxied",
                "--redis-url",
                redis.url()),
            Map.of(),
            LISTENING,
            Duration.ofSeconds(60),
            "cluster-call-" + name));
  }

  private static String address(ChildProcess node) {
    return "127.0.0.1:" + node.readyLine().group(1);
  }

  /** A page that HAProxy sends to {@code node} (its cookie set first), joined to {@code room}. */
  private Browser joinVia(int lb, String node, String room) {
    Browser b = Browser.launch();
    browsers.add(b);
    b.open("http://127.0.0.1:" + lb + "/healthz");
    b.driver().manage().addCookie(new Cookie("WEBCALL_NODE", node, "/"));
    b.enter("http://127.0.0.1:" + lb + "/" + room, NAMES[(browsers.size() - 1) % NAMES.length]);
    return b;
  }

  private static String nodeOf(Browser b) {
    Cookie c = b.driver().manage().getCookieNamed("WEBCALL_NODE");
    return c == null ? null : c.getValue();
  }

  private static Set<String> remotePeers(Browser b) {
    Set<String> peers = new HashSet<>();
    b.remoteTiles().forEach(t -> peers.add((String) t.get("peer")));
    return peers;
  }

  /** Every remote video of the page plays (its position advances), one per other page. */
  private static void awaitPlaying(Browser b, List<Browser> others, Duration within) {
    // Each page's id as first seen: a page whose PeerJS socket is reconnecting shows none
    // meanwhile.
    Set<String> expected = new HashSet<>();
    others.forEach(o -> expected.add(ids.computeIfAbsent(o, Browser::peerId)));
    assertThat(expected).doesNotContainNull();
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(remotePeers(b)).isEqualTo(expected);
              assertThat(b.remoteTiles())
                  .allSatisfy(
                      t -> {
                        assertThat(((Number) t.get("width")).intValue()).isPositive();
                        assertThat(((Number) t.get("audio")).intValue()).isEqualTo(1);
                        assertThat(((Number) t.get("video")).intValue()).isEqualTo(1);
                      });
            });
    Map<String, Double> before = times(b);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              Map<String, Double> now = times(b);
              for (String peer : expected) {
                assertThat(now.get(peer))
                    .as("currentTime of " + peer)
                    .isGreaterThan(before.get(peer));
              }
            });
  }

  private static Map<String, Double> times(Browser b) {
    Map<String, Double> out = new java.util.HashMap<>();
    for (Map<String, Object> t : b.remoteTiles()) {
      out.put((String) t.get("peer"), ((Number) t.get("time")).doubleValue());
    }
    return out;
  }

  private static void knowIds(List<Browser> pages) {
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> pages.stream().allMatch(p -> p.peerId() != null));
    pages.forEach(p -> ids.put(p, p.peerId()));
  }

  private static List<Browser> othersOf(Browser b, List<Browser> all) {
    List<Browser> others = new ArrayList<>(all);
    others.remove(b);
    return others;
  }

  @Test
  void aFourPersonCallOverTwoNodesSurvivesTheDeathOfOne() {
    Haproxy.require();
    RedisServer redis = keep(RedisServer.start());
    ChildProcess node1 = node("node1", redis);
    ChildProcess node2 = node("node2", redis);
    Haproxy lb =
        keep(
            Haproxy.start(
                Map.of("WEBCALL_NODE1", address(node1), "WEBCALL_NODE2", address(node2))));
    String room = "cluster-" + UUID.randomUUID();

    List<Browser> pages = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      pages.add(joinVia(lb.port, i % 2 == 0 ? "node1" : "node2", room));
    }
    knowIds(pages);
    for (Browser p : pages) {
      awaitPlaying(p, othersOf(p, pages), Duration.ofSeconds(90));
    }
    assertThat(pages.stream().map(ClusterCallIT::nodeOf))
        .as("the pages' nodes")
        .containsExactly("node1", "node2", "node1", "node2");

    // node1 dies without a goodbye
    node1.signal("KILL");

    // Media never stopped: every page still plays every other (checked while the dead node's
    // pages reconnect), and those pages end up on node2, back in the room.
    for (Browser p : pages) {
      awaitPlaying(p, othersOf(p, pages), Duration.ofSeconds(60));
    }
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              for (Browser p : pages) {
                assertThat(nodeOf(p)).isEqualTo("node2");
                assertThat(
                        p.<Boolean>js(
                            "return !!(window.webcall && window.webcall.socket"
                                + " && window.webcall.socket.connected);"))
                    .as("Socket.IO connected again")
                    .isTrue();
              }
            });

    // A newcomer still joins everyone.
    Browser late = joinVia(lb.port, "node2", room);
    pages.add(late);
    knowIds(List.of(late));
    for (Browser p : pages) {
      awaitPlaying(p, othersOf(p, pages), Duration.ofSeconds(90));
    }
  }
}
