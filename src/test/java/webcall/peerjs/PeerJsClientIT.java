package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import webcall.e2e.Browser;
import webcall.support.ChildProcess;
import webcall.support.PageServer;

/**
 * The official peerjs 1.5.5 client in headless Chromium against {@code webcall peerjs --path
 * /myapp}, run as a user runs it. The page comes from another origin (a JDK HttpServer), so ids are
 * fetched cross-origin through the PeerJS server's CORS, exactly as a page on another site would.
 */
class PeerJsClientIT {
  static final Pattern STARTED =
      Pattern.compile("^Started PeerServer on \\S+, port: (\\d+), path: \\S+$");
  static final Pattern UUID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  static final Duration SOON = Duration.ofSeconds(30);

  static ChildProcess server;
  static PageServer pages;
  static String pageUrl;

  private final List<Browser> browsers = new java.util.ArrayList<>();

  @BeforeAll
  static void start() {
    server =
        ChildProcess.start(
            ChildProcess.webcall(
                "peerjs",
                "--port",
                "0",
                "--host",
                "127.0.0.1",
                "--key",
                "peerjs",
                "--path",
                "/myapp",
                "--expire_timeout",
                "1500",
                "--cleanup_out_msgs",
                "200"),
            Map.of(),
            STARTED,
            Duration.ofSeconds(60),
            "webcall-peerjs");
    pages = PageServer.start();
    pageUrl = pages.page(Integer.parseInt(server.readyLine().group(1)), "/myapp", "peerjs");
  }

  @AfterAll
  static void stop() {
    if (pages != null) {
      pages.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void closeBrowsers() {
    browsers.forEach(Browser::close);
    browsers.clear();
  }

  private ClientPage openPage() {
    Browser b = Browser.launch();
    browsers.add(b);
    return new ClientPage(b, pageUrl);
  }

  @Test
  void twoPagesExchangeDataBothWaysAndMakeAMediaCall() {
    ClientPage a = openPage();
    ClientPage b = openPage();
    a.run("startPeer('a')");
    b.run("startPeer('b')");
    // No id given: each client fetched one from {path}/{key}/id, cross-origin.
    String idA = (String) a.await(SOON, "peer", "a", "event", "open").get("id");
    String idB = (String) b.await(SOON, "peer", "b", "event", "open").get("id");
    assertThat(idA).matches(UUID);
    assertThat(idB).matches(UUID).isNotEqualTo(idA);

    a.run("connectTo('a', arguments[0])", idB);
    a.await(SOON, "peer", "a", "event", "connection-open", "with", idB);
    b.await(SOON, "peer", "b", "event", "connection-open", "with", idA);
    a.run("sendTo('a', arguments[0], 'hello from a')", idB);
    assertThat(b.await(SOON, "peer", "b", "event", "data", "from", idA).get("data"))
        .isEqualTo("hello from a");
    b.run("sendTo('b', arguments[0], {text: 'hello from b', n: 2})", idA);
    assertThat(a.await(SOON, "peer", "a", "event", "data", "from", idB).get("data"))
        .isEqualTo(Map.of("text", "hello from b", "n", 2L));

    a.run("getMedia()");
    b.run("getMedia()");
    a.await(SOON, "event", "media", "video", 1);
    b.await(SOON, "event", "media", "video", 1);
    a.run("callTo('a', arguments[0])", idB);
    b.await(SOON, "peer", "b", "event", "call", "from", idA);
    assertThat(a.await(SOON, "peer", "a", "event", "stream", "from", idB))
        .containsEntry("video", 1L)
        .containsEntry("audio", 1L);
    assertThat(b.await(SOON, "peer", "b", "event", "stream", "from", idA))
        .containsEntry("video", 1L)
        .containsEntry("audio", 1L);
    awaitPlaying(a);
    awaitPlaying(b);
  }

  /** Waits until the page's remote video has a size and its play position moves on. */
  private static void awaitPlaying(ClientPage page) {
    await()
        .atMost(SOON)
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () ->
                assertThat(page.videos())
                    .singleElement()
                    .satisfies(v -> assertThat(((Number) v.get("width")).intValue()).isPositive()));
    double before = ((Number) page.videos().get(0).get("time")).doubleValue();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> ((Number) page.videos().get(0).get("time")).doubleValue() > before);
  }

  @Test
  void theClientGetsTheServersErrorsAndCanReconnect() {
    ClientPage page = openPage();
    page.run("startPeer('x', 'alice-1')");
    page.await(SOON, "peer", "x", "event", "open", "id", "alice-1");

    // The same id with another token.
    page.run("startPeer('thief', 'alice-1')");
    assertThat(page.await(SOON, "peer", "thief", "event", "error").get("type"))
        .isEqualTo("unavailable-id");
    // A wrong key: the server's text reaches the application as err.message.
    page.run("startPeer('badkey', 'k-1', {key: 'nope'})");
    Map<String, Object> badKey = page.await(SOON, "peer", "badkey", "event", "error");
    assertThat(badKey)
        .containsEntry("type", "server-error")
        .containsEntry("message", "Invalid key provided");
    // An id the server refuses although the client accepts it: longer than 64 characters.
    page.run("startPeer('long', arguments[0])", "a".repeat(65));
    Map<String, Object> tooLong = page.await(SOON, "peer", "long", "event", "error");
    assertThat(tooLong)
        .containsEntry("type", "server-error")
        .containsEntry("message", "Invalid id provided");

    // A peer that never comes: EXPIRE after --expire_timeout 1500 becomes 'peer-unavailable'.
    page.run("connectTo('x', 'nobody-here')");
    Map<String, Object> unavailable = page.await(SOON, "peer", "x", "event", "error");
    assertThat(unavailable)
        .containsEntry("type", "peer-unavailable")
        .containsEntry("message", "Could not connect to peer nobody-here");

    // Discovery is off by default.
    page.run("startPeer('lister', 'lister-1')");
    page.await(SOON, "peer", "lister", "event", "open");
    page.run("listPeers('lister')");
    assertThat(page.await(SOON, "peer", "lister", "event", "error").get("type"))
        .isEqualTo("server-error");

    // disconnect() then reconnect(): same id and token, and 'open' again.
    page.run("peers.x.disconnect()");
    page.await(SOON, "peer", "x", "event", "disconnected");
    page.run("window.events = []; peers.x.reconnect()");
    page.await(SOON, "peer", "x", "event", "open", "id", "alice-1");

    // A second Peer with the same id and token takes over (the reference never sends it OPEN); the
    // old one is cut.
    page.run("startPeer('twin', 'alice-1', {token: peers.x.options.token})");
    page.await(SOON, "peer", "twin", "event", "open", "id", "alice-1");
    page.await(SOON, "peer", "x", "event", "disconnected");
    Map<String, Object> counts = new HashMap<>();
    page.events()
        .forEach(
            e ->
                counts.merge(e.get("peer") + ":" + e.get("event"), 1, (x, y) -> (int) x + (int) y));
    assertThat(counts).containsEntry("twin:open", 1).doesNotContainKey("twin:error");
  }
}
