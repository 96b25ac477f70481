package webcall;

import static org.assertj.core.api.Assertions.assertThat;

import io.socket.engineio.client.transports.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import webcall.support.ChildProcess;
import webcall.support.PeerSocket;
import webcall.support.RoomClient;

/**
 * {@code --limit name=value} as an operator uses it: the running server enforces the new value,
 * typos are refused.
 */
class LimitFlagsIT {
  private static final Pattern LISTENING =
      Pattern.compile("webcall listening on http://127\\.0\\.0\\.1:(\\d+)");

  @Test
  void changedLimitsAreEnforcedByTheRunningServer() throws Exception {
    try (ChildProcess server =
        ChildProcess.start(
            ChildProcess.webcall(
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-stun",
                "--limit",
                "chat-length=10,name-length=5",
                "--limit",
                "frame-bytes=2000"),
            Map.of(),
            LISTENING,
            Duration.ofSeconds(60),
            "webcall-limits")) {
      int port = Integer.parseInt(server.readyLine().group(1));
      try (RoomClient a = new RoomClient(port, "limitA", WebSocket.NAME)) {
        JSONObject longName = new JSONObject();
        longName.put("name", "Sixsix");
        JSONObject refused = a.joinAs("limits", longName);
        assertThat(refused.getString("error")).isEqualTo("bad-profile");
        assertThat(refused.getInt("max")).isEqualTo(5);
        JSONObject shortName = new JSONObject();
        shortName.put("name", "Fivee");
        assertThat(a.joinAs("limits", shortName).getBoolean("ok")).isTrue();
        assertThat(a.request("chat", "x".repeat(10)).getBoolean("ok")).isTrue();
        JSONObject tooLong = a.request("chat", "x".repeat(11));
        assertThat(tooLong.getString("error")).isEqualTo("bad-chat");
        assertThat(tooLong.getInt("max")).isEqualTo(10);
      }
      try (PeerSocket peer = PeerSocket.connect(port, "limitP", "tokP")) {
        assertThat(peer.nextText(5)).isEqualTo("{\"type\":\"OPEN\"}");
        peer.send("{\"type\":\"HEARTBEAT\",\"pad\":\"" + "x".repeat(2100) + "\"}");
        assertThat(peer.closeCode(5)).as("a frame over frame-bytes").isEqualTo(1009);
      }
    }
  }

  /** Runs a command line that must not start; returns what it printed. */
  private static String failedStart(String... args) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(ChildProcess.webcall(args));
    pb.environment().keySet().removeIf(k -> k.startsWith("WEBCALL_"));
    pb.redirectErrorStream(true);
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.exitValue()).as(out).isNotZero();
    return out;
  }

  @Test
  void anUnknownLimitOrABadValueStopsTheStartWithAClearMessage() throws Exception {
    for (String bad : new String[] {"chat-lenght=10", "chat-length=lots", "chat-length=0"}) {
      assertThat(failedStart("--host", "127.0.0.1", "--port", "0", "--no-stun", "--limit", bad))
          .as(bad)
          .contains("webcall: ")
          .contains("chat-len")
          .doesNotContain("\tat ");
    }
  }

  @Test
  void thePeerJsCommandTakesItsLimitsAndRefusesTheRoomOnes() throws Exception {
    assertThat(
            failedStart(
                "peerjs", "--host", "127.0.0.1", "--port", "0", "--limit", "chat-length=10"))
        .contains("unknown limit 'chat-length' for webcall peerjs");
  }
}
