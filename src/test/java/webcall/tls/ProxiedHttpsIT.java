package webcall.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import webcall.TestServer;

/**
 * Behind a TLS-terminating proxy (--proxied): X-Forwarded-Proto decides redirects and which origin
 * is ours.
 */
class ProxiedHttpsIT {
  @RegisterExtension
  static final TestServer forced =
      new TestServer(c -> c.withProxied(true).withTls(TlsOptions.off().withForceHttps(true)));

  @RegisterExtension static final TestServer notForced = new TestServer(c -> c.withProxied(true));

  private final HttpClient http =
      HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

  HttpResponse<String> get(TestServer server, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(server.http(path));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void withForceHttpsWhatReachedTheProxyOverHttpIsRedirected() throws Exception {
    HttpResponse<String> plain =
        get(
            forced,
            "/team?x=1",
            "X-Forwarded-Proto",
            "http",
            "X-Forwarded-Host",
            "calls.example.org");
    assertThat(plain.statusCode()).isEqualTo(308);
    assertThat(plain.headers().firstValue("Location"))
        .hasValue("https://calls.example.org/team?x=1");

    HttpResponse<String> secure =
        get(forced, "/team", "X-Forwarded-Proto", "https", "X-Forwarded-Host", "calls.example.org");
    assertThat(secure.statusCode()).isEqualTo(200);
    assertThat(secure.body()).contains("data-room=\"team\"");
  }

  @Test
  void withoutForceHttpsNothingIsRedirected() throws Exception {
    assertThat(get(notForced, "/team", "X-Forwarded-Proto", "http").statusCode()).isEqualTo(200);
  }

  @Test
  void theOriginMustHaveTheSchemeTheProxyReports() throws Exception {
    String handshake = "/socket.io/?EIO=4&transport=polling";
    assertThat(
            get(
                    notForced,
                    handshake,
                    "X-Forwarded-Proto",
                    "https",
                    "X-Forwarded-Host",
                    "calls.example.org",
                    "Origin",
                    "https://calls.example.org")
                .statusCode())
        .isEqualTo(200);
    assertThat(
            get(
                    notForced,
                    handshake,
                    "X-Forwarded-Proto",
                    "https",
                    "X-Forwarded-Host",
                    "calls.example.org",
                    "Origin",
                    "http://calls.example.org")
                .statusCode())
        .isEqualTo(403);
    assertThat(
            get(
                    notForced,
                    handshake,
                    "X-Forwarded-Proto",
                    "http",
                    "X-Forwarded-Host",
                    "calls.example.org",
                    "Origin",
                    "http://calls.example.org")
                .statusCode())
        .isEqualTo(200);
  }
}
