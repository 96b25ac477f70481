package webcall.socketio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;
import webcall.TestServer;
import webcall.rooms.SignalingLimits;
import webcall.support.HttpConnection;
import webcall.support.PeerSocket;
import webcall.support.RawWs;

/**
 * What a Socket.IO client that breaks the rules or stops reading can and cannot do to the server:
 * each test here is a hole netty-socketio left open (issue 12). Spoken by hand, over raw WebSockets
 * and HTTP, so that the client is as bad as the test needs.
 */
class SocketIoLimitsIT {
  /**
   * Short connect timeout, pings every second, no event rate to speak of, a 256 KiB outbound cap.
   */
  @RegisterExtension
  static final TestServer limits =
      new TestServer(
          c ->
              c.withSignaling(
                  SignalingLimits.from(
                      Map.of(
                          "connect-timeout-ms",
                          500L,
                          "ping-interval-ms",
                          1_000L,
                          "ping-timeout-ms",
                          1_000L,
                          "events-per-second",
                          100_000L,
                          "event-burst",
                          100_000L,
                          "socketio-outbound-bytes",
                          256L * 1024))));

  /**
   * Defaults, but no pings during a test: whatever closes a connection here is what the test sent.
   */
  @RegisterExtension
  static final TestServer quiet =
      new TestServer(
          c ->
              c.withSignaling(
                  SignalingLimits.from(
                      Map.of("ping-interval-ms", 120_000L, "ping-timeout-ms", 120_000L))));

  private static final String WS = "/socket.io/?EIO=4&transport=websocket";

