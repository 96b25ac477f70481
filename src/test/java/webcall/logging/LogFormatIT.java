package webcall.logging;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import webcall.support.ChildProcess;
import webcall.support.PeerSocket;
import webcall.support.RoomClient;

/**
 * {@code --log-format} as an operator runs it: a whole session (peers opening, relaying, refused,
 * leaving; TURN credentials handed out; the server stopped) in json gives only JSON lines with the
 * text format's information, and in either format the PeerJS token, the TURN secret, display names
 * and chat never reach the log (nor does a room's member's token, or what a drain logs when the
 * server stops with members still in a room).
 */
class LogFormatIT {
  static final Pattern LISTENING = Pattern.compile("^webcall listening on http://\\S+:(\\d+)$");
  static final String TOKEN = "Tok3nNeverLogged";
  static final String SECRET = "turn-secret-never-logged";
  static final String NAME = "Nameneverlogged";
  static final String CHAT = "chat text never logged";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /**
   * Runs a session against a server started with {@code args} and this environment; returns its
   * standard error.
   */
  static String session(Map<String, String> env, String... args) throws Exception {
    List<String> all =
        new ArrayList<>(
            List.of(
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--stun-port",
                "0",
                "--turn-url",
                "turn:127.0.0.1:3478?transport=udp",
                "--admin-port",
                "0"));
    all.addAll(List.of(args));
    ChildProcess p =
        ChildProcess.start(
            ChildProcess.webcall(all.toArray(String[]::new)),
            env,
            LISTENING,
            Duration.ofSeconds(60),
            "webcall-logs");
    try (p) {
      int port = Integer.parseInt(p.readyLine().group(1));
      HttpResponse<String> ice =
          HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/ice")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ice.body()).contains("credential"); // the secret was used to sign one
      String base = "ws://127.0.0.1:" + port + "/peerjs/peerjs?version=1.5.5&key=";
      // log-a holds its id before the second log-a asks for it: opened together, either could.
      try (PeerSocket a = PeerSocket.open(URI.create(base + "peerjs&id=log-a&token=" + TOKEN))) {
        assertThat(a.next().get("type").asText()).isEqualTo("OPEN");
        try (PeerSocket b =
                PeerSocket.open(URI.create(base + "peerjs&id=log-b&token=" + TOKEN + "b"));
            PeerSocket taken =
                PeerSocket.open(URI.create(base + "peerjs&id=log-a&token=Other" + TOKEN));
            PeerSocket badKey =
                PeerSocket.open(URI.create(base + "nope&id=log-c&token=" + TOKEN))) {
          assertThat(b.next().get("type").asText()).isEqualTo("OPEN");
          assertThat(taken.closeCode(5)).isEqualTo(1008);
          assertThat(badKey.closeCode(5)).isEqualTo(1008);
          a.send("{\"type\":\"OFFER\",\"dst\":\"log-b\",\"payload\":{\"sdp\":\"x\"}}");
          assertThat(b.next().get("type").asText()).isEqualTo("OFFER");
          a.send("{\"type\":\"LEAVE\"}");
          assertThat(a.closeCode(5)).isEqualTo(1000);
        }
      }
      // A room with two named members who chat, one refused for a name too long, then they leave.
      String roomTokenA;
      try (RoomClient ra = new RoomClient(port, "log-room-a");
          RoomClient rb = new RoomClient(port, "log-room-b")) {
        roomTokenA = ra.token;
        assertThat(ra.joinAs("log-room", new JSONObject().put("name", NAME)).getBoolean("ok"))
            .isTrue();
        assertThat(
                rb.joinAs("log-room", new JSONObject().put("name", NAME + "x".repeat(80)))
                    .getBoolean("ok"))
            .isFalse();
        assertThat(rb.joinAs("log-room", new JSONObject().put("name", NAME + "B")).getBoolean("ok"))
            .isTrue();
        assertThat(ra.request("chat", CHAT).getBoolean("ok")).isTrue();
        assertThat(rb.request("state", new JSONObject().put("name", NAME + "C")).getBoolean("ok"))
            .isTrue();
      }
      assertThat(p.stop(Duration.ofSeconds(15))).isZero();
      String err = p.stderrText();
      assertThat(String.join("\n", p.stdout())).doesNotContain(TOKEN).doesNotContain(SECRET);
      assertThat(err)
          .contains(
              "peer-open", "peer-reject", "peer-leave", "event=join", "event=leave", "drain-end");
      assertThat(err)
          .doesNotContain(TOKEN)
          .doesNotContain(SECRET)
          .doesNotContain(roomTokenA)
          .doesNotContain(NAME)
          .doesNotContain(CHAT)
          .doesNotContain("never logged");
      return err;
    }
  }

  @Test
  void jsonGivesOneJsonObjectPerLineWithTheTextLinesInformation() throws Exception {
    String err = session(Map.of("WEBCALL_TURN_SECRETS", SECRET), "--log-format", "json");
    List<JsonNode> lines = new ArrayList<>();
    for (String line : err.split("\n")) {
      try {
        lines.add(JSON.readTree(line));
      } catch (Exception e) {
        throw new AssertionError("not a JSON line: " + line, e);
      }
    }
    assertThat(lines)
        .isNotEmpty()
        .allSatisfy(
            l -> {
              assertThat(l.isObject()).isTrue();
              assertThat(l.hasNonNull("@timestamp")).isTrue();
              assertThat(l.path("level").asText()).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
              assertThat(l.hasNonNull("logger_name")).isTrue();
              assertThat(l.hasNonNull("message")).isTrue();
            });
    // log-a's own line: log-a and log-b open at about the same time, so either may be logged first.
    JsonNode open =
        lines.stream()
            .filter(
                l ->
                    "peer-open".equals(l.path("event").asText())
                        && l.path("message").asText().startsWith("event=peer-open peer=log-a "))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no event=peer-open line for log-a: " + err));
    assertThat(open.path("message").asText()).startsWith("event=peer-open peer=log-a ");
    assertThat(open.path("peer").asText()).isEqualTo("log-a");
    assertThat(open.path("logger_name").asText()).isEqualTo("webcall.peerjs.PeerSocketHandler");
    JsonNode reject =
        lines.stream()
            .filter(
                l ->
                    "peer-reject".equals(l.path("event").asText())
                        && "ID_TAKEN".equals(l.path("reason").asText()))
            .findFirst()
            .orElseThrow();
    assertThat(reject.path("peer").asText()).isEqualTo("log-a");
  }

  @Test
  void textStaysTheDefaultAndSelectingJsonByTheEnvironmentWorksToo() throws Exception {
    String text = session(Map.of("WEBCALL_TURN_SECRETS", SECRET));
    assertThat(text.lines()).allMatch(l -> !l.startsWith("{"));
    assertThat(text)
        .containsPattern(
            "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  PeerSocketHandler event=peer-open peer=log-a");

    String json = session(Map.of("WEBCALL_TURN_SECRETS", SECRET, "WEBCALL_LOG_FORMAT", "json"));
    assertThat(json.lines()).isNotEmpty().allMatch(l -> l.startsWith("{") && l.endsWith("}"));
  }
}
