package webcall.support;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import java.net.URI;
import okhttp3.OkHttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * A call participant for tests: a PeerJS registration plus the official Java Socket.IO client, recording the room
 * events it receives as "event:arg".
 */
public final class RoomClient implements AutoCloseable {
  public final String peerId;
  public final String token;
  public final PeerSocket peer;
  public final Socket socket;
  public final List<String> events = new CopyOnWriteArrayList<>();
  private final OkHttpClient http;

  public RoomClient(int port, String peerId, String... transports) {
    this.peerId = peerId;
    this.token = "tok" + Math.abs(peerId.hashCode());
    this.peer = PeerSocket.connect(port, peerId, token);
    String open = peer.nextText(5);
    if (!"{\"type\":\"OPEN\"}".equals(open)) {
      throw new AssertionError("PeerJS registration failed: " + open);
    }
    // Its own HTTP client: OkHttp's shared one allows 5 requests per host, and every polling client holds one open.
    this.http = new OkHttpClient.Builder().build();
    http.dispatcher().setMaxRequestsPerHost(64);
    IO.Options options = new IO.Options();
    options.callFactory = http;
    options.webSocketFactory = http;
    options.forceNew = true;
    options.reconnection = false;
    if (transports.length > 0) {
      options.transports = transports;
    }
    this.socket = IO.socket(URI.create("http://127.0.0.1:" + port), options);
    for (String event : List.of("user-connected", "user-disconnected", "request-error")) {
      socket.on(event, args -> events.add(event + ":" + (args.length > 0 ? args[0] : "")));
    }
    CompletableFuture<Void> connected = new CompletableFuture<>();
    socket.once(Socket.EVENT_CONNECT, args -> connected.complete(null));
    socket.once(Socket.EVENT_CONNECT_ERROR, args -> connected.completeExceptionally(new AssertionError(args[0])));
    socket.connect();
    connected.orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** A join-room ack, parsed. */
  public record JoinAck(boolean ok, String error, List<String> members) {}

  /** Emits join-room with this client's PeerJS token and waits for the ack. */
  public JoinAck join(String room) {
    return join(room, peerId, token);
  }

  public JoinAck join(Object room, Object userId, String token) {
    CompletableFuture<JoinAck> reply = new CompletableFuture<>();
    try {
      JSONObject proof = new JSONObject();
      if (token != null) {
        proof.put("token", token);
      }
      socket.emit("join-room", new Object[] {room, userId, proof}, (Ack) args -> reply.complete(parse(args[0])));
    } catch (JSONException e) {
      throw new AssertionError(e);
    }
    return reply.orTimeout(10, TimeUnit.SECONDS).join();
  }

  private static JoinAck parse(Object arg) {
    try {
      JSONObject ack = (JSONObject) arg;
      List<String> members = new ArrayList<>();
      JSONArray array = ack.optJSONArray("members");
      for (int i = 0; array != null && i < array.length(); i++) {
        members.add(array.getString(i));
      }
      return new JoinAck(ack.getBoolean("ok"), ack.optString("error", null), members);
    } catch (JSONException | ClassCastException e) {
      throw new AssertionError("unexpected ack " + arg, e);
    }
  }

  public long count(String event) {
    return events.stream().filter(event::equals).count();
  }

  @Override
  public void close() {
    socket.disconnect();
    socket.close();
    peer.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
