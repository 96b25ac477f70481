package webcall.rooms;

import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.MultiTypeArgs;
import com.corundumstudio.socketio.SocketIOClient;
import com.corundumstudio.socketio.SocketIOServer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.http.HttpRouter;
import webcall.limit.TokenBucket;
import webcall.logging.LogText;
import webcall.peerjs.PeerClient;
import webcall.peerjs.Realm;

/**
 * The room events on Socket.IO (docs/signaling.md). The original three: {@code join-room(roomId, userId, {token,
 * ...profile})} joins and the others get {@code user-connected(userId, profile)}; a disconnect sends {@code
 * user-disconnected(userId)} exactly once. Added: {@code state} (name, mute, camera, screen share) and {@code chat}.
 * Unlike the original, everything is checked: the room id by its rule, the user id by the PeerJS token only its
 * holder knows, texts by length, and every socket by rate.
 */
public final class RoomSignaling {
  private static final Logger log = LoggerFactory.getLogger(RoomSignaling.class);

  public static final String JOIN = "join-room";
  public static final String STATE = "state";
  public static final String CHAT = "chat";
  public static final String USER_CONNECTED = "user-connected";
  public static final String USER_DISCONNECTED = "user-disconnected";
  public static final String USER_STATE = "user-state";
  public static final String CHAT_MESSAGE = "chat-message";
  private static final long CALM_NANOS = 1_000_000_000L;

  private final SocketIOServer io;
  private final Realm realm;
  private final Rooms rooms;
  private final Map<UUID, Flow> flows = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();

  /** One socket's rate limit and, while it floods, since when. */
  private static final class Flow {
    final TokenBucket bucket;
    long floodingSince; // guarded by this
    long lastDrop;

    Flow(SignalingLimits limits) {
      bucket = new TokenBucket(limits.eventsPerSecond(), limits.eventBurst());
    }
  }

  private final SignalingLimits limits;
  private final long floodGraceNanos;

  public RoomSignaling(SocketIOServer io, Realm realm, Rooms rooms, SignalingLimits limits) {
    this.limits = limits;
    this.floodGraceNanos = limits.floodGraceMillis() * 1_000_000L;
    this.io = io;
    this.realm = realm;
    this.rooms = rooms;
  }

  /** Registers the listeners; call before the server starts. */
  public void install() {
    io.addMultiTypeEventListener(JOIN, this::onJoin, Object.class, Object.class, Object.class);
    io.addMultiTypeEventListener(STATE, this::onState, Object.class);
    io.addMultiTypeEventListener(CHAT, this::onChat, Object.class);
    io.addDisconnectListener(this::onDisconnect);
  }

  /** Events dropped for going over the rate limit since start. */
  public long droppedEvents() {
    return dropped.get();
  }

  private boolean admit(SocketIOClient client) {
    Flow flow = flows.computeIfAbsent(client.getSessionId(), k -> new Flow(limits));
    long now = System.nanoTime();
    boolean admitted = flow.bucket.take();
    boolean cutOff = false;
    synchronized (flow) {
      if (admitted) {
        // A flood is over once a whole second passed without a drop; the refill alone does not end it.
        if (flow.floodingSince != 0 && now - flow.lastDrop > CALM_NANOS) {
          flow.floodingSince = 0;
        }
      } else {
        flow.lastDrop = now;
        if (flow.floodingSince == 0) {
          flow.floodingSince = now;
        } else if (now - flow.floodingSince > floodGraceNanos) {
          cutOff = true;
        }
      }
    }
    if (admitted) {
      return true;
    }
    dropped.incrementAndGet();
    if (cutOff) {
      log.info("event=flood-disconnect session={}", client.getSessionId());
      client.disconnect();
    }
    return false;
  }

