package webcall.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.socket.engineio.client.transports.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.interactions.Actions;
import webcall.TestServer;
import webcall.support.RoomClient;

/**
 * The call page's features as the people in a call see them, in headless Chromium with fake media.
 */
class CallPageIT {
  @RegisterExtension static final TestServer server = new TestServer();

  private final List<Browser> browsers = new ArrayList<>();

  @AfterEach
  void closeBrowsers() {
    browsers.forEach(Browser::close);
    browsers.clear();
  }

  private static String url(String room) {
    return "http://127.0.0.1:" + server.port() + "/" + room;
  }

  private Browser launch(String... chromiumArgs) {
    Browser b = Browser.launch(chromiumArgs);
    browsers.add(b);
    return b;
  }

  private Browser enter(String room, String name, String... chromiumArgs) {
    Browser b = launch(chromiumArgs);
    b.enter(url(room), name);
    return b;
  }

  private static Map<String, Object> onlyTile(Browser b) {
    List<Map<String, Object>> tiles = b.remoteTiles();
    assertThat(tiles).hasSize(1);
    return tiles.get(0);
  }

  /** Two people in a new room, each already playing the other's video. */
  private List<Browser> inACall(String roomPrefix, String first, String second) {
    String room = roomPrefix + "-" + UUID.randomUUID();
    Browser a = enter(room, first);
    Browser b = enter(room, second);
    awaitVideo(a);
    awaitVideo(b);
    return List.of(a, b);
  }

