package webcall.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import webcall.TestServer;

/** Whole calls in headless Chromium with fake media: the unmodified peerjs and socket.io-client against webcall. */
class CallIT {
  @RegisterExtension static final TestServer server = new TestServer();

  private static final String[] NAMES = {"Ada", "Grace", "Margaret", "Linus"};

  private final List<Browser> browsers = new ArrayList<>();

  @AfterEach
  void closeBrowsers() {
    browsers.forEach(Browser::close);
    browsers.clear();
  }

  private String newRoom() {
    return "e2e-" + UUID.randomUUID();
  }

  private Browser join(String room, String... chromiumArgs) {
    Browser b = Browser.launch(chromiumArgs);
    browsers.add(b);
    b.enter("http://127.0.0.1:" + server.port() + "/" + room, NAMES[browsers.size() % NAMES.length]);
    return b;
  }

  /** Waits until the page shows exactly {@code expected} remote videos, each playing with audio and video tracks. */
  private static void awaitPlaying(Browser b, int expected, Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(b.remoteTiles()).hasSize(expected)
            .allSatisfy(t -> {
              assertThat(((Number) t.get("width")).intValue()).as("videoWidth").isPositive();
              assertThat(((Number) t.get("audio")).intValue()).as("audio tracks").isEqualTo(1);
              assertThat(((Number) t.get("video")).intValue()).as("video tracks").isEqualTo(1);
            }));
    Map<String, Double> before = times(b);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(() -> {
          Map<String, Double> now = times(b);
          assertThat(now.keySet()).isEqualTo(before.keySet());
          for (String peer : before.keySet()) {
            assertThat(now.get(peer)).as("currentTime of " + peer + " advances").isGreaterThan(before.get(peer));
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

  private static Set<String> remotePeers(Browser b) {
    Set<String> peers = new HashSet<>();
    b.remoteTiles().forEach(t -> peers.add((String) t.get("peer")));
    return peers;
  }

  @Test
  void twoPagesInOneRoomSeeAndHearEachOther() {
    String room = newRoom();
    Browser a = join(room);
    Browser b = join(room);
    awaitPlaying(a, 1, Duration.ofSeconds(40));
    awaitPlaying(b, 1, Duration.ofSeconds(40));
    assertThat(remotePeers(a)).containsExactly(b.peerId());
    assertThat(remotePeers(b)).containsExactly(a.peerId());
  }

  @Test
  void fourPagesEachSeeTheOtherThreeAndALeaverIsDroppedQuickly() {
    String room = newRoom();
    List<Browser> pages = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      pages.add(join(room));
    }
    // The last page to join gets every member's video: no reliance on timing.
    for (Browser p : pages) {
      awaitPlaying(p, 3, Duration.ofSeconds(90));
    }
    for (Browser p : pages) {
      Set<String> expected = new HashSet<>();
      pages.stream().filter(o -> o != p).forEach(o -> expected.add(o.peerId()));
      assertThat(remotePeers(p)).as("no duplicate or foreign tiles").isEqualTo(expected);
    }

    // The README shows this call: the picture is made by the test run, so it always shows the current page.
    Path shot = Path.of("docs", "screenshots", "call-4.png");
    pages.get(0).screenshot(shot);
    assertThat(shot).isNotEmptyFile();

    Browser leaver = pages.remove(3);
    String leaverId = leaver.peerId();
    leaver.close();
    browsers.remove(leaver);
    for (Browser p : pages) {
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
          .until(() -> !remotePeers(p).contains(leaverId));
    }
    for (Browser p : pages) {
      assertThat(p.remoteTiles()).hasSize(2);
    }
  }

  @Test
  void aPageThatJoinsLateGetsEveryVideoAlreadyInTheCall() {
    String room = newRoom();
    Browser a = join(room);
    Browser b = join(room);
    awaitPlaying(a, 1, Duration.ofSeconds(40));
    awaitPlaying(b, 1, Duration.ofSeconds(40));
    Browser late = join(room);
    awaitPlaying(late, 2, Duration.ofSeconds(40));
    assertThat(remotePeers(late)).containsExactlyInAnyOrder(a.peerId(), b.peerId());
    awaitPlaying(a, 2, Duration.ofSeconds(40));
    awaitPlaying(b, 2, Duration.ofSeconds(40));
  }

  @Test
  void aPageDeniedCameraAndMicrophoneSaysSoAndStillReceives() {
    String room = newRoom();
    Browser sender = join(room);
    Browser denied = Browser.launch("--use-fake-ui-for-media-stream=deny");
    browsers.add(denied);
    denied.open("http://127.0.0.1:" + server.port() + "/" + room);
    // Said in plain words in the lobby, before joining.
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(denied.text("#media-problem")).contains("denied"));
    denied.joinCall("No Camera");
    awaitPlaying(denied, 1, Duration.ofSeconds(40));
    assertThat(remotePeers(denied)).containsExactly(sender.peerId());
    assertThat(denied.status()).contains("denied");
    // The others see a receive-only member as muted with its camera off (it sends silence and black frames).
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(sender.remoteTiles()).singleElement().satisfies(t -> {
          assertThat(t.get("name")).isEqualTo("No Camera");
          assertThat(t.get("muted")).isEqualTo(true);
          assertThat(t.get("cameraOff")).isEqualTo(true);
        }));
  }
}
