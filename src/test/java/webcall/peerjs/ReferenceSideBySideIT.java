package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import webcall.PeerJsState;
import webcall.TestServer;
import webcall.support.ChildProcess;
import webcall.support.PeerSocket;
import webcall.support.RawWs;
import webcall.support.ReferenceNode;

/**
 * Side by side with the reference: the same client script runs against the reference PeerJS server
 * (the {@code peer} 1.0.2 package the original Node system uses, started as {@code peerjs --key
 * peerjs --path /peerjs}) and against webcall's, standalone ({@code --path /peerjs}) and inside the
 * call server, and what a client observes must be the same: status lines, content types, CORS
 * headers, bodies (ids reduced to their shape) and every WebSocket frame in order. Left out are the
 * cases where webcall differs on purpose (docs/peerjs-protocol.md): close codes, rejected ids,
 * malformed frames (they crash this reference), client-sent EXPIRE, same-token takeover, limits.
 */
class ReferenceSideBySideIT {
  static final Pattern UUID_V4 =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  static final String BASE = "/peerjs";

  /**
   * HTTP/1.1 only, as browsers speak to a plain-http server: the JDK's h2c upgrade offer makes the
   * reference's ws answer 400.
   */
  static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  /** One PeerJS server under comparison; all three serve PeerJS at /peerjs with key "peerjs". */
  record Server(String name, int port) {
    URI http(String path) {
      return URI.create("http://127.0.0.1:" + port + path);
    }

    URI ws(String query) {
      return URI.create("ws://127.0.0.1:" + port + BASE + "/peerjs?" + query);
    }
  }

  interface Script {
    void run(Server s, List<String> out) throws Exception;
  }

  static ChildProcess referenceProcess;
  static PeerJsServer standaloneServer;
  static TestServer callServer;
  static Server reference;
  static Server standalone;
  static Server embedded;

  @BeforeAll
  static void start() throws IOException {
    Files.deleteIfExists(Path.of("target", "side-by-side", "reference-transcripts.txt"));
    referenceProcess = ReferenceNode.start(BASE);
    reference = new Server("reference", ReferenceNode.port(referenceProcess));
    // The reference's defaults: expire 5 s, sweep 1 s.
    standaloneServer =
        new PeerJsServer(
            "127.0.0.1",
            0,
            PeerJsState.inMemory(PeerJsOptions.defaults(BASE), PeerJsMetrics.none()),
            null,
            false);
    standalone = new Server("webcall peerjs", standaloneServer.start().getPort());
    callServer = new TestServer().start();
    embedded = new Server("webcall (embedded)", callServer.port());
    assertThat(callServer.server().config().peerjs().path()).isEqualTo(BASE);
  }