  @Test
  void aClientThatNeverConnectsIsClosedAfterTheConnectTimeoutEvenIfItAnswersPings()
      throws Exception {
    try (RawWs ws = new RawWs(limits.port(), WS)) {
      assertThat(ws.read().text()).startsWith("0{");
      ScheduledExecutorService pongs = answerPings(ws);
      try {
        long start = System.nanoTime();
        assertThat(endsWithin(ws, Duration.ofSeconds(3))).as("closed by the server").isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - start))
            .isLessThan(Duration.ofMillis(1_500));
      } finally {
        pongs.shutdownNow();
      }
    }
  }

  @Test
  void anInvalidCloseCodeIsAnsweredWith1002AndABrokenFrameToo() throws Exception {
    try (RawWs ws = new RawWs(quiet.port(), WS)) {
      assertThat(ws.read().text()).startsWith("0{");
      ws.frame(true, 0, 8, new byte[] {0x57, 0x65}, true); // 22373: no endpoint may send it
      assertThat(ws.closeCode()).isEqualTo(1002);
    }
    try (RawWs ws = new RawWs(quiet.port(), WS)) {
      assertThat(ws.read().text()).startsWith("0{");
      ws.frame(true, 0, 1, "40".getBytes(), false); // unmasked: a broken frame from a client
      assertThat(ws.closeCode()).isEqualTo(1002);
    }
    try (RawWs ws = new RawWs(quiet.port(), WS)) {
      assertThat(ws.read().text()).startsWith("0{");
      ws.frame(true, 0, 8, new byte[] {0x03, (byte) 0xe8}, true); // 1000: echoed
      assertThat(ws.closeCode()).isEqualTo(1000);
    }
  }

  @Test
  void anUnknownSessionIsRefusedAtOnceWith400() throws Exception {
    try (HttpConnection c = HttpConnection.open(quiet.port())) {
      c.socket().setSoTimeout(2_000);
      for (String method : List.of("GET", "POST")) {
        HttpConnection.Response r =
            c.exchange(
                method,
                "/socket.io/?EIO=4&transport=polling&sid=no-such-session",
                method.equals("POST") ? "40" : null);
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body()).isEqualTo("{\"code\":1,\"message\":\"Session ID unknown\"}");
      }
    }
  }

  @Test
  void eventsBeforeConnectASecondConnectReservedNamesAndBadAckIdsCloseTheConnection()
      throws Exception {
    record Case(boolean connectFirst, String packet) {}
    for (Case c :
        List.of(
            new Case(false, "42[\"chat\",\"early\"]"),
            new Case(true, "40"),
            new Case(true, "42[\"disconnect\"]"),
            new Case(true, "42[\"connect\",1]"),
            new Case(true, "42[\"newListener\"]"),
            new Case(true, "42abc[\"chat\",\"x\"]"),
            new Case(true, "421234567890123456789[\"chat\",\"x\"]"),
            new Case(true, "43[\"no\",\"ack\"]extra"),
            new Case(false, "4abc"),
            new Case(true, "4abc"),
            new Case(true, "abc"))) {
      try (RawWs ws = new RawWs(quiet.port(), WS)) {
        assertThat(ws.read().text()).startsWith("0{");
        if (c.connectFirst()) {
          ws.text("40");
          assertThat(ws.read().text()).startsWith("40{\"sid\":");
        }
        ws.text(c.packet());
        assertThat(endsWithin(ws, Duration.ofSeconds(3)))
            .as("%s closes the connection", c)
            .isTrue();
      }
    }
  }

  @Test
  void aThousandBadPacketsAddOnlyAFewLinesOfLog() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    try (HttpConnection c = HttpConnection.open(quiet.port())) {
      String junk =
          "42[\"chat\"," + "{\"x\":".repeat(50) + "\"" + "y".repeat(1_000); // bad JSON, 1.3 KB
      for (int i = 0; i < 1_000; i++) {
        HttpConnection.Response open =
            c.exchange("GET", "/socket.io/?EIO=4&transport=polling", null);
        Matcher m = Pattern.compile("\"sid\":\"([^\"]+)\"").matcher(open.body());
        assertThat(m.find()).as(open.body()).isTrue();
        c.exchange("POST", "/socket.io/?EIO=4&transport=polling&sid=" + m.group(1), junk);
      }
    } finally {
      root.detachAppender(captured);
    }
    long bytes = 0;
    for (ILoggingEvent e : List.copyOf(captured.list)) {
      bytes += e.getFormattedMessage().length() + 60; // and the time, level and logger of the line
      assertThat(e.getThrowableProxy()).as("a stack trace: %s", e.getFormattedMessage()).isNull();
      assertThat(e.getFormattedMessage()).doesNotContain("yyyyyyyy");
    }
    assertThat(bytes).as("log bytes for 1 000 bad packets").isLessThan(4_096);
  }

  /**
   * A member that stops reading, but keeps answering pings, is cut off once the server holds
   * socketio-outbound-bytes for it, and its room hears it leave once; what was held for it is let
   * go.
   */
  @Test
  void aSlowReaderIsCutOffAnnouncedOnceAndItsMemoryLetGo() throws Exception {
    try (PeerSocket slowPeer = registered("slowA");
        PeerSocket senderPeer = registered("slowB");
        PeerSocket watcherPeer = registered("slowC");
        RawWs slow = new RawWs(limits.port(), WS, 4096);
        RawWs sender = new RawWs(limits.port(), WS);
        RawWs watcher = new RawWs(limits.port(), WS)) {
      for (var ws : List.of(watcher, slow, sender)) {
        assertThat(ws.read().text()).startsWith("0{");
        ws.text("40");
        assertThat(ws.read().text()).startsWith("40{");
        String id = ws == watcher ? "slowC" : ws == slow ? "slowA" : "slowB";
        ws.text("421[\"join-room\",\"slow-room\",\"" + id + "\",{\"token\":\"tok" + id + "\"}]");
        assertThat(nextNonPing(ws)).startsWith("431[{\"ok\":true");
      }
      // The watcher reads everything at once, and answers pings: it keeps up, and counts the leaves
      // it hears.
      List<String> leaves = new CopyOnWriteArrayList<>();
      Thread reader =
          new Thread(
              () -> {
                try {
                  watcher.readTimeout(30_000);
                  for (int i = 0; i < 1_000_000; i++) {
                    String t = watcher.read().text();
                    if (t.equals("2")) {
                      watcher.text("3");
                    } else if (t.startsWith("42[\"user-disconnected\"")) {
                      leaves.add(t);
                    }
                  }
                } catch (IOException e) {
                  // closed at the end of the test
                }
              },
              "watcher");
      reader.start();
      long baseline = usedHeapAfterGc(); // everyone in the room, nothing sent yet
      // From here the slow member reads nothing, but answers every ping (blindly, as a stuck tab's
      // timer would).
      ScheduledExecutorService pongs = answerPings(slow);
      try {
        String chat = "42[\"chat\",\"" + "z".repeat(1_900) + "\"]";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int i = 0; i < 20_000 && System.nanoTime() < deadline && leaves.isEmpty(); i++) {
          sender.text(
              i % 50 == 0
                  ? "3"
                  : chat); // the sender answers pings too, from this thread (one writer)
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !leaves.isEmpty());
      } finally {
        pongs.shutdownNow();
      }
      assertThat(leaves.get(0)).isEqualTo("42[\"user-disconnected\",\"slowA\"]");
      sender.text("3");
      await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
      assertThat(leaves)
          .as("announced once")
          .containsExactly("42[\"user-disconnected\",\"slowA\"]");
      assertThat(limits.server().rooms().size("slow-room")).isEqualTo(2);
      await()
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () ->
                  assertThat(usedHeapAfterGc())
                      .as("heap after the cut-off, against %d before", baseline)
                      .isLessThan(baseline + 4L * 1024 * 1024));
    }
  }

  private static String nextNonPing(RawWs ws) throws IOException {
    for (int i = 0; i < 10; i++) {
      String t = ws.read().text();
      if (!t.equals("2")) {
        return t;
      }
    }
    throw new AssertionError("only pings");
  }

  private static long usedHeapAfterGc() {
    Runtime rt = Runtime.getRuntime();
    System.gc();
    return rt.totalMemory() - rt.freeMemory();
  }

  private static PeerSocket registered(String peerId) {
    PeerSocket p = PeerSocket.connect(limits.port(), peerId, "tok" + peerId);
    assertThat(p.nextText(5)).isEqualTo("{\"type\":\"OPEN\"}");
    return p;
  }

  /**
   * Sends "3" every 200 ms on each socket, as a client answering pings without reading them would.
   */
  private static ScheduledExecutorService answerPings(RawWs... sockets) {
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    timer.scheduleAtFixedRate(
        () -> {
          for (RawWs ws : sockets) {
            try {
              ws.text("3");
            } catch (IOException e) {
              // closed: nothing more to answer
            }
          }
        },
        200,
        200,
        TimeUnit.MILLISECONDS);
    return timer;
  }

  /**
   * Reads (and drops) frames until the server closes the connection; false if it is still open
   * after {@code wait}.
   */
  private static boolean endsWithin(RawWs ws, Duration wait) throws IOException {
    long deadline = System.nanoTime() + wait.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        ws.readTimeout((int) TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        RawWs.Frame f = ws.read();
        if (f.opcode() == 8) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true; // the end of the stream, or a reset
      }
    }
    return false;
  }
}
