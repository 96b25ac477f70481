package webcall.support;

import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Manager;
import io.socket.client.Socket;
import io.socket.engineio.client.Transport;
import io.socket.engineio.parser.Packet;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * A call participant for tests: a PeerJS registration plus the official Java Socket.IO client,
 * recording the room events it receives as "event:arg".
 */
public final class RoomClient implements AutoCloseable {
  public final String peerId;
  public final String token;
  public final PeerSocket peer;
  public final Socket socket;
  public final List<String> events = new CopyOnWriteArrayList<>();

  /**
   * Every room event but request-error (user-connected, knock, admitted, ...) with all its
   * arguments, in order.
   */
  public final List<Received> received = new CopyOnWriteArrayList<>();

  private final OkHttpClient http;

  public RoomClient(int port, String peerId, String... transports) {
    this(port, peerId, newHttpClient(), transports);
  }

  /**
   * Over this HTTP client: clients that share one share its connection pool, as a browser's tabs
   * do.
   */
  public RoomClient(int port, String peerId, OkHttpClient http, String... transports) {
    this(port, peerId, http, Map.of(), transports);
  }

  /**
   * With extra HTTP headers on every Socket.IO request (an X-Forwarded-For for a server behind
   * --proxied).
   */
  public RoomClient(
      int port, String peerId, Map<String, List<String>> headers, String... transports) {
    this(port, peerId, newHttpClient(), headers, transports);
  }

  private RoomClient(
      int port,
      String peerId,
      OkHttpClient http,
      Map<String, List<String>> headers,
      String... transports) {
    this.peerId = peerId;
    this.token = "tok" + Math.abs(peerId.hashCode());
    this.peer = PeerSocket.connect(port, peerId, token);
    String open = peer.nextText(5);
    if (!"{\"type\":\"OPEN\"}".equals(open)) {
      throw new AssertionError("PeerJS registration failed: " + open);
    }
    this.http = http;
    IO.Options options = new IO.Options();
    options.callFactory = http;
    options.webSocketFactory = http;
    options.forceNew = true;
    options.reconnection = false;
    if (!headers.isEmpty()) {
      options.extraHeaders = headers;
    }
    if (transports.length > 0) {
      options.transports = transports;
    }
    this.socket = IO.socket(URI.create("http://127.0.0.1:" + port), options);
    for (String event : List.of("user-connected", "user-disconnected", "request-error")) {
      socket.on(event, args -> events.add(event + ":" + (args.length > 0 ? args[0] : "")));
    }
    for (String event :
        List.of(
            "user-connected",
            "user-state",
            "chat-message",
            "user-disconnected",
            "knock",
            "knock-withdrawn",
            "knock-denied",
            "admitted",
            "removed",
            "host-changed",
            "room-settings")) {
      socket.on(event, args -> received.add(new Received(event, List.of(args))));
    }
    CompletableFuture<Void> upgraded = transports.length == 0 ? upgradeOf(socket) : null;
    CompletableFuture<Void> connected = new CompletableFuture<>();
    socket.once(Socket.EVENT_CONNECT, args -> connected.complete(null));
    socket.once(
        Socket.EVENT_CONNECT_ERROR,
        args -> connected.completeExceptionally(new AssertionError(args[0])));
    socket.connect();
    connected.orTimeout(10, TimeUnit.SECONDS).join();
    if (upgraded != null) {
      upgraded.orTimeout(10, TimeUnit.SECONDS).join();
    }
  }

  /**
   * Its own HTTP client: OkHttp's shared one allows 5 requests per host, and every polling client
   * holds one open.
   */
  public static OkHttpClient newHttpClient() {
    OkHttpClient http = new OkHttpClient.Builder().build();
    http.dispatcher().setMaxRequestsPerHost(64);
    return http;
  }

  /**
   * With the default transports, completes once this client has moved from polling to WebSocket, so
   * that a test runs on one known transport. (An event emitted during the upgrade was once held by
   * the client until the session timed out: the server left a poll open that the client waited for;
   * see UpgradePolls and UpgradeDuringPollIT.) Read from the client's public events only: the
   * Manager announces each transport it creates; the WebSocket one answers the probe ("3probe"),
   * then drains the client's upgrade packet ("5"), which the client sends once it has switched.
   */
  private static CompletableFuture<Void> upgradeOf(Socket socket) {
    CompletableFuture<Void> upgraded = new CompletableFuture<>();
    socket
        .io()
        .on(
            Manager.EVENT_TRANSPORT,
            args -> {
              Transport transport = (Transport) args[0];
              if (!"websocket".equals(transport.name)) {
                return;
              }
              boolean[] probed = {false};
              transport.on(
                  Transport.EVENT_PACKET,
                  p -> {
                    Packet<?> packet = (Packet<?>) p[0];
                    if (Packet.PONG.equals(packet.type) && "probe".equals(packet.data)) {
                      probed[0] = true;
                    }
                  });
              transport.on(
                  Transport.EVENT_DRAIN,
                  d -> {
                    if (probed[0]) {
                      upgraded.complete(null);
                    }
                  });
            });
    return upgraded;
  }

  /** An event as it arrived: its name and arguments (JSONObject, String, ...). */
  public record Received(String event, List<Object> args) {
    public JSONObject object(int i) {
      return (JSONObject) args.get(i);
    }
  }

  /** Emits an event with one argument and waits for the server's ack object. */
  public JSONObject request(String event, Object arg) {
    CompletableFuture<JSONObject> reply = new CompletableFuture<>();
    socket.emit(event, new Object[] {arg}, (Ack) args -> reply.complete((JSONObject) args[0]));
    return reply.orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** Emits join-room with a profile (name, muted, ...) next to the token; returns the whole ack. */
  public JSONObject joinAs(String room, JSONObject profile) {
    CompletableFuture<JSONObject> reply = new CompletableFuture<>();
    try {
      profile.put("token", token);
    } catch (JSONException e) {
      throw new AssertionError(e);
    }
    socket.emit(
        "join-room",
        new Object[] {room, peerId, profile},
        (Ack) args -> reply.complete((JSONObject) args[0]));
    return reply.orTimeout(10, TimeUnit.SECONDS).join();
  }

  public List<Received> received(String event) {
    return received.stream().filter(r -> r.event().equals(event)).toList();
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
      socket.emit(
          "join-room",
          new Object[] {room, userId, proof},
          (Ack) args -> reply.complete(parse(args[0])));
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
    // The HTTP client is left to idle out: over polling the goodbye is a request of its own, sent
    // after this returns.
  }
}
