package webcall.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import webcall.TestServer;
import webcall.rooms.RoomDirectory;

/**
 * A private room driven through the call page in headless Chromium: lock, password, knock, as
 * people use them.
 */
class PrivateRoomPageIT {
  @RegisterExtension static final TestServer server = new TestServer();

  private final List<Browser> browsers = new ArrayList<>();

  @AfterEach
  void closeBrowsers() {
    browsers.forEach(Browser::close);
    browsers.clear();
  }

  private Browser enter(String room, String name) {
    Browser b = Browser.launch();
    browsers.add(b);
    b.enter("http://127.0.0.1:" + server.port() + "/" + room, name);
    return b;
  }

  /** Waits until b plays the video of every one of {@code count} remote tiles. */
  private static void awaitVideo(Browser b, int count) {
    await()
        .atMost(Duration.ofSeconds(40))
        .pollInterval(Duration.ofMillis(300))
        .untilAsserted(
            () -> {
              List<Map<String, Object>> tiles = b.remoteTiles();
              assertThat(tiles).hasSize(count);
              assertThat(tiles)
                  .allSatisfy(t -> assertThat(((Number) t.get("width")).intValue()).isPositive());
            });
  }

  private static void awaitText(Browser b, String selector, String text) {
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(b.text(selector)).contains(text));
  }

  @Test
  void theHostLocksSetsAPasswordAndLetsAKnockerIn() {
    String room = "private-" + UUID.randomUUID();
    Browser host = enter(room, "Hana");
    awaitText(host, "#status", "Waiting for others");
    host.find("#btn-people").click();
    assertThat(host.find("#host-controls").isDisplayed())
        .as("the first in the room hosts")
        .isTrue();

    // Locked: the newcomer is told, and stays in the lobby.
    host.find("#host-lock").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> server.server().rooms().settings(room).locked());
    Browser guest = enter(room, "Gus");
    awaitText(guest, "#join-problem", "locked");
    assertThat(guest.find("#lobby").isDisplayed()).isTrue();
    assertThat(host.remoteTiles()).isEmpty();

    // Unlocked with a password: asked for it, then in, with video both ways.
    host.find("#host-lock").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !server.server().rooms().settings(room).locked());
    host.find("#host-password").sendKeys("tea for two");
    host.find("#host-password-set").click();
    awaitText(host, "#host-password-state", "password is set");
    assertThat(server.server().rooms().settings(room).password()).isTrue();
    guest.find("#join").click();
    awaitText(guest, "#join-problem", "needs a password");
    assertThat(guest.find("#room-password-input").isDisplayed()).isTrue();
    guest.find("#room-password-input").sendKeys("tea for two");
    guest.find("#join").click();
    awaitVideo(guest, 1);
    awaitVideo(host, 1);
    assertThat(host.text("#people")).contains("Gus");
    assertThat(host.find("#people button.remove").isDisplayed())
        .as("a remove button per participant")
        .isTrue();
    assertThat(guest.find("#host-controls").isDisplayed())
        .as("only the host has the controls")
        .isFalse();
    guest.close();
    browsers.remove(guest);

    // Ask to join: the knocker waits, the host admits it from the prompt, and the call starts.
    host.find("#host-password-clear").click();
    host.find("#host-knock").click();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                server
                    .server()
                    .rooms()
                    .settings(room)
                    .equals(new RoomDirectory.Settings(false, true, false)));
    awaitText(host, "#host-password-state", "No password");
    Browser knocker = enter(room, "Kit");
    awaitText(knocker, "#status", "Waiting for the host");
    awaitText(host, "#knocks", "Kit wants to join");
    assertThat(knocker.remoteTiles()).isEmpty();
    host.find("#knocks button[data-answer='admit']").click();
    awaitVideo(knocker, 1);
    awaitVideo(host, 1);
    assertThat(host.text("#knocks")).isEmpty();
  }
}
