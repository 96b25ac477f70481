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

/**
 * Whole calls in headless Chromium with fake media: the unmodified peerjs and socket.io-client
 * against webcall.
 */
class CallIT {
  @RegisterExtension static final TestServer server = new TestServer();

  /** A server whose pages may send 1 200 kbit/s in all, for the bandwidth governor. */
  @RegisterExtension
  static final TestServer budgeted = new TestServer(c -> c.withUploadBudgetKbps(1200));

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
    return joinAt(server, room, chromiumArgs);
  }

  private Browser joinAt(TestServer at, String room, String... chromiumArgs) {
    Browser b = Browser.launch(chromiumArgs);
    browsers.add(b);
    b.enter("http://127.0.0.1:" + at.port() + "/" + room, NAMES[browsers.size() % NAMES.length]);
    return b;
  }

  /**
   * The maxBitrate (bit/s) the page set on each connection's video sender, through the documented
   * test hook.
   */
  private static List<Long> videoCaps(Browser b) {
    return b.js(
        "return webcall.connections().map(c => {"
            + " const s = c.pc.getSenders().find(s => s.track && s.track.kind === 'video');"
            + " const e = s && s.getParameters().encodings[0]; return e && e.maxBitrate ? e.maxBitrate : 0; });");
  }

  /**
   * What the page sent as video on each connection over about 10 s, from outbound-rtp bytesSent,
   * with that connection's cap at the end: [[kbit/s, cap kbit/s], ...].
   */
  @SuppressWarnings("unchecked")
  private static List<List<Number>> measuredVideo(Browser b) {
    return (List<List<Number>>)
        b.driver()
            .executeAsyncScript(
                "const done = arguments[arguments.length - 1];"
                    + "const sent = async (pc) => { let bytes = 0, at = 0; for (const s of (await pc.getStats()).values())"
                    + "  if (s.type === 'outbound-rtp' && s.kind === 'video') { bytes += s.bytesSent; at = s.timestamp; }"
                    + "  return [bytes, at]; };"
                    + "const pcs = webcall.connections().map(c => c.pc);"
                    + "Promise.all(pcs.map(sent)).then(before => setTimeout(() => Promise.all(pcs.map(sent)).then(after =>"
                    + "  done(pcs.map((pc, i) => { const e = pc.getSenders().find(s => s.track && s.track.kind === 'video')"
                    + "    .getParameters().encodings[0];"
                    + "    return [(after[i][0] - before[i][0]) * 8 / (after[i][1] - before[i][1]), e.maxBitrate / 1000]; }))),"
                    + "  10000));");
  }

  @Test
  void eachPageCapsWhatItSendsToEachOtherFromItsBudgetAndTheNumberOfPeople() {
    String room = newRoom();
    Browser a = joinAt(budgeted, room);
    Browser b = joinAt(budgeted, room);
    awaitPlaying(a, 1, Duration.ofSeconds(40));
    awaitPlaying(b, 1, Duration.ofSeconds(40));
    assertThat(a.<String>js("return document.body.dataset.uploadBudgetKbps;")).isEqualTo("1200");
    // Two people: the whole budget but the audio's reserve goes to the one other (1 200 - 64
    // kbit/s).
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(videoCaps(a)).containsExactly(1_136_000L);
              assertThat(videoCaps(b)).containsExactly(1_136_000L);
            });
    // A third joins: everyone's budget is now shared by two connections, and changed without anyone
    // acting.
    Browser c = joinAt(budgeted, room);
    awaitPlaying(c, 2, Duration.ofSeconds(60));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (Browser p : List.of(a, b, c)) {
                assertThat(videoCaps(p)).containsExactly(536_000L, 536_000L);
              }
            });
    Browser d = joinAt(budgeted, room);
    List<Browser> pages = List.of(a, b, c, d);
    for (Browser p : pages) {
      awaitPlaying(p, 3, Duration.ofSeconds(90));
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (Browser p : pages) {
                assertThat(videoCaps(p)).containsExactly(336_000L, 336_000L, 336_000L);
              }
            });
    // What is actually sent stays under each cap (10 % for a frame in flight at the window's
    // edges).
    for (Browser p : pages) {
      List<List<Number>> sent = measuredVideo(p);
      assertThat(sent).hasSize(3);
      for (List<Number> connection : sent) {
        double kbps = connection.get(0).doubleValue();
        double cap = connection.get(1).doubleValue();
        assertThat(cap).isEqualTo(336.0);
        assertThat(kbps)
            .as("video sent, kbit/s, under the cap of " + cap)
            .isPositive()
            .isLessThan(cap * 1.1);
      }
    }
  }

  /**
   * Waits until the page shows exactly {@code expected} remote videos, each playing with audio and
   * video tracks.
   */
  private static void awaitPlaying(Browser b, int expected, Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () ->
                assertThat(b.remoteTiles())
                    .hasSize(expected)
                    .allSatisfy(
                        t -> {
                          assertThat(((Number) t.get("width")).intValue())
                              .as("videoWidth")
                              .isPositive();
                          assertThat(((Number) t.get("audio")).intValue())
                              .as("audio tracks")
                              .isEqualTo(1);
                          assertThat(((Number) t.get("video")).intValue())
                              .as("video tracks")
                              .isEqualTo(1);
                        }));
    Map<String, Double> before = times(b);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              Map<String, Double> now = times(b);
              assertThat(now.keySet()).isEqualTo(before.keySet());
              for (String peer : before.keySet()) {
                assertThat(now.get(peer))
                    .as("currentTime of " + peer + " advances")
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

    // The README shows this call: the picture is made by the test run, so it always shows the
    // current page.
    Path shot = Path.of("docs", "screenshots", "call-4.png");
    pages.get(0).screenshot(shot);
    assertThat(shot).isNotEmptyFile();

    Browser leaver = pages.remove(3);
    String leaverId = leaver.peerId();
    leaver.close();
    browsers.remove(leaver);
    for (Browser p : pages) {
      await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(200))
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
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(denied.text("#media-problem")).contains("denied"));
    denied.joinCall("No Camera");
    awaitPlaying(denied, 1, Duration.ofSeconds(40));
    assertThat(remotePeers(denied)).containsExactly(sender.peerId());
    assertThat(denied.status()).contains("denied");
    // The others see a receive-only member as muted with its camera off (it sends silence and black
    // frames).
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(sender.remoteTiles())
                    .singleElement()
                    .satisfies(
                        t -> {
                          assertThat(t.get("name")).isEqualTo("No Camera");
                          assertThat(t.get("muted")).isEqualTo(true);
                          assertThat(t.get("cameraOff")).isEqualTo(true);
                        }));
  }
}
