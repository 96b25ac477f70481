package webcall.rooms;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.limit.TokenBucket;
import webcall.logging.LogText;
import webcall.peerjs.PeerClient;
import webcall.peerjs.Realm;
import webcall.socketio.Ack;
import webcall.socketio.DisconnectReason;
import webcall.socketio.Socket;
import webcall.socketio.SocketIoHandler;

/**
 * The room events on Socket.IO (docs/signaling.md). The original three: {@code join-room(roomId, userId, {token,
 * ...profile})} joins and the others get {@code user-connected(userId, profile)}; a disconnect sends {@code
 * user-disconnected(userId)} exactly once. Added: {@code state} (name, mute, camera, screen share) and {@code chat}.
 * Unlike the original, everything is checked: the room id by its rule, the user id by the PeerJS token only its
 * holder knows, texts by length, and every socket by rate.
 */
public final class RoomSignaling implements SocketIoHandler {
  private static final Logger log = LoggerFactory.getLogger(RoomSignaling.class);

  public static final String JOIN = "join-room";
  public static final String STATE = "state";
  public static final String CHAT = "chat";
  public static final String USER_CONNECTED = "user-connected";
  public static final String USER_DISCONNECTED = "user-disconnected";
  public static final String USER_STATE = "user-state";
  public static final String CHAT_MESSAGE = "chat-message";
  private static final long CALM_NANOS = 1_000_000_000L;

  private final LocalRoomEvents sockets;
  private final RoomEvents events;
  private final Realm realm;
  private final Rooms rooms;
  private final Map<String, Flow> flows = new ConcurrentHashMap<>();
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

  /** Room events to this node's sockets. */
  public RoomSignaling(Realm realm, Rooms rooms, SignalingLimits limits) {
    this(realm, rooms, limits, new LocalRoomEvents(rooms));
  }

  private RoomSignaling(Realm realm, Rooms rooms, SignalingLimits limits, LocalRoomEvents local) {
    this(realm, rooms, limits, local, local);
  }

  /**
   * @param sockets this node's sockets, by connection id
   * @param events how room events reach the members (this node's sockets, or later a cluster's)
   */
  public RoomSignaling(Realm realm, Rooms rooms, SignalingLimits limits, LocalRoomEvents sockets, RoomEvents events) {
    this.limits = limits;
    this.floodGraceNanos = limits.floodGraceMillis() * 1_000_000L;
    this.sockets = sockets;
    this.events = events;
    this.realm = realm;
    this.rooms = rooms;
  }

  @Override
  public void connected(Socket socket) {
    sockets.connected(socket);
  }

  @Override
  public void event(Socket socket, String name, List<Object> args, Ack ack) {
    switch (name) {
      case JOIN -> onJoin(socket, args, ack);
      case STATE -> onState(socket, args, ack);
      case CHAT -> onChat(socket, args, ack);
      default -> { } // not ours: ignored, as before
    }
  }

  private static Object arg(List<Object> args, int i) {
    return i < args.size() ? args.get(i) : null;
  }

  /** Events dropped for going over the rate limit since start. */
  public long droppedEvents() {
    return dropped.get();
  }

  private boolean admit(Socket client) {
    Flow flow = flows.computeIfAbsent(client.id(), k -> new Flow(limits));
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
      log.info("event=flood-disconnect session={}", client.id());
      client.disconnect();
    }
    return false;
  }

  private void onJoin(Socket client, List<Object> args, Ack ack) {
    if (!admit(client)) {
      return;
    }
    Object room = arg(args, 0);
    Object user = arg(args, 1);
    Map<?, ?> extra = arg(args, 2) instanceof Map<?, ?> m ? m : Map.of();
    if (!(room instanceof String roomId) || !RoomId.isValid(roomId)) {
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
    Rooms.Joined joined = rooms.join(client.id(), roomId, peer.id(), profile);
    if (joined.error() != null) {
      reject(client, ack, joined.error());
      return;
    }
    if (joined.replaced() != null) {
      // The same client on a new connection (it reconnected): retire the old one without announcing a leave.
      events.disconnect(joined.replaced().session());
    }
    events.toRoom(roomId, client.id(), USER_CONNECTED, peer.id(), profile.toWire(peer.id()));
    log.info("event=join room={} peer={} others={}", roomId, LogText.escape(peer.id()), joined.others().size());
    if (ack != null) {
      Map<String, Object> reply = new LinkedHashMap<>();
      reply.put("ok", true);
      reply.put("members", joined.others().stream().map(Rooms.Member::peerId).toList());
      reply.put("participants", joined.others().stream().map(Rooms.Member::toWire).toList());
      reply.put("capacity", rooms.capacity());
      ack.send(reply);
    }
  }

  private void onState(Socket client, List<Object> args, Ack ack) {
    Rooms.Member me = admittedMember(client, ack);
    if (me == null) {
      return;
    }
    Profile next = arg(args, 0) instanceof Map<?, ?> update ? me.profile().with(update, limits.nameLength()) : null;
    if (next == null) {
      reject(client, ack, Rooms.JoinError.BAD_PROFILE);
      return;
    }
    Rooms.Member updated = rooms.update(client.id(), next);
    if (updated == null) {
      reject(client, ack, Rooms.JoinError.NOT_JOINED);
      return;
    }
    events.toRoom(updated.room(), client.id(), USER_STATE, updated.peerId(), updated.toWire());
    ok(ack, Map.of("ok", true));
  }

  private void onChat(Socket client, List<Object> args, Ack ack) {
    Rooms.Member me = admittedMember(client, ack);
    if (me == null) {
      return;
    }
    String text = arg(args, 0) instanceof String s ? UserText.clean(s, limits.chatLength(), true) : null;
    if (text == null || text.isEmpty()) {
      reject(client, ack, Rooms.JoinError.BAD_CHAT);
      return;
    }
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("from", me.peerId());
    message.put("name", me.profile().name());
    message.put("text", text);
    message.put("at", System.currentTimeMillis());
    events.toRoom(me.room(), client.id(), CHAT_MESSAGE, message);
    ok(ack, Map.of("ok", true, "message", message));
  }

  /** The sender's membership, for events only members may send; null (and the sender told) otherwise. */
  private Rooms.Member admittedMember(Socket client, Ack ack) {
    if (!admit(client)) {
      return null;
    }
    Rooms.Member me = rooms.memberOf(client.id());
    if (me == null) {
      reject(client, ack, Rooms.JoinError.NOT_JOINED);
    }
    return me;
  }

  private static void ok(Ack ack, Map<String, Object> reply) {
    if (ack != null) {
      ack.send(reply);
    }
  }

  private void reject(Socket client, Ack ack, Rooms.JoinError error) {
    log.info("event=rejected session={} reason={}", client.id(), error.code());
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
    if (ack != null) {
      ack.send(reply);
    } else {
      client.emit("request-error", reply);
    }
  }

  @Override
  public void disconnected(Socket client, DisconnectReason reason) {
    flows.remove(client.id());
    sockets.disconnected(client);
    Rooms.Member m = rooms.leave(client.id());
    if (m == null) {
      return;
    }
    events.toRoom(m.room(), client.id(), USER_DISCONNECTED, m.peerId());
    log.info("event=leave room={} peer={}", m.room(), LogText.escape(m.peerId()));
  }
}
