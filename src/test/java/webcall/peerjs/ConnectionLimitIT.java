package webcall.peerjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import webcall.peerjs.PeerJsTarget.Mode;
import webcall.support.RawWs;

/**
 * One client address cannot take the server's file descriptors (issue 12): connections that never
 * finish a request, PeerJS upgrades without Sec-WebSocket-Key and idle ones are closed or refused,
 * a second address still gets in, and the process's descriptors go back to where they were. Both
 * servers, with the server in this JVM so that /proc/self/fd counts its sockets.
 */
class ConnectionLimitIT {
  private static final String ATTACKER = "127.0.0.1";
  private static final String OTHER = "127.0.0.2";

  @AfterAll
  static void joinClosing() throws InterruptedException {
    PeerJsTarget.awaitClosed();
  }

  private static PeerJsOptions options(Map<String, Long> limits) {
    return PeerJsOptions.defaults("/myapp").withLimits(PeerJsOptions.Limits.from(limits));
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void theConnectionOverTheCapIsClosedAtOnceAndAnotherAddressStillConnects(Mode mode)
      throws Exception {
    List<Socket> held = new ArrayList<>();
    try (PeerJsTarget server = mode.start(options(Map.of()))) {
      for (int i = 0; i < 200; i++) {
        held.add(connect(ATTACKER, server.port()));
      }
      // An answer on each shows it was counted (at accept, on its event loop) before the 201st
      // comes.
      for (Socket s : held) {
        assertThat(get(s, "/myapp/")).startsWith("HTTP/1.1 200");
      }
      try (Socket over = connect(ATTACKER, server.port())) {
        assertThat(closedWithin(over, 2_000)).as("the 201st connection from one address").isTrue();
      }
      try (Socket other = connect(OTHER, server.port())) {
        assertThat(get(other, "/myapp/")).startsWith("HTTP/1.1 200");
      }
      assertThat(held.stream().filter(s -> !open(s)).count())
          .as("the 200 within the cap stay")
          .isZero();
    } finally {
      closeAll(held);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void connectionsHeldFromOneAddressAreClosedAndTheDescriptorsComeBack(Mode mode) throws Exception {
    List<Socket> held = new ArrayList<>();
    try (PeerJsTarget server =
        mode.start(options(Map.of("header-timeout-ms", 2_000L, "request-timeout-ms", 2_000L)))) {
      long baseline = openDescriptors();
      String upgradeWithoutKey =
          "GET /myapp/peerjs?key=peerjs&id=a&token=t HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n";
      String badVersion =
          "GET /myapp/peerjs?key=peerjs&id=b&token=t HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
              + "Sec-WebSocket-Version: 99\r\n\r\n";
      String unfinished = "GET /myapp/ HTTP/1.1\r\nHost: 127.0.0.1\r\n";
      for (int i = 0; i < 250; i++) {
        held.add(connect(ATTACKER, server.port()));
      }
      List<String> upgradeAnswers = new ArrayList<>();
      for (int i = 0; i < held.size(); i++) {
        String shape =
            switch (i % 4) {
              case 0 -> upgradeWithoutKey;
              case 1 -> badVersion;
              case 2 -> unfinished;
              default -> ""; // idle
            };
        try {
          held.get(i).getOutputStream().write(shape.getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          // refused over the cap: closed already
        }
      }
      // A second client gets in while the first holds its connections.
      try (Socket other = connect(OTHER, server.port())) {
        assertThat(get(other, "/myapp/")).startsWith("HTTP/1.1 200");
      }
      // Every one of them is closed by the server while the client still holds it: refused,
      // answered or timed out.
      long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
      for (int i = 0; i < held.size(); i++) {
        long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
        String got = readToEnd(held.get(i), left);
        assertThat(got).as("connection %d (shape %d) still open", i, i % 4).isNotNull();
        if (i % 4 < 2 && !got.isEmpty()) {
          upgradeAnswers.add(got);
        }
      }
      assertThat(upgradeAnswers).isNotEmpty().allMatch(a -> a.startsWith("HTTP/1.1 400"));
      closeAll(held);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(openDescriptors()).isLessThanOrEqualTo(baseline + 2));
    } finally {
      closeAll(held);
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void behindAProxyTheForwardedClientIsCountedNotTheProxy(Mode mode) throws Exception {
    List<Socket> held = new ArrayList<>();
    try (PeerJsTarget server = mode.start(options(Map.of()), true)) {
      // 250 clients behind one proxy: the proxy's connections are not one client.
      for (int i = 0; i < 250; i++) {
        Socket s = connect(ATTACKER, server.port());
        held.add(s);
        String forwarded = "127.9.9.9, 127.3.0." + i;
        assertThat(get(s, "/myapp/", "X-Forwarded-For: " + forwarded))
            .as("client %d", i)
            .startsWith("HTTP/1.1 200");
      }
      // 201 connections for one forwarded client: the 201st is refused and closed.
      for (int i = 0; i < 200; i++) {
        Socket s = connect(ATTACKER, server.port());
        held.add(s);
        assertThat(get(s, "/myapp/", "X-Forwarded-For: 127.4.0.1"))
            .as("connection %d", i)
            .startsWith("HTTP/1.1 200");
      }
      try (Socket over = connect(ATTACKER, server.port())) {
        String answer = get(over, "/myapp/", "X-Forwarded-For: 127.4.0.1");
        assertThat(answer).startsWith("HTTP/1.1 429");
        assertThat(closedWithin(over, 2_000)).isTrue();
      }
      // A client that spoofs an earlier hop is still counted by the hop the proxy appended.
      try (Socket spoof = connect(ATTACKER, server.port())) {
        assertThat(get(spoof, "/myapp/", "X-Forwarded-For: 10.9.9.9, 127.4.0.1"))
            .startsWith("HTTP/1.1 429");
      }
    } finally {
      closeAll(held);
    }
  }

  static Socket connect(String from, int port) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(from, 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    s.setSoTimeout(5_000);
    return s;
  }

  /** Sends a GET and reads the response head. */
  private static String get(Socket s, String path, String... headers) throws IOException {
    StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    s.getOutputStream().write(req.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    return RawWs.readHead(s.getInputStream());
  }

  /**
   * Whether the connection is still open on the server's side (nothing to read, no end of stream,
   * right now).
   */
  private static boolean open(Socket s) {
    try {
      s.setSoTimeout(1);
      return s.getInputStream().read() >= 0;
    } catch (SocketTimeoutException e) {
      return true;
    } catch (IOException e) {
      return false;
    } finally {
      try {
        s.setSoTimeout(5_000);
      } catch (SocketException e) {
        // closed
      }
    }
  }

  /** Whether the server ends the connection within the time, whatever it sends first. */
  private static boolean closedWithin(Socket s, long millis) throws IOException {
    return readToEnd(s, millis) != null;
  }

  /**
   * What the server sends up to closing the connection, or null if it is still open after {@code
   * millis}.
   */
  private static String readToEnd(Socket s, long millis) throws IOException {
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    long deadline = System.nanoTime() + millis * 1_000_000;
    InputStream in = s.getInputStream();
    byte[] buf = new byte[4096];
    while (got.size() < 1 << 20) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return null;
      }
      s.setSoTimeout(Math.toIntExact(left));
      try {
        int n = in.read(buf);
        if (n < 0) {
          return got.toString(StandardCharsets.ISO_8859_1);
        }
        got.write(buf, 0, n);
      } catch (SocketTimeoutException e) {
        return null;
      } catch (SocketException e) {
        return got.toString(StandardCharsets.ISO_8859_1); // reset
      }
    }
    return null;
  }

  static long openDescriptors() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.count();
    }
  }

  static void closeAll(List<Socket> sockets) {
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException e) {
        // closing anyway
      }
    }
  }
}