  @AfterAll
  static void stop() {
    if (callServer != null) {
      callServer.close();
    }
    if (standaloneServer != null) {
      standaloneServer.close();
    }
    if (referenceProcess != null) {
      referenceProcess.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> webcallAgreesWithTheReference() {
    return scripts().entrySet().stream()
        .map(
            e ->
                DynamicTest.dynamicTest(
                    e.getKey(),
                    () -> {
                      List<String> expected = transcript(reference, e.getValue());
                      assertThat(expected).as("the reference's transcript").isNotEmpty();
                      keep(e.getKey(), expected);
                      assertThat(transcript(standalone, e.getValue()))
                          .as(standalone.name())
                          .isEqualTo(expected);
                      assertThat(transcript(embedded, e.getValue()))
                          .as(embedded.name())
                          .isEqualTo(expected);
                    }));
  }

  /** Keeps the reference's transcripts in target/ for whoever reads a failure. */
  static void keep(String name, List<String> transcript) throws IOException {
    Path file = Path.of("target", "side-by-side", "reference-transcripts.txt");
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        "## " + name + "\n" + String.join("\n", transcript) + "\n\n",
        StandardOpenOption.CREATE,
        StandardOpenOption.APPEND);
  }

  static List<String> transcript(Server s, Script script) throws Exception {
    List<String> out = new ArrayList<>();
    script.run(s, out);
    return out;
  }

  // ------------------------------------------------------------------------------------------- the
  // client script

  static Map<String, Script> scripts() {
    Map<String, Script> m = new LinkedHashMap<>();

    m.put(
        "banner",
        (s, out) -> {
          http(s, out, "GET", BASE);
          http(s, out, "GET", BASE + "/");
        });

    m.put(
        "id: a fresh uuid, any key, lenient routing",
        (s, out) -> {
          http(s, out, "GET", BASE + "/peerjs/id?ts=17954821846990.83&version=1.5.5");
          http(s, out, "GET", BASE + "/anykey/id");
          http(s, out, "GET", BASE.toUpperCase(Locale.ROOT) + "/PEERJS/ID/");
        });

    m.put("peers without allow_discovery", (s, out) -> http(s, out, "GET", BASE + "/peerjs/peers"));

    m.put(
        "cors",
        (s, out) -> {
          http(s, out, "GET", BASE + "/peerjs/id", "Origin", "http://page.example:8080");
          http(
              s,
              out,
              "OPTIONS",
              BASE + "/peerjs/id",
              "Origin",
              "http://page.example",
              "Access-Control-Request-Method",
              "GET",
              "Access-Control-Request-Headers",
              "x-custom");
          // A 404 under the base gets CORS headers too (its body is Express's own page there: not
          // compared).
          corsOnly(s, out, BASE + "/peerjs/nothing-here", "http://page.example");
        });

    m.put(
        "not found",
        (s, out) -> {
          statusOnly(s, out, BASE + "/peerjs/unknown");
          statusOnly(s, out, BASE + "/peerjs");
          statusOnly(s, out, BASE + "/peerjs/id/extra");
        });

    m.put(
        "websocket path is exact",
        (s, out) -> {
          for (String path :
              new String[] {BASE + "/peerjs/", BASE + "/PEERJS", BASE + "/peerjs/id"}) {
            out.add(path + " upgrade -> " + upgradeStatus(s, path + "?key=peerjs&id=wp&token=t"));
          }
        });

    m.put(
        "handshake errors",
        (s, out) -> {
          for (String q :
              new String[] {
                "key=peerjs&id=he1", "key=peerjs&token=t", "id=he1&token=t", "key=&id=he1&token=t",
                "key=peerjs&id=&token=t", "key=nope&id=he1&token=t", "key=nope&id=he1",
                    "key=PEERJS&id=he1&token=t"
              }) {
            try (Sock c = Sock.connect(s, q)) {
              out.add(q);
              c.next(out);
              c.closed(out);
            }
          }
        });

    m.put(
        "open, and an id held with another token",
        (s, out) -> {
          try (Sock a = Sock.open(s, "ta1", "tokA", out);
              Sock b = Sock.open(s, "ta2", "tokB", out)) {
            try (Sock thief = Sock.connect(s, "key=peerjs&id=ta1&token=other")) {
              thief.next(out);
              thief.closed(out);
            }
            b.send("{\"type\":\"OFFER\",\"dst\":\"ta1\",\"payload\":{\"still\":\"here\"}}");
            a.next(out);
          }
        });

    m.put(
        "relay with the server's src and only four fields",
        (s, out) -> {
          try (Sock a = Sock.open(s, "rl1", "t", out);
              Sock b = Sock.open(s, "rl2", "t", out)) {
            a.send(
                "{\"type\":\"OFFER\",\"src\":\"MALLORY\",\"dst\":\"rl2\",\"extra\":true,"
                    + "\"payload\":{\"sdp\":{\"type\":\"offer\",\"sdp\":\"v=0\"},\"type\":\"data\",\"connectionId\":\"dc_1\"}}");
            b.next(out);
            b.send("{\"payload\":null,\"dst\":\"rl1\",\"type\":\"ANSWER\"}");
            a.next(out);
            a.send("{\"type\":\"CANDIDATE\",\"dst\":\"rl2\"}");
            b.next(out);
            a.send("{\"type\":\"CANDIDATE\",\"dst\":\"rl1\",\"payload\":[1,\"two\",{\"3\":null}]}");
            a.next(out);
            a.send("{\"type\":\"LEAVE\",\"dst\":\"rl2\"}");
            b.next(out);
            a.sendBinary("{\"type\":\"OFFER\",\"dst\":\"rl2\",\"payload\":\"sent as binary\"}");
            b.next(out);
          }
        });

    m.put(
        "what is not relayed",
        (s, out) -> {
          try (Sock a = Sock.open(s, "nr1", "t", out);
              Sock b = Sock.open(s, "nr2", "t", out)) {
            for (String type :
                new String[] {
                  "HEARTBEAT", "OPEN", "ID-TAKEN", "ERROR", "INVALID-KEY", "FOO", "offer", ""
                }) {
              a.send("{\"type\":\"" + type + "\",\"dst\":\"nr2\",\"payload\":{\"msg\":\"x\"}}");
            }
            a.send("{}");
            a.send("[]");
            a.send("{\"dst\":\"nr2\"}");
            a.send("{\"type\":\"LEAVE\",\"dst\":\"NOBODY\"}");
            a.send("{\"type\":\"OFFER\"}");
            a.send("{\"type\":\"OFFER\",\"dst\":\"\"}");
            a.send("{\"type\":\"OFFER\",\"dst\":null}");
            a.send("{\"type\":\"OFFER\",\"dst\":\"nr2\",\"payload\":\"marker\"}");
            b.next(out); // the marker, and nothing before it
            a.send("{\"type\":\"OFFER\",\"dst\":\"nr1\",\"payload\":\"marker\"}");
            a.next(out); // nothing came back to the sender either
          }
        });

    m.put(
        "queued for a peer that connects later, delivered after OPEN in order",
        (s, out) -> {
          try (Sock a = Sock.open(s, "qd1", "t", out)) {
            a.send("{\"type\":\"OFFER\",\"dst\":\"qd2\",\"payload\":1}");
            a.send("{\"type\":\"CANDIDATE\",\"dst\":\"qd2\",\"payload\":2}");
            a.send("{\"type\":\"CANDIDATE\",\"dst\":\"qd2\",\"payload\":3}");
            a.send("{\"type\":\"OFFER\",\"dst\":\"qd1\",\"payload\":\"sync\"}");
            a.next(out); // the server has read the three before C connects
            try (Sock c = Sock.connect(s, "key=peerjs&id=qd2&token=t")) {
              for (int i = 0; i < 4; i++) {
                c.next(out);
              }
            }
          }
        });

    m.put(
        "EXPIRE once per sender when the peer never comes",
        (s, out) -> {
          try (Sock a = Sock.open(s, "ex1", "t", out);
              Sock b = Sock.open(s, "ex2", "t", out)) {
            a.send("{\"type\":\"OFFER\",\"dst\":\"exNobody\",\"payload\":1}");
            a.send("{\"type\":\"CANDIDATE\",\"dst\":\"exNobody\",\"payload\":2}");
            b.send("{\"type\":\"OFFER\",\"dst\":\"exNobody\",\"payload\":3}");
            a.next(out);
            b.next(out);
            a.send("{\"type\":\"OFFER\",\"dst\":\"ex1\",\"payload\":\"marker\"}");
            a.next(out); // the marker: no second EXPIRE
            try (Sock late = Sock.open(s, "exNobody", "t", out)) {
              late.send("{\"type\":\"OFFER\",\"dst\":\"exNobody\",\"payload\":\"marker\"}");
              late.next(out); // the late peer got only OPEN
            }
          }
        });

    m.put(
        "reconnect with the same id and token after closing",
        (s, out) -> {
          Sock first = Sock.open(s, "rc1", "tok", out);
          first.close();
          Thread.sleep(500); // let the server see the close first: the reference sends no OPEN to a
          // re-attach
          try (Sock again = Sock.open(s, "rc1", "tok", out)) {
            out.add("open again");
          }
        });

    m.put(
        "ids and query parameters",
        (s, out) -> {
          String spaced = URLEncoder.encode("id with-dash_and space", StandardCharsets.UTF_8);
          try (Sock a =
                  Sock.connect(s, "key=peerjs&id=" + spaced + "&token=t&version=1.5.5&extra=1");
              Sock b = Sock.connect(s, "key=peerjs&id=ip1&id=ip2&token=t")) {
            a.next(out);
            b.next(out);
            a.send("{\"type\":\"OFFER\",\"dst\":\"ip2\",\"payload\":\"the last id wins\"}");
            b.next(out);
            b.send("{\"type\":\"OFFER\",\"dst\":\"id with-dash_and space\",\"payload\":\"back\"}");
            a.next(out);
          }
        });

    m.put(
        "two sockets race for one new id: one OPEN, one ID-TAKEN",
        (s, out) -> {
          try (Sock x = Sock.connect(s, "key=peerjs&id=race&token=one");
              Sock y = Sock.connect(s, "key=peerjs&id=race&token=two")) {
            List<String> got = new ArrayList<>();
            x.next(got);
            y.next(got);
            got.replaceAll(line -> line.substring(line.indexOf('<')));
            out.addAll(new TreeSet<>(got));
          }
        });

    return m;
  }

  // -------------------------------------------------------------------------------------------
  // observing

  static void http(Server s, List<String> out, String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(s.http(path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    HttpResponse<String> res = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    out.add(method + " " + path + " -> " + res.statusCode());
    for (String h :
        new String[] {
          "content-type",
          "access-control-allow-origin",
          "access-control-allow-methods",
          "access-control-allow-headers"
        }) {
      res.headers().firstValue(h).ifPresent(v -> out.add("  " + h + ": " + v));
    }
    TreeSet<String> vary = new TreeSet<>();
    res.headers()
        .allValues("vary")
        .forEach(
            v ->
                Arrays.stream(v.split(","))
                    .map(x -> x.trim().toLowerCase(Locale.ROOT))
                    .forEach(vary::add));
    out.add("  vary: " + vary);
    out.add("  body: " + UUID_V4.matcher(res.body()).replaceAll("<uuid>"));
  }

  static void corsOnly(Server s, List<String> out, String path, String origin) throws Exception {
    HttpResponse<String> res =
        HTTP.send(
            HttpRequest.newBuilder(s.http(path))
                .header("Origin", origin)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    out.add("GET " + path + " -> " + res.statusCode());
    out.add(
        "  access-control-allow-origin: "
            + res.headers().firstValue("access-control-allow-origin").orElse("-"));
  }

  static void statusOnly(Server s, List<String> out, String path) throws Exception {
    HttpResponse<String> res =
        HTTP.send(
            HttpRequest.newBuilder(s.http(path)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
    out.add("GET " + path + " -> " + res.statusCode());
  }

  /** The status line the server answers a WebSocket upgrade on {@code pathAndQuery} with. */
  static String upgradeStatus(Server s, String pathAndQuery) throws IOException {
    try (Socket sock = new Socket("127.0.0.1", s.port())) {
      sock.setSoTimeout(10_000);
      sock.getOutputStream()
          .write(
              ("GET "
                      + pathAndQuery
                      + " HTTP/1.1\r\nHost: 127.0.0.1:"
                      + s.port()
                      + "\r\nUpgrade: websocket\r\n"
                      + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                      + "Sec-WebSocket-Version: 13\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      InputStream in = sock.getInputStream();
      String head = RawWs.readHead(in);
      return head.substring(0, head.indexOf("\r\n"));
    }
  }

  /** A WebSocket whose received frames go into the transcript. */
  static final class Sock implements AutoCloseable {
    private final PeerSocket ws;
    private final String name;

    private Sock(PeerSocket ws, String name) {
      this.ws = ws;
      this.name = name;
    }

    static Sock connect(Server s, String query) {
      String id = "(no id)";
      for (String param : query.split("&")) {
        if (param.startsWith("id=")) {
          id = param.substring(3); // the last one, as the server reads it
        }
      }
      return new Sock(PeerSocket.open(s.ws(query)), id);
    }

    /** Connects as {@code id} and records what the server answered (OPEN, normally). */
    static Sock open(Server s, String id, String token, List<String> out)
        throws InterruptedException {
      Sock sock = connect(s, "key=peerjs&id=" + id + "&token=" + token);
      sock.next(out);
      return sock;
    }

    void send(String text) {
      ws.send(text);
    }

    void sendBinary(String text) {
      ws.sendBinary(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Records the next frame, or that none came within 10 s. */
    void next(List<String> out) throws InterruptedException {
      String m = ws.nextText(10);
      out.add(name + " < " + (m == null ? "(nothing)" : UUID_V4.matcher(m).replaceAll("<uuid>")));
    }

    /**
     * Records whether the server closed the socket (the code is left out: webcall sets one, the
     * reference none).
     */
    void closed(List<String> out) {
      int code;
      try {
        code = ws.closeCode();
      } catch (RuntimeException e) {
        code = 0;
      }
      out.add(name + " " + (code == 0 ? "still open" : "closed"));
    }

    @Override
    public void close() {
      ws.close();
    }
  }
}
