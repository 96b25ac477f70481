package webcall.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import webcall.TestServer;
import webcall.config.ServerConfig;
import webcall.support.HttpConnection;

/**
 * The server over HTTPS with a generated certificate, plain HTTP sent to HTTPS, and certificates
 * made by OpenSSL.
 */
class HttpsServerIT {
  @TempDir static Path dataDir;
  static SelfSigned.Material cert;
  static TestServer server;
  static HttpClient https;

  @BeforeAll
  static void start() throws Exception {
    cert =
        SelfSigned.ensure(
            dataDir, Clock.systemUTC(), SelfSigned.hostNames(), SelfSigned.hostAddresses());
    ServerConfig base = ServerConfig.forLoopback();
    server = TestServer.of(base.withTls(new TlsOptions(cert.cert(), cert.key(), 0, false))).start();
    https = Https.trusting(cert.cert());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static URI url(String path) {
    return server.http(path);
  }

  @Test
  void pagesAndApiAreServedOverTlsWithTheGeneratedCertificate() throws Exception {
    HttpResponse<String> root =
        https.send(HttpRequest.newBuilder(url("/")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(root.statusCode()).isEqualTo(302);
    HttpResponse<String> page =
        https.send(
            HttpRequest.newBuilder(url("/tls-room")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("data-room=\"tls-room\"");
    assertThat(page.sslSession())
        .get()
        .satisfies(
            s ->
                assertThat(s.getPeerCertificates()[0])
                    .isEqualTo(Certificates.read(cert.cert()).get(0)));
    HttpResponse<String> ice =
        https.send(
            HttpRequest.newBuilder(url("/api/ice")).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(ice.statusCode()).isEqualTo(200);
  }

  @Test
  void aClientThatDoesNotTrustTheCertificateIsRefused() {
    assertThatThrownBy(
            () ->
                HttpClient.newHttpClient()
                    .send(
                        HttpRequest.newBuilder(url("/")).build(),
                        HttpResponse.BodyHandlers.ofString()))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void theGeneratedCertificateNamesThisHostAndOpenSslAgreesOnItsFingerprint() throws Exception {
    String text =
        Https.run(
            "openssl",
            "x509",
            "-in",
            cert.cert().toString(),
            "-noout",
            "-fingerprint",
            "-sha256",
            "-ext",
            "subjectAltName,basicConstraints,extendedKeyUsage",
            "-dates");
    String fingerprint = Certificates.sha256Fingerprint(Certificates.read(cert.cert()).get(0));
    assertThat(text)
        .containsIgnoringCase("Fingerprint=" + fingerprint)
        .contains("DNS:localhost")
        .contains("IP Address:127.0.0.1")
        .contains("CA:FALSE")
        .contains("TLS Web Server Authentication");
    assertThat(Files.getPosixFilePermissions(cert.key()))
        .containsExactlyInAnyOrder(
            java.nio.file.attribute.PosixFilePermission.OWNER_READ,
            java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    // Once per install: asking again keeps the same certificate.
    SelfSigned.Material again =
        SelfSigned.ensure(dataDir, Clock.systemUTC(), Set.of("localhost"), Set.of());
    assertThat(again.created()).isFalse();
    assertThat(Files.readString(again.cert())).isEqualTo(Files.readString(cert.cert()));
  }

  @Test
  void plainHttpToTheHttpsPortIsRedirectedToHttps() throws Exception {
    int port = server.port();
    String res =
        Https.plain(port, "GET /some-room?x=1 HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
    assertThat(res)
        .startsWith("HTTP/1.1 308 ")
        .containsIgnoringCase("location: https://127.0.0.1:" + port + "/some-room?x=1\r\n")
        .containsIgnoringCase("cache-control: no-store");
    // Socket.IO too: nothing is served in the clear.
    String io =
        Https.plain(
            port,
            "GET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\n\r\n");
    assertThat(io).startsWith("HTTP/1.1 308 ");
  }

  @Test
  void theRedirectListenerSendsEveryRequestToTheHttpsPort() throws Exception {
    int port = server.server().redirectAddress().getPort();
    int httpsPort = server.port();
    String res =
        Https.plain(port, "GET /team?lang=en HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\n\r\n");
    assertThat(res)
        .startsWith("HTTP/1.1 308 ")
        .containsIgnoringCase("location: https://127.0.0.1:" + httpsPort + "/team?lang=en\r\n");
    String named = Https.plain(port, "GET / HTTP/1.1\r\nHost: calls.example.org\r\n\r\n");
    assertThat(named)
        .containsIgnoringCase("location: https://calls.example.org:" + httpsPort + "/\r\n");
    // A Host that is not a plain host[:port] gets no redirect at all.
    for (String host : new String[] {"evil.example/path", "a b", "@x", ""}) {
      assertThat(Https.plain(port, "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n"))
          .as(host)
          .startsWith("HTTP/1.1 400 ")
          .doesNotContainIgnoringCase("location:");
    }
  }

  @Test
  void theRedirectListenerRefusesAmbiguousFramingAndCloses() throws Exception {
    int port = server.server().redirectAddress().getPort();
    try (HttpConnection c = HttpConnection.open(port)) {
      c.write(
          "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
              + "GET /next HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      HttpConnection.Response res = c.read();
      assertThat(res.status()).isEqualTo(400);
      assertThat(c.closedByServerWithin(Duration.ofSeconds(3))).isTrue();
    }
  }

  /**
   * The redirect port is a way in too: its connections count against the same per-address cap as
   * the main port's.
   */
  @Test
  void theRedirectListenerSharesThePerAddressConnectionCap() throws Exception {
    int cap = ServerConfig.forLoopback().peerjs().limits().connectionsPerAddress();
    int port = server.server().redirectAddress().getPort();
    // Other tests' HTTP client may keep a connection of its own to the main port open: it counts
    // too.
    int before = server.server().connectionLimit().openByAddress().getOrDefault("127.0.0.1", 0);
    List<HttpConnection> held = new ArrayList<>();
    try {
      for (int i = before; i < cap; i++) {
        held.add(HttpConnection.open(port));
      }
      // Others' connections may close meanwhile: top up until the count is at the cap (one that
      // comes in over it is
      // refused and harmless).
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                int open =
                    server.server().connectionLimit().openByAddress().getOrDefault("127.0.0.1", 0);
                if (open < cap) {
                  held.add(HttpConnection.open(port));
                }
                return open == cap;
              });
      try (HttpConnection over = HttpConnection.open(port)) {
        assertThat(over.closedByServerWithin(Duration.ofSeconds(3))).isTrue();
      }
      try (HttpConnection overMain = HttpConnection.open(server.port())) {
        assertThat(overMain.closedByServerWithin(Duration.ofSeconds(3))).isTrue();
      }
      // The held ones still work.
      held.get(0).write("GET /room HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      assertThat(held.get(0).read().status()).isEqualTo(308);
    } finally {
      for (HttpConnection c : held) {
        c.close();
      }
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                server.server().connectionLimit().openByAddress().getOrDefault("127.0.0.1", 0)
                    <= before);
  }

  @Test
  void socketIoAcceptsOnlyTheHttpsOriginOfThisServer() throws Exception {
    int port = server.port();
    HttpResponse<String> same =
        https.send(
            HttpRequest.newBuilder(url("/socket.io/?EIO=4&transport=polling"))
                .header("Origin", "https://127.0.0.1:" + port)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(same.statusCode()).isEqualTo(200);
    HttpResponse<String> plainOrigin =
        https.send(
            HttpRequest.newBuilder(url("/socket.io/?EIO=4&transport=polling"))
                .header("Origin", "http://127.0.0.1:" + port)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(plainOrigin.statusCode()).isEqualTo(403);
  }

  /**
   * Socket.IO's messages travel in POST bodies (polling) and frames (WebSocket): both must survive
   * TLS.
   */
  @Test
  void socketIoConnectsOverTlsWithEitherTransport() throws Exception {
    X509Certificate c = Certificates.read(cert.cert()).get(0);
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    ks.setCertificateEntry("webcall", c);
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    X509TrustManager trust = (X509TrustManager) tmf.getTrustManagers()[0];
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, new TrustManager[] {trust}, null);
    OkHttpClient ok =
        new OkHttpClient.Builder().sslSocketFactory(ctx.getSocketFactory(), trust).build();
    for (String transport : List.of("polling", "websocket")) {
      IO.Options o = new IO.Options();
      o.callFactory = ok;
      o.webSocketFactory = ok;
      o.forceNew = true;
      o.reconnection = false;
      o.transports = new String[] {transport};
      Socket socket = IO.socket(url("/").toString(), o);
      try {
        CompletableFuture<String> connected = new CompletableFuture<>();
        socket.once(Socket.EVENT_CONNECT, args -> connected.complete(socket.id()));
        socket.once(
            Socket.EVENT_CONNECT_ERROR,
            args -> connected.completeExceptionally(new AssertionError(args[0])));
        socket.connect();
        assertThat(connected.orTimeout(10, TimeUnit.SECONDS).join()).as(transport).isNotBlank();
      } finally {
        socket.close();
      }
    }
    ok.dispatcher().executorService().shutdown();
    ok.connectionPool().evictAll();
  }

  /** A browser on polling pays one TLS handshake per connection, not one per poll. */
  @Test
  void pollsReuseOneTlsConnection() throws Exception {
    String handshake = "/socket.io/?EIO=4&transport=polling";
    try (HttpConnection tls =
        HttpConnection.open(Https.trustingContext(cert.cert()), server.port())) {
      SSLSession session = ((SSLSocket) tls.socket()).getSession();
      HttpConnection.Response open = tls.exchange("GET", handshake, null);
      assertThat(open.body()).startsWith("0{\"sid\":\"");
      String sid = open.body().substring(9, 45);
      assertThat(tls.exchange("POST", handshake + "&sid=" + sid, "40").body()).isEqualTo("ok");
      HttpConnection.Response connected = tls.exchange("GET", handshake + "&sid=" + sid, null);
      assertThat(connected.body()).startsWith("40{\"sid\":");
      assertThat(connected.header("Connection")).isEqualToIgnoringCase("keep-alive");
      assertThat(tls.closedByServerWithin(Duration.ofMillis(300))).isFalse();
      assertThat(((SSLSocket) tls.socket()).getSession()).as("no new handshake").isSameAs(session);
    }
  }

  @Test
  void certificatesMadeByOpenSslWorkIncludingAnEcKeyInSec1Form(@TempDir Path dir) throws Exception {
    Path key = dir.resolve("key.pem");
    Path crt = dir.resolve("cert.pem");
    Https.run(
        "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
    assertThat(Files.readString(key))
        .contains("BEGIN EC PRIVATE KEY"); // not PKCS#8: BouncyCastle reads it
    Https.run(
        "openssl",
        "req",
        "-new",
        "-x509",
        "-key",
        key.toString(),
        "-out",
        crt.toString(),
        "-days",
        "2",
        "-subj",
        "/CN=localhost",
        "-addext",
        "subjectAltName=IP:127.0.0.1");
    ServerConfig base = ServerConfig.forLoopback();
    try (TestServer s =
        TestServer.of(base.withTls(new TlsOptions(crt, key, TlsOptions.OFF, false))).start()) {
      HttpResponse<String> res =
          Https.trusting(crt)
              .send(
                  HttpRequest.newBuilder(s.http("/x")).build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(res.statusCode()).isEqualTo(200);
    }
    // A key that does not belong to the certificate is refused at start, naming both files.
    Path other = dir.resolve("other.pem");
    Https.run(
        "openssl",
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        other.toString());
    assertThatThrownBy(
            () ->
                TestServer.of(base.withTls(new TlsOptions(crt, other, TlsOptions.OFF, false)))
                    .start())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(crt.toString())
        .hasMessageContaining(other.toString());
  }
}
