package webcall;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import webcall.support.ChildProcess;
import webcall.support.PeerSocket;
import webcall.support.TestCertificate;

/**
 * The command lines as a user runs them: {@code webcall peerjs ...} (only the PeerJS server, with
 * the reference {@code peerjs} flags) and {@code webcall ...} (the call server, whose embedded
 * PeerJS server takes the same flags). Each run is a real JVM started with this test's class path
 * and stopped with SIGTERM.
 */
class PeerJsCommandIT {
  static final Pattern STARTED =
      Pattern.compile("^Started PeerServer on (\\S+), port: (\\d+), path: (\\S+)$");
  static final Pattern LISTENING = Pattern.compile("^webcall listening on http://\\S+:(\\d+)$");
  static final String OPEN = "{\"type\":\"OPEN\"}";
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  record Run(int code, String out, String err) {}

  /**
   * Runs the command line in this JVM, for what ends before a server starts (help, refused flags).
   */
  static Run inProcess(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        Main.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static HttpResponse<String> get(HttpClient client, URI uri, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static ChildProcess peerjs(Map<String, String> env, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "peerjs";
    System.arraycopy(args, 0, all, 1, args.length);
    return ChildProcess.start(
        ChildProcess.webcall(all), env, STARTED, Duration.ofSeconds(60), "webcall-peerjs");
  }

  @Test
  void helpListsEveryReferenceFlag() {
    Run help = inProcess("peerjs", "--help");
    assertThat(help.code()).isZero();
    for (String flag :
        new String[] {
          "--port", "--host", "--key", "--path", "--expire_timeout", "--alive_timeout",
              "--concurrent_limit",
          "--allow_discovery", "--proxied", "--sslkey", "--sslcert", "--cleanup_out_msgs", "--cors",
              "--help"
        }) {
      assertThat(help.out()).as(flag).contains(flag);
    }
    assertThat(help.out())
        .contains("-p, --port", "-k, --key", "-t, --expire_timeout", "-c, --concurrent_limit");
    // The call server lists the same PeerJS flags.
    Run main = inProcess("--help");
    assertThat(main.code()).isZero();
    assertThat(main.out())
        .contains(
            "peerjs",
            "--path",
            "--key",
            "--expire_timeout",
            "--alive_timeout",
            "--concurrent_limit")
        .contains("--allow_discovery", "--cleanup_out_msgs", "--proxied");
  }

  @Test
  void tlsNeedsBothTheKeyAndTheCertificate() throws Exception {
    String warning =
        "Warning: PeerServer will not run because either the key or the certificate has not been provided.";
    Run onlyKey = inProcess("peerjs", "--port", "0", "--sslkey", "key.pem");
    assertThat(onlyKey.code()).isEqualTo(1);
    assertThat(onlyKey.err()).contains(warning);
    Run onlyCert = inProcess("peerjs", "--port", "0", "--sslcert", "cert.pem");
    assertThat(onlyCert.code()).isEqualTo(1);
    assertThat(onlyCert.err()).contains(warning);
    Path junk = Files.createTempFile("webcall-not-a-key", ".pem");
    try {
      Files.writeString(junk, "not a PEM file");
      Run unreadable =
          inProcess(
              "peerjs", "--port", "0", "--sslkey", junk.toString(), "--sslcert", junk.toString());
      assertThat(unreadable.code()).isEqualTo(1);
      assertThat(unreadable.err())
          .contains("Cannot read the TLS key or certificate")
          .contains("PKCS#8");
    } finally {
      Files.delete(junk);
    }
  }

  @Test
  void aPortInUseIsAClearError() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Run run =
          inProcess(
              "peerjs", "--host", "127.0.0.1", "--port", Integer.toString(taken.getLocalPort()));
      assertThat(run.code()).isEqualTo(1);
      assertThat(run.err()).contains("Cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }

  @Test
  void aBadFlagValueIsAClearError() {
    Run bad = inProcess("peerjs", "--port", "0", "--concurrent_limit", "many");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--concurrent_limit").contains("many");
  }

  @Test
  void peerjsRunsOnlyThePeerJsServerWithTheGivenFlags() throws Exception {
    try (ChildProcess p =
        peerjs(
            Map.of(),
            "--port",
            "0",
            "--host",
            "127.0.0.1",
            "--key",
            "sesame",
            "--path",
            "/myapp",
            "--expire_timeout",
            "300",
            "--cleanup_out_msgs",
            "100",
            "--alive_timeout",
            "2000",
            "--concurrent_limit",
            "2",
            "--allow_discovery",
            "--proxied")) {
      assertThat(p.readyLine().group(1)).isEqualTo("127.0.0.1");
      assertThat(p.readyLine().group(3)).isEqualTo("/myapp");
      int port = Integer.parseInt(p.readyLine().group(2));
      String base = "http://127.0.0.1:" + port;

      assertThat(get(HTTP, URI.create(base + "/myapp")).body())
          .startsWith("{\"name\":\"PeerJS Server\"");
      assertThat(get(HTTP, URI.create(base + "/myapp/sesame/id")).body()).hasSize(36);
      // Only PeerJS: no call page, no Socket.IO.
      assertThat(get(HTTP, URI.create(base + "/")).statusCode()).isEqualTo(404);
      assertThat(get(HTTP, URI.create(base + "/some-room")).statusCode()).isEqualTo(404);
      assertThat(get(HTTP, URI.create(base + "/socket.io/?EIO=4&transport=polling")).statusCode())
          .isEqualTo(404);

      String ws = "ws://127.0.0.1:" + port + "/myapp/peerjs?key=sesame&token=t1&id=";
      try (PeerSocket wrongKey =
          PeerSocket.open(URI.create(ws.replace("sesame", "peerjs") + "W"))) {
        assertThat(wrongKey.nextText(10)).contains("Invalid key provided");
      }
      try (PeerSocket a = opened(ws + "A");
          PeerSocket b = opened(ws + "B");
          PeerSocket c = PeerSocket.open(URI.create(ws + "C"))) {
        // --concurrent_limit 2
        assertThat(c.nextText(10)).contains("Server has reached its concurrent user limit");
        // --allow_discovery
        HttpResponse<String> peers = get(HTTP, URI.create(base + "/myapp/sesame/peers"));
        assertThat(peers.statusCode()).isEqualTo(200);
        assertThat(peers.body()).contains("\"A\"", "\"B\"");
        // --expire_timeout 300
        long sent = System.nanoTime();
        a.send("{\"type\":\"OFFER\",\"dst\":\"NOBODY\",\"payload\":{}}");
        assertThat(a.nextText(10))
            .isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"NOBODY\",\"dst\":\"A\"}");
        assertThat(Duration.ofNanos(System.nanoTime() - sent)).isLessThan(Duration.ofSeconds(4));
        // --alive_timeout 2000: B sends HEARTBEATs and stays; A sends none and is dropped.
        for (int i = 0; i < 8 && !a.isClosed(); i++) {
          b.send("{\"type\":\"HEARTBEAT\"}");
          Thread.sleep(600); // heartbeats 600 ms apart, as a client's timer would send them
        }
        assertThat(a.nextText(10)).contains("No heartbeat received in time");
        assertThat(b.isClosed()).isFalse();
      }
      // --proxied: the client's address (in the log, and for the per-address limit) is the one the
      // proxy appended.
      try (PeerSocket viaProxy =
          PeerSocket.open(
              URI.create(ws + "P"), HTTP, "X-Forwarded-For", "198.51.100.7, 10.1.2.3")) {
        assertThat(viaProxy.nextText(10)).isEqualTo(OPEN);
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> p.stderrText().contains("peer=P addr=10.1.2.3"));
      assertThat(p.stop(Duration.ofSeconds(15))).as("exits on SIGTERM").isNotEqualTo(-1);
    }
  }

  @Test
  void peerjsTakesItsFlagsFromTheEnvironmentToo() throws Exception {
    try (ChildProcess p =
        peerjs(
            Map.of(
                "WEBCALL_PEERJS_KEY",
                "fromenv",
                "WEBCALL_PEERJS_PATH",
                "/envpath",
                "WEBCALL_HOST",
                "127.0.0.1"),
            "--port",
            "0")) {
      int port = Integer.parseInt(p.readyLine().group(2));
      assertThat(p.readyLine().group(3)).isEqualTo("/envpath");
      try (PeerSocket s =
          PeerSocket.open(
              URI.create("ws://127.0.0.1:" + port + "/envpath/peerjs?key=fromenv&id=E&token=t"))) {
        assertThat(s.nextText(10)).isEqualTo(OPEN);
      }
    }
  }

  @Test
  void peerjsWithoutAPathServesAtTheRootLikeTheReference() throws Exception {
    try (ChildProcess p = peerjs(Map.of(), "--port", "0", "--host", "127.0.0.1")) {
      int port = Integer.parseInt(p.readyLine().group(2));
      assertThat(p.readyLine().group(3)).isEqualTo("/");
      assertThat(get(HTTP, URI.create("http://127.0.0.1:" + port + "/")).body())
          .contains("PeerJS Server");
      try (PeerSocket s =
          PeerSocket.open(
              URI.create("ws://127.0.0.1:" + port + "/peerjs?key=peerjs&id=R&token=t"))) {
        assertThat(s.nextText(10)).isEqualTo(OPEN);
        // SIGTERM: connected clients are told the server is going away (1001), and the process
        // exits.
        assertThat(p.stop(Duration.ofSeconds(15))).as("a clean stop exits 0").isEqualTo(0);
        assertThat(s.closeCode(10)).isEqualTo(1001);
      }
    }
  }

  @Test
  void sslKeyAndCertServeHttpsAndWss() throws Exception {
    TestCertificate cert = TestCertificate.create(Path.of("target", "test-tls"));
    HttpClient tls =
        HttpClient.newBuilder()
            .sslContext(cert.clientContext())
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    try (ChildProcess p =
        peerjs(
            Map.of(),
            "--port",
            "0",
            "--host",
            "127.0.0.1",
            "--path",
            "/myapp",
            "--sslkey",
            cert.keyPem().toString(),
            "--sslcert",
            cert.certPem().toString())) {
      int port = Integer.parseInt(p.readyLine().group(2));
      HttpResponse<String> banner = get(tls, URI.create("https://127.0.0.1:" + port + "/myapp"));
      assertThat(banner.statusCode()).isEqualTo(200);
      assertThat(banner.body()).contains("PeerJS Server");
      assertThat(banner.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
      try (PeerSocket a =
              PeerSocket.open(
                  URI.create("wss://127.0.0.1:" + port + "/myapp/peerjs?key=peerjs&id=S1&token=t"),
                  tls);
          PeerSocket b =
              PeerSocket.open(
                  URI.create("wss://127.0.0.1:" + port + "/myapp/peerjs?key=peerjs&id=S2&token=t"),
                  tls)) {
        assertThat(a.nextText(10)).isEqualTo(OPEN);
        assertThat(b.nextText(10)).isEqualTo(OPEN);
        a.send("{\"type\":\"OFFER\",\"dst\":\"S2\",\"payload\":{\"over\":\"tls\"}}");
        assertThat(b.nextText(10))
            .isEqualTo(
                "{\"type\":\"OFFER\",\"src\":\"S1\",\"dst\":\"S2\",\"payload\":{\"over\":\"tls\"}}");
      }
      // Plain HTTP on the TLS port gets nowhere, and the server carries on.
      assertThat(
              org.assertj.core.api.Assertions.catchThrowable(
                  () -> get(HTTP, URI.create("http://127.0.0.1:" + port + "/myapp"))))
          .isNotNull();
      assertThat(get(tls, URI.create("https://127.0.0.1:" + port + "/myapp")).statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void theCallServerTakesTheSamePeerJsFlags() throws Exception {
    try (ChildProcess p =
        ChildProcess.start(
            ChildProcess.webcall(
                "--port",
                "0",
                "--host",
                "127.0.0.1",
                "--path",
                "/pj",
                "--key",
                "k2",
                "--allow_discovery",
                "--concurrent_limit",
                "1",
                "--expire_timeout",
                "300",
                "--cleanup_out_msgs",
                "100"),
            Map.of(),
            LISTENING,
            Duration.ofSeconds(60),
            "webcall")) {
      int port = Integer.parseInt(p.readyLine().group(1));
      String base = "http://127.0.0.1:" + port;
      assertThat(get(HTTP, URI.create(base + "/")).statusCode())
          .as("the call server's redirect")
          .isEqualTo(302);
      assertThat(get(HTTP, URI.create(base + "/pj")).body()).contains("PeerJS Server");
      String ws = "ws://127.0.0.1:" + port + "/pj/peerjs?key=k2&token=t&id=";
      try (PeerSocket a = opened(ws + "A");
          PeerSocket b = PeerSocket.open(URI.create(ws + "B"))) {
        assertThat(b.nextText(10)).contains("Server has reached its concurrent user limit");
        assertThat(get(HTTP, URI.create(base + "/pj/k2/peers")).body()).isEqualTo("[\"A\"]");
        a.send("{\"type\":\"OFFER\",\"dst\":\"NOBODY\",\"payload\":{}}");
        assertThat(a.nextText(4))
            .isEqualTo("{\"type\":\"EXPIRE\",\"src\":\"NOBODY\",\"dst\":\"A\"}");
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> p.stderrText().contains("event=peer-close"));
      assertThat(p.stop(Duration.ofSeconds(15))).as("exits on SIGTERM").isNotEqualTo(-1);
    }
  }

  /**
   * A PeerJS socket that has its OPEN: sockets opened one after the other register in that order,
   * so which one a concurrent limit refuses is never a race.
   */
  private static PeerSocket opened(String url) throws Exception {
    PeerSocket socket = PeerSocket.open(URI.create(url));
    assertThat(socket.nextText(10)).isEqualTo(OPEN);
    return socket;
  }
}
