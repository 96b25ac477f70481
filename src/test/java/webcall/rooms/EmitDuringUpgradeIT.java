package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.json.JSONObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import webcall.TestServer;
import webcall.support.RoomClient;

/**
 * The flake once seen in RoomSignalingIT: the official Java client's join-room, emitted on connect
 * while the client moves from polling to WebSocket, was never acknowledged. Here client after
 * client emits at that very moment; every event must get its answer.
 */
class EmitDuringUpgradeIT {
  @RegisterExtension static final TestServer server = new TestServer();

  @Test
  void everyEventEmittedDuringTheUpgradeIsAnswered() throws Exception {
    OkHttpClient http = RoomClient.newHttpClient();
    for (int i = 0; i < 30; i++) {
      IO.Options options = new IO.Options();
      options.callFactory = http;
      options.webSocketFactory = http;
      options.forceNew = true;
      options.reconnection = false; // polling first, then the upgrade: the default transports
      Socket socket = IO.socket(URI.create("http://127.0.0.1:" + server.port()), options);
      CompletableFuture<JSONObject> answered = new CompletableFuture<>();
      socket.once(
          Socket.EVENT_CONNECT,
          args ->
              socket.emit(
                  "join-room",
                  new Object[] {"upgrade room!", "nobody", new JSONObject()},
                  (Ack) reply -> answered.complete((JSONObject) reply[0])));
      socket.connect();
      try {
        JSONObject reply = answered.get(10, TimeUnit.SECONDS);
        assertThat(reply.getString("error")).as("client %d", i).isEqualTo("bad-room");
      } finally {
        socket.close();
      }
    }
  }
}