  /**
   * Waits until b shows one remote tile whose video plays at a size, and returns that size as
   * "WxH".
   */
  private static String awaitVideo(Browser b) {
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> assertThat(((Number) onlyTile(b).get("width")).intValue()).isPositive());
    Map<String, Object> t = onlyTile(b);
    return t.get("width") + "x" + t.get("height");
  }

  @Test
  void namesMuteAndCameraOffAreSeenByTheOthersAsTheyChange() {
    List<Browser> call = inACall("names", "Ada Lovelace", "李博");
    Browser ada = call.get(0);
    Browser bo = call.get(1);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(onlyTile(bo).get("name")).isEqualTo("Ada Lovelace");
              assertThat(onlyTile(ada).get("name")).isEqualTo("李博");
            });
    assertThat(onlyTile(bo).get("muted")).isEqualTo(false);
    // Each page makes up its PeerJS id, so its PeerJS socket opens without first asking the server
    // for one.
    assertThat(ada.<String>js("return webcall.peer.id;")).matches("[0-9a-f]{32}");
    assertThat(
            ada.<Long>js(
                "return performance.getEntriesByType('resource')"
                    + ".filter((e) => e.name.includes('/peerjs/id')).length;"))
        .isZero();
    // The name is remembered for the next visit.
    assertThat(ada.<String>js("return localStorage.getItem('webcall.name');"))
        .isEqualTo("Ada Lovelace");

    ada.find("#btn-mic").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(onlyTile(bo).get("muted")).isEqualTo(true));
    assertThat(ada.<Boolean>js("return webcall.media.mic.enabled;"))
        .as("the microphone track is muted")
        .isFalse();

    // The keyboard shortcut V turns the camera off; the others see the camera-off state.
    new Actions(ada.driver()).sendKeys("v").perform();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(onlyTile(bo).get("cameraOff")).isEqualTo(true));
    new Actions(ada.driver()).sendKeys("m").perform();
    ada.find("#btn-cam").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(onlyTile(bo).get("cameraOff")).isEqualTo(false);
              assertThat(onlyTile(bo).get("muted")).isEqualTo(false);
            });

    // The participants list names both, the own entry marked.
    bo.find("#btn-people").click();
    assertThat(bo.text("#people")).contains("Ada Lovelace").contains("李博");
    assertThat(bo.text("#people-count")).isEqualTo("2");

    // A leave is announced by name.
    bo.close();
    browsers.remove(bo);
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(ada.text("#notices")).contains("李博 left"));
    assertThat(ada.remoteTiles()).isEmpty();
  }

  /**
   * Width over height of the video the tile plays: the camera is 4:3 at any resolution WebRTC
   * adapts it to.
   */
  private static double aspect(Map<String, Object> tile) {
    double h = ((Number) tile.get("height")).doubleValue();
    return h == 0 ? 0 : ((Number) tile.get("width")).doubleValue() / h;
  }

  @Test
  void screenShareReplacesTheVideoForTheOthersAndRestoresItAfter() {
    String room = "share-" + UUID.randomUUID();
    Browser sharer = enter(room, "Sharer", "--auto-select-desktop-capture-source=Entire screen");
    Browser viewer = enter(room, "Viewer");
    awaitVideo(viewer);
    assertThat(aspect(onlyTile(viewer))).as("the fake camera").isCloseTo(4.0 / 3, within(0.02));
    String cameraTrack = sharer.js("return webcall.media.stream.getVideoTracks()[0].id;");
    String sentTrack =
        "return webcall.connections()[0].pc.getSenders()"
            + ".find(s => s.track && s.track.kind === 'video').track.id;";

    sharer.find("#btn-share").click();
    // The screen (headless Chromium's is wide, not 4:3) replaces the camera on the same connection.
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Map<String, Object> tile = onlyTile(viewer);
              assertThat(tile.get("sharing")).isEqualTo(true);
              assertThat(aspect(tile)).as("the shared screen's shape").isGreaterThan(4.0 / 3 + 0.1);
            });
    assertThat(sharer.<String>js(sentTrack)).isNotEqualTo(cameraTrack);

    sharer.find("#btn-share").click();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Map<String, Object> tile = onlyTile(viewer);
              assertThat(tile.get("sharing")).isEqualTo(false);
              assertThat(aspect(tile)).as("the camera again").isCloseTo(4.0 / 3, within(0.02));
            });
    assertThat(sharer.<String>js(sentTrack)).isEqualTo(cameraTrack);
  }

  @Test
  void chatIsDeliveredWithNameAndShownAsPlainText() {
    List<Browser> call = inACall("chat", "Ada", "Bo");
    Browser ada = call.get(0);
    Browser bo = call.get(1);
    String attack = "<img src=x onerror=alert(1)>";

    ada.find("#btn-chat").click();
    ada.find("#chat-input").sendKeys(attack, Keys.ENTER);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(bo.text("#unread")).isEqualTo("1"));
    assertThat(bo.find("#unread").isDisplayed()).isTrue();
    bo.find("#btn-chat").click();
    assertThat(bo.find("#unread").isDisplayed()).as("read once the panel opens").isFalse();
    assertThat(
            bo.<String>js(
                "return document.querySelector('#chat-log li:last-child .text').textContent;"))
        .isEqualTo(attack);
    assertThat(bo.text("#chat-log li:last-child .meta")).startsWith("Ada ·");
    assertThat(bo.<Long>js("return document.querySelectorAll('#chat-log img').length;")).isZero();
    assertThatThrownBy(() -> bo.driver().switchTo().alert())
        .isInstanceOf(NoAlertPresentException.class);
    assertThatThrownBy(() -> ada.driver().switchTo().alert())
        .isInstanceOf(NoAlertPresentException.class);
    // The sender sees its own message once, from the server's answer.
    assertThat(ada.<Long>js("return document.querySelectorAll('#chat-log li.mine').length;"))
        .isEqualTo(1L);

    // Too long is refused by the server and the sender is told, in its language.
    ada.js("document.getElementById('chat-input').removeAttribute('maxlength');");
    ada.js("document.getElementById('chat-input').value = 'x'.repeat(2001);");
    ada.find("#chat-input").sendKeys(Keys.ENTER);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(ada.text("#chat-log li.failed")).contains("2000"));
    assertThat(bo.<Long>js("return document.querySelectorAll('#chat-log li').length;"))
        .isEqualTo(1L);
  }

  @Test
  void aFullRoomTurnsTheNinthPageAwayAndTheMembersSeeNothing() {
    String room = "full-" + UUID.randomUUID();
    List<RoomClient> members = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        RoomClient c =
            new RoomClient(
                server.port(), "member" + i + "-" + room.substring(5, 13), WebSocket.NAME);
        members.add(c);
        assertThat(c.join(room).ok()).isTrue();
      }
      long announcedBefore = members.get(0).count("user-connected");
      Browser ninth = launch();
      ninth.enter(url(room), "Ninth");
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> assertThat(ninth.text("#join-problem")).contains("full").contains("8"));
      assertThat(ninth.find("#lobby").isDisplayed()).as("back in the lobby").isTrue();
      assertThat(ninth.find("#call").isDisplayed()).isFalse();
      assertThat(members.get(0).count("user-connected")).isEqualTo(announcedBefore);
    } finally {
      members.forEach(RoomClient::close);
    }
  }

  @Test
  void aPageThatLosesItsSignalingConnectionComesBackIntoTheCall() {
    List<Browser> call = inACall("lost", "Ada", "Bo");
    Browser a = call.get(0);
    Browser b = call.get(1);
    String aId = a.peerId();

    a.js("webcall.socket.io.engine.close();"); // the transport drops, as on a network change
    // Both sides play each other again, without a reload, under the same PeerJS id.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(a.<Boolean>js("return webcall.socket.connected;")).isTrue();
              assertThat(a.status()).doesNotContain("Lost the connection");
            });
    String before = String.valueOf(onlyTile(b).get("time"));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              Map<String, Object> seen = onlyTile(b);
              assertThat(seen.get("peer")).isEqualTo(aId);
              assertThat(seen.get("name")).isEqualTo("Ada");
              assertThat(String.valueOf(seen.get("time"))).isNotEqualTo(before);
              assertThat(((Number) onlyTile(a).get("width")).intValue()).isPositive();
            });
    assertThat(a.peerId()).isEqualTo(aId);
    // Still one call: a chat reaches the other side.
    a.find("#btn-chat").click();
    a.find("#chat-input").sendKeys("back", Keys.ENTER);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(b.text("#unread")).isEqualTo("1"));
  }

  @Test
  void switchingTheMicrophoneDuringTheCallSendsTheNewOne() {
    List<Browser> call = inACall("devices", "Ada", "Bo");
    Browser a = call.get(0);
    Browser b = call.get(1);
    a.find("#btn-devices").click();
    List<String> mics =
        a.js("return [...document.querySelectorAll('#mic-select option')].map(o => o.value);");
    assertThat(mics).as("Chromium's fake microphones").hasSizeGreaterThan(1);
    String current = a.js("return document.getElementById('mic-select').value;");
    String other = mics.stream().filter(m -> !m.equals(current)).findFirst().orElseThrow();
    a.js(
        "const s = document.getElementById('mic-select'); s.value = arguments[0];"
            + " s.dispatchEvent(new Event('change'));",
        other);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        a.<String>js(
                            "return webcall.connections()[0].pc.getSenders()"
                                + ".find(s => s.track && s.track.kind === 'audio').track.getSettings().deviceId;"))
                    .isEqualTo(other));
    assertThat(((Number) onlyTile(b).get("audio")).intValue()).isEqualTo(1);
  }

  /**
   * Elements whose text or label is still a key (a missing translation) and controls without an
   * accessible name.
   */
  private static final String UNTRANSLATED =
      "const bad = [];"
          + "for (const el of document.querySelectorAll('[data-i18n]'))"
          + "  if (!el.textContent.trim() || el.textContent === el.dataset.i18n) bad.push('text:' + el.dataset.i18n);"
          + "for (const el of document.querySelectorAll('[data-i18n-label]'))"
          + "  if (el.getAttribute('aria-label') === el.dataset.i18nLabel) bad.push('label:' + el.dataset.i18nLabel);"
          + "for (const el of document.querySelectorAll('button, select, input, textarea')) {"
          + "  const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.textContent.trim();"
          + "  if (!named) bad.push('unnamed:' + (el.id || el.outerHTML.slice(0, 60)));"
          + "}"
          + "return bad;";

  @Test
  void aChineseBrowserGetsTheChinesePageWhichSwitchesToEnglish() {
    String room = "lang-" + UUID.randomUUID();
    Browser zh = launch("--lang=zh-CN", "--accept-lang=zh-CN,zh");
    zh.open(url(room));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(zh.text("#join")).isEqualTo("加入"));
    assertThat(zh.text("#copy-link")).isEqualTo("复制邀请链接");
    assertThat(zh.<List<String>>js(UNTRANSLATED)).isEmpty();
    zh.joinCall("王芳");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(zh.text("#btn-mic")).isEqualTo("静音"));
    assertThat(zh.<List<String>>js(UNTRANSLATED)).isEmpty();

    zh.js(
        "const s = document.getElementById('language'); s.value = 'en'; s.dispatchEvent(new Event('change'));");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(zh.text("#btn-mic")).isEqualTo("Mute"));
    assertThat(zh.find("#btn-mic").getAttribute("title")).isEqualTo("Mute (M)");
    assertThat(zh.text("#btn-leave")).isEqualTo("Leave");
    assertThat(zh.<String>js("return document.documentElement.lang;")).isEqualTo("en");
    assertThat(zh.<List<String>>js(UNTRANSLATED)).isEmpty();
    // The choice is kept for the next visit.
    zh.open(url(room));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(zh.text("#join")).isEqualTo("Join"));
  }

  /**
   * Notes on the page each time the speaking mark of the tile matching the selector goes on or off,
   * with the page's clock, so that how long it was lit can be told afterwards without sampling it.
   */
  private static void logSpeakingMark(Browser b, String tile) {
    b.js(
        "const sel = arguments[0]; const grid = document.getElementById('grid'); window.__marks = []; let on = null;"
            + "const note = () => { const t = grid.querySelector(sel); const now = !!t && t.classList.contains('speaking');"
            + "  if (now !== on) { on = now; window.__marks.push([performance.now(), now]); } };"
            + "note(); new MutationObserver(note).observe(grid, { attributes: true, childList: true, subtree: true });",
        tile);
  }

  private static boolean speakingMarked(Browser b) {
    return b.<Boolean>js("const m = window.__marks; return m[m.length - 1][1];");
  }

  private static boolean everMarkedSince(Browser b, double from) {
    return b.<Boolean>js(
        "return window.__marks.some(([at, on]) => on && at >= arguments[0]);", from);
  }

  private static double pageNow(Browser b) {
    return ((Number) b.js("return performance.now();")).doubleValue();
  }

  /**
   * The share of the page-clock window [from, from + ms] during which the mark was lit, once the
   * window is over.
   */
  private static double litShare(Browser b, double from, long ms) {
    await().atMost(Duration.ofSeconds(30)).until(() -> pageNow(b) >= from + ms);
    return ((Number)
            b.js(
                "const [from, to] = [arguments[0], arguments[0] + arguments[1]];"
                    + "let on = false, t = from, lit = 0;"
                    + "for (const [at, now] of window.__marks) {"
                    + "  if (at <= from) { on = now; continue; } if (at >= to) break;"
                    + "  if (on) lit += at - t; t = at; on = now; }"
                    + "if (on) lit += to - t; return lit / (to - from);",
                from,
                ms))
        .doubleValue();
  }

  @Test
  void aSpeakersTileIsMarkedWhileTheySpeakAndNotWhenMuted() {
    List<Browser> call = inACall("speaking", "Ada", "Bo");
    Browser ada = call.get(0);
    Browser bo = call.get(1);
    // Bo's tile as both see it: Ada from his RTP audio levels, Bo from his own microphone.
    logSpeakingMark(ada, "figure.tile.remote");
    logSpeakingMark(bo, "figure.tile.local");
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              assertThat(speakingMarked(ada))
                  .as("Bo's tile marked as speaking on Ada's page")
                  .isTrue();
              assertThat(speakingMarked(bo)).as("Bo's own tile marked as speaking").isTrue();
            });
    // Chromium's fake microphone beeps for a few tens of ms every half second, less than the mark's
    // hold time apart:
    // a meter that hears every beep keeps the mark on, one that samples now and then lets it
    // flicker off. The bound
    // leaves room for a beep missed while a busy machine stalls the page.
    double adaFrom = pageNow(ada);
    double boFrom = pageNow(bo);
    assertThat(litShare(ada, adaFrom, 4000))
        .as("share of 4 s Bo's tile was marked on Ada's page")
        .isGreaterThan(0.75);
    assertThat(litShare(bo, boFrom, 4000))
        .as("share of 4 s Bo's own tile was marked")
        .isGreaterThan(0.75);

    bo.find("#btn-mic").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(onlyTile(ada).get("muted")).isEqualTo(true));
    // Bo now sends silence and his page knows he is muted: after the mark's hold time, beeps no
    // longer light it.
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> {
              assertThat(speakingMarked(ada)).isFalse();
              assertThat(speakingMarked(bo)).isFalse();
            });
    double adaMuted = pageNow(ada);
    double boMuted = pageNow(bo);
    await()
        .during(Duration.ofSeconds(3))
        .atMost(Duration.ofSeconds(4))
        .untilAsserted(
            () -> {
              assertThat(everMarkedSince(ada, adaMuted))
                  .as("Bo's tile marked on Ada's page while he is muted")
                  .isFalse();
              assertThat(everMarkedSince(bo, boMuted))
                  .as("Bo's own tile marked while he is muted")
                  .isFalse();
            });
  }

  @Test
  void theCameraIsAskedForOnceByThePagesFirstScript() {
    Browser b = launch();
    // Before any of the page's scripts: note each request for camera and microphone and the script
    // that made it
    // (document.currentScript is null in a module).
    b.driver()
        .executeCdpCommand(
            "Page.addScriptToEvaluateOnNewDocument",
            Map.of(
                "source",
                "window.__asks = []; const md = navigator.mediaDevices; const gum = md.getUserMedia.bind(md);"
                    + "md.getUserMedia = (c) => { window.__asks.push(document.currentScript ? document.currentScript.src : 'module');"
                    + " return gum(c); };"));
    b.open(url("camera-" + UUID.randomUUID()));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(b.find("#join").isEnabled()).isTrue());
    // One prompt for the person, made as the page starts rather than once the libraries and modules
    // have run; the
    // lobby shows that same camera.
    assertThat(b.<List<String>>js("return window.__asks;"))
        .singleElement()
        .asString()
        .endsWith("/assets/early-media.js");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(b.<Long>js("return document.getElementById('preview').videoWidth;"))
                    .isPositive());
  }

  @Test
  void everyControlIsReachableByKeyboard() {
    String room = "keys-" + UUID.randomUUID();
    Browser a = enter(room, "Ada");
    await().atMost(Duration.ofSeconds(20)).until(() -> a.find("#btn-mic").isDisplayed());
    List<String> reached = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      new Actions(a.driver()).sendKeys(Keys.TAB).perform();
      reached.add(a.js("return document.activeElement.id;"));
    }
    assertThat(reached)
        .contains(
            "copy-link",
            "btn-qr",
            "language",
            "btn-mic",
            "btn-cam",
            "btn-devices",
            "btn-chat",
            "btn-people",
            "btn-leave");
  }

  /**
   * Tiles inside the viewport and above the toolbar, none overlapping another, none too small to
   * see a face.
   */
  private static final String LAYOUT_PROBLEMS =
      "const bar = document.querySelector('.toolbar').getBoundingClientRect();"
          + "const rs = [...document.querySelectorAll('figure.tile')].map(t => t.getBoundingClientRect());"
          + "const bad = [];"
          + "rs.forEach((r, i) => {"
          + "  if (r.left < 0 || r.right > innerWidth + 1 || r.top < 0 || r.bottom > bar.top + 1) bad.push('outside ' + i);"
          + "  if (r.width < 100 || r.height < 70) bad.push('small ' + i + ' ' + r.width + 'x' + r.height);"
          + "  rs.forEach((o, j) => { if (j > i && r.left < o.right - 1 && o.left < r.right - 1"
          + "    && r.top < o.bottom - 1 && o.top < r.bottom - 1) bad.push('overlap ' + i + ' ' + j); });"
          + "});"
          + "if (bar.bottom > innerHeight + 1) bad.push('toolbar off screen');"
          + "return [rs.length, bad];";

  /**
   * The toolbar's buttons on one row, inside the viewport, each label shown whole (wrapped, never
   * cut).
   */
  private static final String TOOLBAR_PROBLEMS =
      "const bs = [...document.querySelectorAll('.toolbar button')].filter(b => b.offsetParent);"
          + "const bad = []; const top = bs[0].getBoundingClientRect().top;"
          + "for (const b of bs) { const r = b.getBoundingClientRect();"
          + "  if (Math.abs(r.top - top) > 1) bad.push('second row ' + b.id);"
          + "  if (r.left < 0 || r.right > innerWidth + 1) bad.push('outside ' + b.id);"
          + "  const l = b.querySelector('.label'); if (!l || !l.textContent.trim()) bad.push('no label ' + b.id);"
          + "  else if (l.scrollWidth > l.clientWidth + 1 || l.getBoundingClientRect().right > r.right + 1) bad.push('label cut ' + b.id);"
          + "  if (!b.querySelector('svg.icon')) bad.push('no icon ' + b.id); }"
          + "return bad;";

  @Test
  void oneToEightPeopleFitOnADesktopAndOnAPhone() {
    String room = "layout-" + UUID.randomUUID();
    Browser a = enter(room, "Ada");
    await().atMost(Duration.ofSeconds(20)).until(() -> a.find("#btn-mic").isDisplayed());
    assertThat(a.<String>js("return document.getElementById('invite-link').value;"))
        .isEqualTo(url(room));
    assertThat(a.text("#room-id")).isEqualTo(room);
    for (int people = 1; people <= 8; people++) {
      if (people > 1) {
        // Stand-in members: tiles as a member's call would make them, without seven more browsers.
        a.js(
            "webcall.tiles.show(arguments[0], null); webcall.tiles.setProfile(arguments[0], {name: arguments[0]});",
            "member" + people);
      }
      for (org.openqa.selenium.Dimension size :
          List.of(
              new org.openqa.selenium.Dimension(1280, 800),
              new org.openqa.selenium.Dimension(390, 844))) {
        a.driver().manage().window().setSize(size);
        List<Object> result = a.js(LAYOUT_PROBLEMS);
        assertThat(((Number) result.get(0)).intValue()).isEqualTo(people);
        assertThat((List<?>) result.get(1)).as(people + " people at " + size).isEmpty();
        assertThat(a.<List<String>>js(TOOLBAR_PROBLEMS)).as("toolbar at " + size).isEmpty();
      }
    }
    a.screenshot(java.nio.file.Path.of("target", "screenshots", "phone-8.png"));
  }

  @Test
  void theInviteShowsAQrCodeLoadedOnlyWhenAskedForAndThePageHasAnIcon() {
    String room = "qr-" + UUID.randomUUID();
    Browser a = enter(room, "Ada");
    await().atMost(Duration.ofSeconds(20)).until(() -> a.find("#btn-mic").isDisplayed());
    String loadedQr =
        "return performance.getEntriesByType('resource').filter(e => e.name.endsWith('/vendor/qrcode.mjs')).length;";
    assertThat(a.<Long>js(loadedQr)).as("not loaded for a call").isZero();
    a.find("#btn-qr").sendKeys(Keys.ENTER);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        a.<Long>js(
                            "const s = document.querySelector('#qr-code svg'); return s ? Number(s.dataset.modules) : 0;"))
                    .as("a QR code of version 3 or more for a ~70 character link")
                    .isGreaterThanOrEqualTo(29));
    assertThat(a.<Long>js(loadedQr)).isEqualTo(1L);
    assertThat(a.text("#qr-link")).isEqualTo(url(room));
    assertThat(a.find("#qr-panel").isDisplayed()).isTrue();
    new Actions(a.driver()).sendKeys(Keys.ESCAPE).perform();
    await().atMost(Duration.ofSeconds(5)).until(() -> !a.find("#qr-panel").isDisplayed());
    // The favicon: an SVG the page links, served from the jar (no more 404 on every load).
    @SuppressWarnings("unchecked")
    List<Object> icon =
        (List<Object>)
            a.driver()
                .executeAsyncScript(
                    "const done = arguments[0];"
                        + "fetch(document.querySelector('link[rel=icon]').href).then(r => done([r.status, r.headers.get('content-type')]));");
    assertThat(icon).containsExactly(200L, "image/svg+xml");
  }

  /**
   * Three people on a phone: every remote tile graded "good" on loopback, the figures one tap away.
   */
  @Test
  void everyRemoteTileShowsItsConnectionQualityOnAPhoneInACallOfThree() {
    String room = "quality-" + UUID.randomUUID();
    List<Browser> pages = new ArrayList<>();
    for (String name : List.of("Ada", "Bo", "Cy")) {
      pages.add(enter(room, name));
    }
    for (Browser p : pages) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () ->
                  assertThat(p.remoteTiles())
                      .hasSize(2)
                      .allSatisfy(
                          t -> assertThat(((Number) t.get("width")).intValue()).isPositive()));
    }
    String grades =
        "return [...document.querySelectorAll('figure.tile.remote')].map(t => [t.dataset.quality,"
            + " t.querySelector('.quality') && t.querySelector('.quality').getAttribute('aria-label')]);";
    for (Browser p : pages) {
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(p.<List<List<String>>>js(grades))
                      .hasSize(2)
                      .allSatisfy(g -> assertThat(g).containsExactly("good", "Connection: good")));
    }
    for (Browser p : pages) {
      assertThat(p.<String>js("return document.body.dataset.uploadLow || 'false';"))
          .as("no slow-upload warning on loopback")
          .isEqualTo("false");
    }
    Browser ada = pages.get(0);
    ada.driver().manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
    assertThat((List<?>) ada.<List<Object>>js(LAYOUT_PROBLEMS).get(1)).isEmpty();
    assertThat(ada.<List<String>>js(TOOLBAR_PROBLEMS)).isEmpty();
    // The figures behind the grade, from the keyboard.
    ada.find("figure.tile.remote .quality").sendKeys(Keys.ENTER);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> ada.find("figure.tile.remote .quality-details").isDisplayed());
    assertThat(ada.text("figure.tile.remote .quality-details"))
        .contains("Round trip")
        .contains("ms")
        .contains("Packets lost")
        .contains("Jitter")
        .contains("kbit/s");
    new Actions(ada.driver()).sendKeys(Keys.ESCAPE).perform();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !ada.find("figure.tile.remote .quality-details").isDisplayed());
    // The README shows this call on a phone; the picture is made by the test run.
    assertThat(ada.<String>js("return document.body.dataset.uploadLow || 'false';"))
        .isEqualTo("false");
    java.nio.file.Path shot = java.nio.file.Path.of("docs", "screenshots", "phone-3.png");
    ada.screenshot(shot);
    assertThat(shot).isNotEmptyFile();
  }

  /** Tabs forward until the focused element matches the selector; fails after 60 presses. */
  private static void tabTo(Browser b, String selector) {
    for (int i = 0; i < 60; i++) {
      new Actions(b.driver()).sendKeys(Keys.TAB).perform();
      if (b.<Boolean>js("return document.activeElement.matches(arguments[0]);", selector)) {
        return;
      }
    }
    throw new AssertionError("never reached " + selector + " with Tab");
  }

  @Test
  void aTileCanBeSpotlightedMadeFullScreenOrPoppedOutFromTheKeyboard() {
    List<Browser> call = inACall("spot", "Ada", "Bo");
    Browser ada = call.get(0);
    String bo = call.get(1).peerId();
    String remote = "figure.tile.remote[data-peer='" + bo + "'] ";
    String sizes =
        "return [...document.querySelectorAll('figure.tile')].map(t => {"
            + " const r = t.getBoundingClientRect(); return [t.dataset.peer, r.width * r.height]; });";

    tabTo(ada, remote + "button.spot");
    assertThat(ada.find(remote + "button.spot").getAttribute("aria-label"))
        .isEqualTo("Spotlight Bo");
    assertThat(
            ada.<Boolean>js(
                "return getComputedStyle(document.activeElement).outlineStyle !== 'none';"))
        .as("focus is visible")
        .isTrue();
    new Actions(ada.driver()).sendKeys(Keys.ENTER).perform();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () -> assertThat(ada.find("#grid").getAttribute("data-spotlight")).isEqualTo(bo));
    assertThat(ada.find(remote + "button.spot").getAttribute("aria-pressed")).isEqualTo("true");
    List<List<Object>> areas = ada.js(sizes);
    double boArea =
        areas.stream()
            .filter(x -> bo.equals(x.get(0)))
            .mapToDouble(x -> ((Number) x.get(1)).doubleValue())
            .sum();
    double ownArea =
        areas.stream()
            .filter(x -> "local".equals(x.get(0)))
            .mapToDouble(x -> ((Number) x.get(1)).doubleValue())
            .sum();
    assertThat(boArea)
        .as("the spotlighted tile is large, the other in a strip")
        .isGreaterThan(4 * ownArea);

    // Escape leaves the spotlight; focus stays on the button that set it.
    new Actions(ada.driver()).sendKeys(Keys.ESCAPE).perform();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(ada.find("#grid").getAttribute("data-spotlight")).isNull());
    assertThat(
            ada.<Boolean>js(
                "return document.activeElement.matches(arguments[0]);", remote + "button.spot"))
        .isTrue();

    // Full screen and picture in picture are the next two stops, each named.
    new Actions(ada.driver()).sendKeys(Keys.TAB).perform();
    assertThat(ada.<String>js("return document.activeElement.getAttribute('aria-label');"))
        .isEqualTo("Full screen: Bo");
    new Actions(ada.driver()).sendKeys(Keys.ENTER).perform();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(
                        ada.<String>js(
                            "return document.fullscreenElement && document.fullscreenElement.dataset.peer;"))
                    .isEqualTo(bo));
    ada.js("document.exitFullscreen();");
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> ada.<Boolean>js("return !document.fullscreenElement;"));
    ada.find(remote + "button.full").sendKeys(Keys.TAB);
    assertThat(ada.<String>js("return document.activeElement.getAttribute('aria-label');"))
        .isEqualTo("Picture in picture: Bo");
    new Actions(ada.driver()).sendKeys(Keys.ENTER).perform();
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(
            () ->
                assertThat(
                        ada.<String>js(
                            "const v = document.pictureInPictureElement; return v && v.closest('figure').dataset.peer;"))
                    .isEqualTo(bo));
  }
}
