package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import webcall.support.ChildProcess;
import webcall.support.RawWs;
import webcall.support.ReferenceNode;

/**
 * {@code --cors ORIGIN} (repeatable) as the reference {@code peerjs} command has it: the HTTP API
 * names a listed request Origin in Access-Control-Allow-Origin and no other, on requests and
 * preflights alike; the WebSocket takes any origin either way. Both commands are started with the
 * same flags and asked the same raw requests; the CORS headers and statuses must match.
 */
class CorsSideBySideIT {
  private static final String A = "http://a.test";
  private static final String B = "http://b.test:8080";
  private static final java.util.regex.Pattern STARTED =
      java.util.regex.Pattern.compile("^Started PeerServer on (\\S+), port: (\\d+), path: (\\S+)$");

  private static ChildProcess reference;
  private static ChildProcess webcall;

  @BeforeAll
  static void start() {
    reference = ReferenceNode.start("/myapp", "--cors", A, "--cors", B);
    webcall =
        ChildProcess.start(
            ChildProcess.webcall(
                "peerjs",
                "--port",
                "0",
                "--host",
                "127.0.0.1",
                "--path",
                "/myapp",
                "--cors",
                A,
                "--cors",
                B),
            Map.of(),
            STARTED,
            Duration.ofSeconds(60),
            "webcall-peerjs-cors");
  }

  @AfterAll
  static void stop() {
    if (webcall != null) {
      webcall.close();
    }
    if (reference != null) {
      reference.close();
    }
  }

  @Test
  void corsHeadersAsTheReferenceSendsThem() throws Exception {
    int ref = ReferenceNode.port(reference);
    int ours = Integer.parseInt(webcall.readyLine().group(2));
    String[] requests = {
      get("/myapp/", "Origin: " + A),
      get("/myapp/", "Origin: " + B),
      get("/myapp/", "Origin: http://c.test"),
      get("/myapp/", "Origin: " + A + "/"), // not the same string: not listed
      get("/myapp/"),
      get("/myapp/peerjs/id", "Origin: " + B),
      get("/myapp/peerjs/peers", "Origin: " + A),
      "OPTIONS /myapp/peerjs/id HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: "
          + A
          + "\r\n"
          + "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: x-one, x-two\r\n\r\n",
      "OPTIONS /myapp/peerjs/id HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://c.test\r\n"
          + "Access-Control-Request-Method: GET\r\n\r\n",
    };
    for (String req : requests) {
      assertThat(corsOf(ours, req)).as(req).isEqualTo(corsOf(ref, req));
    }
    assertThat(corsOf(ours, requests[0])).containsEntry("access-control-allow-origin", A);
    assertThat(corsOf(ours, requests[1])).containsEntry("access-control-allow-origin", B);
    assertThat(corsOf(ours, requests[2])).doesNotContainKey("access-control-allow-origin");
    // The WebSocket does not look at --cors: an unlisted origin still upgrades, on both.
    String upgrade =
        "GET /myapp/peerjs?key=peerjs&id=X&token=t HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: http://c.test\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n";
    assertThat(head(ours, upgrade)).startsWith("HTTP/1.1 101");
    assertThat(head(ref, upgrade)).startsWith("HTTP/1.1 101");
  }

  private static String get(String path, String... headers) {
    StringBuilder b = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    return b.append("\r\n").toString();
  }

  private static String head(int port, String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      return RawWs.readHead(s.getInputStream());
    }
  }

  /**
   * The status and the CORS headers of the response, Vary as a set of names (one header or
   * several).
   */
  private static Map<String, String> corsOf(int port, String request) throws IOException {
    Map<String, String> out = new TreeMap<>();
    TreeSet<String> vary = new TreeSet<>();
    String[] lines = head(port, request).split("\r\n");
    out.put("status", lines[0].split(" ")[1]);
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon < 0) {
        continue;
      }
      String name = lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = lines[i].substring(colon + 1).trim();
      if (name.equals("vary")) {
        for (String v : value.split(",")) {
          vary.add(v.trim().toLowerCase(Locale.ROOT));
        }
      } else if (name.startsWith("access-control-")) {
        out.put(name, value);
      }
    }
    out.put("vary", String.join(",", vary));
    return out;
  }
}
