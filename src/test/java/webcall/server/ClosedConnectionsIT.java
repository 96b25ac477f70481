package webcall.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import webcall.support.ChildProcess;
import webcall.support.HttpConnection;
import webcall.support.Jcmd;

/**
 * A connection the client has closed leaves nothing on the server's heap: no timer keeps it, its
 * pipeline and its buffers for seconds after. Under load thousands of such connections were kept at
 * a time, and every young collection copied them: the long pauses behind the rooms benchmark's p99
 * over polling.
 */
class ClosedConnectionsIT {
  @Test
  void connectionsClosedByTheirClientsAreGoneFromTheHeapAtOnce() throws Exception {
    try (ChildProcess server =
        ChildProcess.start(
            ChildProcess.webcall("--host", "127.0.0.1", "--port", "0", "--stun-port", "0"),
            Map.of(),
            HeapSizingIT.LISTENING,
            Duration.ofSeconds(60),
            "webcall-closed")) {
      int port = Integer.parseInt(server.readyLine().group(1));
      // Opened and closed without a byte, as a browser's unused preconnection is.
      for (int i = 0; i < 30; i++) {
        new Socket("127.0.0.1", port).close();
      }
      // Closed while a long poll waits for its answer.
      for (int i = 0; i < 10; i++) {
        String sid;
        try (HttpConnection c = HttpConnection.open(port)) {
          HttpConnection.Response open =
              c.exchange("GET", "/socket.io/?EIO=4&transport=polling", null);
          assertThat(open.status()).isEqualTo(200);
          Matcher m = Pattern.compile("\"sid\":\"([^\"]+)\"").matcher(open.body());
          assertThat(m.find()).as(open.body()).isTrue();
          sid = m.group(1);
        }
        try (HttpConnection c = HttpConnection.open(port)) {
          c.send("POST", "/socket.io/?EIO=4&transport=polling&sid=" + sid, "40");
          assertThat(c.read().status()).isEqualTo(200);
          c.send(
              "GET", "/socket.io/?EIO=4&transport=polling&sid=" + sid, null); // the CONNECT answer
          assertThat(c.read().status()).isEqualTo(200);
          c.send(
              "GET",
              "/socket.io/?EIO=4&transport=polling&sid=" + sid,
              null); // waits: nothing to send
        }
      }
      // Well within the five seconds a timer used to keep them. One may stay: netty-socketio's
      // timers keep the context
      // of the newest connection (SocketIOChannelInitializer.handlerAdded), one connection whatever
      // the load.
      await()
          .atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> assertThat(liveConnections(server.pid())).isLessThanOrEqualTo(1));
    }
  }

  /** Accepted connections on the server's heap after a full collection. */
  private static long liveConnections(long pid) throws Exception {
    return Jcmd.liveInstances(
        pid, "io\\.netty\\.channel\\.(?:epoll\\.Epoll|socket\\.nio\\.Nio)SocketChannel");
  }
}
