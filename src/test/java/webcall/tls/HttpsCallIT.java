package webcall.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import webcall.TestServer;
import webcall.config.ServerConfig;
import webcall.e2e.Browser;

/**
 * A call over HTTPS with the generated certificate, opened by a name that is not localhost
 * (Chromium maps it to 127.0.0.1), so that only HTTPS makes the page a secure context where the
 * camera may start. Chromium is told to accept exactly this certificate by the SHA-256 of its
 * public key, as a person would after checking the fingerprint.
 */
class HttpsCallIT {
  static final String HOST = "webcall.test";
  @TempDir static Path dataDir;
  static TestServer server;
  static String spki;
  final List<Browser> browsers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    SelfSigned.Material cert =
        SelfSigned.ensure(
            dataDir, Clock.systemUTC(), SelfSigned.hostNames(), SelfSigned.hostAddresses());
    spki = Certificates.spkiSha256(Certificates.read(cert.cert()).get(0));
    ServerConfig base = ServerConfig.forLoopback();
    server = TestServer.of(base.withTls(new TlsOptions(cert.cert(), cert.key(), 0, false))).start();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @AfterEach
  void closeBrowsers() {
    browsers.forEach(Browser::close);
    browsers.clear();
  }

  Browser browser() {
    Browser b =
        Browser.launch(
            "--host-resolver-rules=MAP " + HOST + " 127.0.0.1",
            "--ignore-certificate-errors-spki-list=" + spki);
    browsers.add(b);
    return b;
  }

  /** The English text the page shows for a key, from the jar's own translations. */
  static String english(String key) throws Exception {
    try (var in = HttpsCallIT.class.getResourceAsStream("/static/assets/i18n/en.json")) {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(in).get(key).asText();
    }
  }

  @Test
  void overPlainHttpByANameThatIsNotLocalhostThePageSaysWhyTheCameraCannotStart() throws Exception {
    String explanation = english("insecure");
    assertThat(explanation).contains("HTTPS");
    ServerConfig base = ServerConfig.forLoopback();
    try (TestServer plain = TestServer.of(base).start()) {
      Browser b = browser();
      b.open("http://" + HOST + ":" + plain.port() + "/tls-" + UUID.randomUUID());
      await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> b.text("#media-problem").equals(explanation));
      assertThat((Boolean) b.js("return window.isSecureContext")).isFalse();
    }
    // The same page over HTTPS has no such problem.
    Browser secure = browser();
    secure.open("https://" + HOST + ":" + server.port() + "/tls-" + UUID.randomUUID());
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () ->
                (Boolean)
                    secure.js(
                        "return !!document.getElementById('join') && !document.getElementById('join').disabled"));
    assertThat(secure.text("#media-problem")).isEmpty();
  }

  static boolean playing(Browser b) {
    List<Map<String, Object>> tiles = b.remoteTiles();
    return tiles.size() == 1 && ((Number) tiles.get(0).get("width")).intValue() > 0;
  }

  @Test
  void twoPagesJoinACallOverHttpsOneThroughTheHttpRedirect() {
    String room = "/tls-" + UUID.randomUUID();
    Browser a = browser();
    a.enter("https://" + HOST + ":" + server.port() + room, "Ada");
    Browser b = browser();
    // Typed as plain http:// on the redirect port: the browser lands on the HTTPS page.
    b.open("http://" + HOST + ":" + server.server().redirectAddress().getPort() + room);
    assertThat(b.driver().getCurrentUrl())
        .isEqualTo("https://" + HOST + ":" + server.port() + room);
    b.joinCall("Grace");

    for (Browser page : List.of(a, b)) {
      assertThat((Boolean) page.js("return window.isSecureContext")).isTrue();
      await()
          .atMost(Duration.ofSeconds(40))
          .pollInterval(Duration.ofMillis(500))
          .until(() -> playing(page));
      double t0 = ((Number) page.remoteTiles().get(0).get("time")).doubleValue();
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(300))
          .until(() -> ((Number) page.remoteTiles().get(0).get("time")).doubleValue() > t0);
      // Our own camera started: only possible in a secure context.
      assertThat(
              (Long)
                  page.js(
                      "const s = window.webcall.media.stream;"
                          + " return s ? s.getVideoTracks().filter(t => t.readyState === 'live').length : 0;"))
          .isEqualTo(1L);
    }
  }
}
