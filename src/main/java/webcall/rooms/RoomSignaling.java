package webcall.rooms;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.MultiTypeArgs;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.http.HttpRouter;
import webcall.logging.LogText;
import webcall.peerjs.PeerClient;
import webcall.peerjs.Realm;

/**
 * The room events of the original system on Socket.IO: {@code join-room(roomId, userId, {token})} joins, the others
 * get {@code user-connected(userId)}, and a disconnect sends {@code user-disconnected(userId)} exactly once. Unlike
 * the original, the ids are checked: the room id by its rule, the user id by the PeerJS token only its holder knows.
 */
public final class RoomSignaling {
  private static final Logger log = LoggerFactory.getLogger(RoomSignaling.class);

  public static final String JOIN = "join-room";
  public static final String USER_CONNECTED = "user-connected";
  public static final String USER_DISCONNECTED = "user-disconnected";

  private final SocketIOServer io;
  private final Realm realm;
  private final Rooms rooms;

  public RoomSignaling(SocketIOServer io, Realm realm, Rooms rooms) {
    this.io = io;
    this.realm = realm;
    this.rooms = rooms;
  }

  /** Registers the listeners; call before the server starts. */
  public void install() {
    io.addMultiTypeEventListener(JOIN, this::onJoin, Object.class, Object.class, Object.class);
    io.addDisconnectListener(this::onDisconnect);
  }

  private void onJoin(SocketIOClient client, MultiTypeArgs args, AckRequest ack) {
    Object room = args.get(0);
    Object user = args.get(1);
    Object proof = args.get(2);
    if (!(room instanceof String roomId) || !HttpRouter.ROOM_ID.matcher(roomId).matches()) {
      reject(client, ack, Rooms.JoinError.BAD_ROOM);
      return;
    }
    String token = proof instanceof Map<?, ?> m && m.get("token") instanceof String t ? t : null;
    PeerClient peer = user instanceof String userId ? realm.get(userId) : null;
    if (peer == null || !peer.tokenMatches(token)) {
      reject(client, ack, Rooms.JoinError.BAD_USER);
      return;
    }
    Rooms.Joined joined = rooms.join(client.getSessionId(), roomId, peer.id());
    if (joined.error() != null) {
      reject(client, ack, joined.error());
      return;
    }
    if (joined.replaced() != null) {
      // The same client on a new connection (it reconnected): retire the old one without announcing a leave.
      SocketIOClient old = io.getClient(joined.replaced().session());
      if (old != null) {
        old.disconnect();
      }
    }
    client.joinRoom(roomId);
    io.getRoomOperations(roomId).sendEvent(USER_CONNECTED, client, peer.id());
    log.info(
        "event=join room={} peer={} others={}", roomId, LogText.escape(peer.id()), joined.others().size());
    if (ack.isAckRequested()) {
      Map<String, Object> reply = new LinkedHashMap<>();
      reply.put("ok", true);
      reply.put("members", joined.others().stream().map(Rooms.Member::peerId).toList());
      reply.put("capacity", rooms.capacity());
      ack.sendAckData(reply);
    }
  }

  private void reject(SocketIOClient client, AckRequest ack, Rooms.JoinError error) {
    log.info("event=join-rejected session={} reason={}", client.getSessionId(), error.code());
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("ok", false);
    reply.put("error", error.code());
    reply.put("message", error.message());
    if (ack.isAckRequested()) {
      ack.sendAckData(reply);
    } else {
      client.sendEvent("join-error", reply);
    }
  }

  private void onDisconnect(SocketIOClient client) {
    Rooms.Member m = rooms.leave(client.getSessionId());
    if (m == null) {
      return;
    }
    io.getRoomOperations(m.room()).sendEvent(USER_DISCONNECTED, client, m.peerId());
    log.info("event=leave room={} peer={}", m.room(), LogText.escape(m.peerId()));
  }
}
