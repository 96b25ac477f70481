package webcall.socketio;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.JavascriptExecutor;
import webcall.TestServer;
import webcall.e2e.Browser;
import webcall.support.PageServer;

/**
 * A page on another site embeds webcall's signaling: the official socket.io-client, loaded from
 * webcall, connects from the page's origin. Polling is plain cross-origin XHR, so it works only if
 * the server answers with CORS headers for the origins the operator allowed ({@code
 * --allowed-origin}); the WebSocket needs the same Origin check. Any other origin gets neither.
 */
class CrossOriginIT {
  static final PageServer pages = PageServer.start();

  @RegisterExtension
  static final TestServer allowing =
      new TestServer(c -> c.withAllowedOrigins(List.of(pages.origin())));

  @RegisterExtension static final TestServer notAllowing = new TestServer();

  static Browser browser;

  @BeforeAll
  static void openTheOtherSitesPage() {
    browser = Browser.launch();
    browser.open(pages.origin() + "/index.html");
  }

  @AfterAll
  static void close() {
    if (browser != null) {
      browser.close();
    }
    pages.close();
  }

  /**
   * Connects with one transport, emits {@code join-room} for a peer that does not exist and waits
   * for the ack: the emit goes up (a POST on polling) and the refusal comes back (a GET), both
   * cross-origin.
   */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> connectAndAsk(TestServer server, String transport) {
    String base = "http://127.0.0.1:" + server.port();
    return (Map<String, Object>)
        ((JavascriptExecutor) browser.driver())
            .executeAsyncScript(
                """
                const [base, transport, done] = arguments;
                const go = () => {
                  const socket = io(base, {transports: [transport], reconnection: false, forceNew: true});
                  socket.on('connect_error', (e) => { socket.close(); done({connected: false, error: e.message}); });
                  socket.on('connect', () => socket.emit('join-room', 'cross-origin', 'nobody', {}, (reply) => {
                    socket.close();
                    done({connected: true, reply});
                  }));
                };
                if (window.io) { go(); return; }
                const script = document.createElement('script');
                script.src = base + '/vendor/socket.io.min.js';
                script.onload = go;
                script.onerror = () => done({connected: false, error: 'script'});
                document.head.append(script);
                """,
                base,
                transport);
  }

  @Test
  void anAllowedOriginConnectsAndTalksOverPolling() {
    Map<String, Object> result = connectAndAsk(allowing, "polling");
    assertThat(result).containsEntry("connected", true);
    assertThat((Map<String, Object>) result.get("reply"))
        .containsEntry("ok", false)
        .containsEntry("error", "bad-user");
  }

  @Test
  void anAllowedOriginConnectsOverWebSocket() {
    Map<String, Object> result = connectAndAsk(allowing, "websocket");
    assertThat(result).containsEntry("connected", true);
    assertThat((Map<String, Object>) result.get("reply")).containsEntry("ok", false);
  }

  @Test
  void anyOtherOriginIsRefusedOnBothTransports() {
    // The server's own socket.io.min.js loads (scripts are not subject to CORS), but no session
    // opens.
    assertThat(connectAndAsk(notAllowing, "polling")).containsEntry("connected", false);
    assertThat(connectAndAsk(notAllowing, "websocket")).containsEntry("connected", false);
  }
}
