package webcall.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import webcall.TestServer;

class HttpRouterIT {
  @RegisterExtension static final TestServer server = new TestServer();

  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.http(path)).GET();
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void rootRedirectsToANewRoomWithARelativeLocation() throws Exception {
    HttpResponse<String> first = get("/");
    HttpResponse<String> second = get("/");
    assertThat(first.statusCode()).isEqualTo(302);
    String location = first.headers().firstValue("Location").orElseThrow();
    assertThat(location)
        .matches("/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    assertThat(second.headers().firstValue("Location")).get().isNotEqualTo(location);
  }

  @Test
  void roomPageCarriesTheRoomInADataAttributeAndTheSecurityHeaders() throws Exception {
    HttpResponse<String> page = get("/team-standup_1");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("data-room=\"team-standup_1\"").doesNotContain("{{");
    assertThat(page.body()).doesNotContainPattern("<script>[^<]");
    assertThat(page.headers().firstValue("Content-Security-Policy"))
        .get()
        .asString()
        .contains("script-src 'self'")
        .contains("frame-ancestors 'none'")
        .doesNotContain("unsafe-inline");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
    assertThat(page.headers().firstValue("Permissions-Policy"))
        .hasValue("camera=(self), microphone=(self), display-capture=(self)");
  }

  @Test
  void roomIdsOutsideTheRuleGet404() throws Exception {
    assertThat(get("/" + "a".repeat(64)).statusCode()).isEqualTo(200);
    assertThat(get("/" + "a".repeat(65)).statusCode()).isEqualTo(404);
    assertThat(get("/bad%20room").statusCode()).isEqualTo(404);
    assertThat(get("/%3Cscript%3E").statusCode()).isEqualTo(404);
    assertThat(get("/a/b").statusCode()).isEqualTo(404);
    assertThat(get("/assets/../room.html").statusCode()).isEqualTo(404);
  }

  @Test
  void browserLibrariesAreServedFromTheJar() throws Exception {
    HttpResponse<String> peerjs = get("/vendor/peerjs.min.js");
    HttpResponse<String> io = get("/vendor/socket.io.min.js");
    assertThat(peerjs.statusCode()).isEqualTo(200);
    assertThat(peerjs.headers().firstValue("Content-Type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(peerjs.body()).contains("1.5.5");
    assertThat(io.statusCode()).isEqualTo(200);
    assertThat(io.body()).contains("Socket.IO v4.8.4");
    String etag = peerjs.headers().firstValue("ETag").orElseThrow();
    assertThat(get("/vendor/peerjs.min.js", "If-None-Match", etag).statusCode()).isEqualTo(304);
  }

  @Test
  void socketIoRefusesAForeignOriginBeforeAnyHandshake() throws Exception {
    String handshake = "/socket.io/?EIO=4&transport=polling";
    assertThat(get(handshake, "Origin", "http://evil.example").statusCode()).isEqualTo(403);
    String own = "http://127.0.0.1:" + server.port();
    HttpResponse<String> ok = get(handshake, "Origin", own);
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).startsWith("0{\"sid\":");
  }
}