  private void onJoin(SocketIOClient client, MultiTypeArgs args, AckRequest ack) {
    if (!admit(client)) {
      return;
    }
    Object room = args.get(0);
    Object user = args.get(1);
    Map<?, ?> extra = args.get(2) instanceof Map<?, ?> m ? m : Map.of();
    if (!(room instanceof String roomId) || !HttpRouter.ROOM_ID.matcher(roomId).matches()) {
      reject(client, ack, Rooms.JoinError.BAD_ROOM);
      return;
    }
    String token = extra.get("token") instanceof String t ? t : null;
    PeerClient peer = user instanceof String userId ? realm.get(userId) : null;
    if (peer == null || !peer.tokenMatches(token)) {
      reject(client, ack, Rooms.JoinError.BAD_USER);
      return;
    }
    Profile profile = Profile.ANONYMOUS.with(extra, limits.nameLength());
    if (profile == null) {
      reject(client, ack, Rooms.JoinError.BAD_PROFILE);
      return;
    }
    Rooms.Joined joined = rooms.join(client.getSessionId(), roomId, peer.id(), profile);
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
    io.getRoomOperations(roomId).sendEvent(USER_CONNECTED, client, peer.id(), profile.toWire(peer.id()));
    log.info("event=join room={} peer={} others={}", roomId, LogText.escape(peer.id()), joined.others().size());
    if (ack.isAckRequested()) {
      Map<String, Object> reply = new LinkedHashMap<>();
      reply.put("ok", true);
      reply.put("members", joined.others().stream().map(Rooms.Member::peerId).toList());
      reply.put("participants", joined.others().stream().map(Rooms.Member::toWire).toList());
      reply.put("capacity", rooms.capacity());
      ack.sendAckData(reply);
    }
  }

  private void onState(SocketIOClient client, MultiTypeArgs args, AckRequest ack) {
    Rooms.Member me = admittedMember(client, ack);
    if (me == null) {
      return;
    }
    Profile next = args.get(0) instanceof Map<?, ?> update ? me.profile().with(update, limits.nameLength()) : null;
    if (next == null) {
      reject(client, ack, Rooms.JoinError.BAD_PROFILE);
      return;
    }
    Rooms.Member updated = rooms.update(client.getSessionId(), next);
    if (updated == null) {
      reject(client, ack, Rooms.JoinError.NOT_JOINED);
      return;
    }
    io.getRoomOperations(updated.room()).sendEvent(USER_STATE, client, updated.peerId(), updated.toWire());
    ok(ack, Map.of("ok", true));
  }

  private void onChat(SocketIOClient client, MultiTypeArgs args, AckRequest ack) {
    Rooms.Member me = admittedMember(client, ack);
    if (me == null) {
      return;
    }
    String text = args.get(0) instanceof String s ? UserText.clean(s, limits.chatLength(), true) : null;
    if (text == null || text.isEmpty()) {
      reject(client, ack, Rooms.JoinError.BAD_CHAT);
      return;
    }
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("from", me.peerId());
    message.put("name", me.profile().name());
    message.put("text", text);
    message.put("at", System.currentTimeMillis());
    io.getRoomOperations(me.room()).sendEvent(CHAT_MESSAGE, client, message);
    ok(ack, Map.of("ok", true, "message", message));
  }

  /** The sender's membership, for events only members may send; null (and the sender told) otherwise. */
  private Rooms.Member admittedMember(SocketIOClient client, AckRequest ack) {
    if (!admit(client)) {
      return null;
    }
    Rooms.Member me = rooms.memberOf(client.getSessionId());
    if (me == null) {
      reject(client, ack, Rooms.JoinError.NOT_JOINED);
    }
    return me;
  }

  private static void ok(AckRequest ack, Map<String, Object> reply) {
    if (ack.isAckRequested()) {
      ack.sendAckData(reply);
    }
  }

  private void reject(SocketIOClient client, AckRequest ack, Rooms.JoinError error) {
    log.info("event=rejected session={} reason={}", client.getSessionId(), error.code());
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("ok", false);
    reply.put("error", error.code());
    reply.put("message", error.message());
    switch (error) { // the numbers the page puts in its own words
      case ROOM_FULL -> reply.put("capacity", rooms.capacity());
      case BAD_PROFILE -> reply.put("max", limits.nameLength());
      case BAD_CHAT -> reply.put("max", limits.chatLength());
      default -> { }
    }
    if (ack.isAckRequested()) {
      ack.sendAckData(reply);
    } else {
      client.sendEvent("request-error", reply);
    }
  }

  private void onDisconnect(SocketIOClient client) {
    flows.remove(client.getSessionId());
    Rooms.Member m = rooms.leave(client.getSessionId());
    if (m == null) {
      return;
    }
    io.getRoomOperations(m.room()).sendEvent(USER_DISCONNECTED, client, m.peerId());
    log.info("event=leave room={} peer={}", m.room(), LogText.escape(m.peerId()));
  }
}
