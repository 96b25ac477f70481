package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import webcall.TestServer;

/**
 * The room events with the very socket.io-client 4.8.4 the jar serves to browsers, run in Node
 * (src/test/node/rooms-client.cjs), over polling only, WebSocket only, and the default
 * polling-then-upgrade.
 */
class NodeSocketIoClientIT {
  @RegisterExtension static final TestServer server = new TestServer();

  private static JsonNode run(String mode) throws IOException, InterruptedException {
    Process node =
        new ProcessBuilder(
                "node", "src/test/node/rooms-client.cjs", String.valueOf(server.port()), mode)
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try {
      assertThat(node.waitFor(30, TimeUnit.SECONDS))
          .as("the client script ends by itself")
          .isTrue();
      String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return new ObjectMapper().readTree(out);
    } finally {
      node.destroyForcibly();
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"polling, polling", "websocket, websocket", "default, websocket"})
  void joinAnnounceAndLeaveWithTheBrowsersOwnClient(String mode, String finalTransport)
      throws Exception {
    JsonNode r = run(mode);
    assertThat(r.has("error")).as(r.toString()).isFalse();
    String a = r.get("a").asText();
    String b = r.get("b").asText();
    assertThat(r.at("/ackA/ok").asBoolean()).isTrue();
    assertThat(r.at("/ackA/members").size()).isZero();
    assertThat(r.at("/ackB/ok").asBoolean()).isTrue();
    assertThat(r.at("/ackB/members/0").asText()).isEqualTo(a);
    assertThat(r.at("/again/error").asText())
        .as("a second join-room on one socket")
        .isEqualTo("already-joined");
    assertThat(r.get("transport").asText()).isEqualTo(finalTransport);
    // The newcomer arrives once, with its name; its leave is announced exactly once.
    assertThat(r.get("seen").toString())
        .isEqualTo(
            "[[\"user-connected\",\""
                + b
                + "\",\""
                + b
                + "\"],[\"user-disconnected\",\""
                + b
                + "\"]]");
  }
}
