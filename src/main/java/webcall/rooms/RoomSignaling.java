package webcall.rooms;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import webcall.limit.TokenBucket;
import webcall.logging.LogText;
import webcall.peerjs.Realm;
import webcall.socketio.Ack;
import webcall.socketio.DisconnectReason;
import webcall.socketio.Socket;
import webcall.socketio.SocketIoHandler;

/**
 * The room events on Socket.IO (docs/signaling.md). The original three: {@code join-room(roomId,
 * userId, {token, ...profile})} joins and the others get {@code user-connected(userId, profile)}; a
 * disconnect sends {@code user-disconnected(userId)} exactly once. Added: {@code state} (name,
 * mute, camera, screen share) and {@code chat}. Unlike the original, everything is checked: the
 * room id by its rule, the user id by the PeerJS token only its holder knows, texts by length, and
 * every socket by rate.
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
  public static final String ROOM_SETTINGS = "room-settings";
  public static final String ADMIT = "admit";
  public static final String DENY = "deny";
  public static final String REMOVE = "remove-participant";
  public static final String KNOCK = "knock";
  public static final String KNOCK_WITHDRAWN = "knock-withdrawn";
  public static final String KNOCK_DENIED = "knock-denied";
  public static final String ADMITTED = "admitted";
  public static final String REMOVED = "removed";
  public static final String HOST_CHANGED = "host-changed";

  /**
   * Most client addresses whose password attempts are counted at once; past it the counts start
   * over.
   */
  private static final int MAX_COUNTED_ADDRESSES = 10_000;

  private static final int MAX_KNOCK_ID = 64;
  private static final long CALM_NANOS = 1_000_000_000L;

  private final LocalRoomEvents sockets;
  private final RoomEvents events;
  private final PeerCheck peers;
  private final RoomDirectory rooms;
  private final Map<String, Flow> flows = new ConcurrentHashMap<>();
  private final AtomicLong dropped = new AtomicLong();
  private final RoomMetrics metrics;
  private volatile boolean draining;
  private final Map<String, TokenBucket> attemptsByAddress = new ConcurrentHashMap<>();
  private final boolean allowLegacyJoin;
  private final java.util.Set<String> leavesOwed = ConcurrentHashMap.newKeySet();

  /** One socket's rate limit and, while it floods, since when. */
  private static final class Flow {
    final TokenBucket bucket;
    long floodingSince; // guarded by this
    long lastDrop;
    final TokenBucket passwordAttempts;

    Flow(SignalingLimits limits, LongSupplier nanos) {
      bucket = new TokenBucket(limits.eventsPerSecond(), limits.eventBurst(), nanos);
      passwordAttempts = perMinute(limits.passwordAttemptsPerMinute(), nanos);
    }
  }

  private final SignalingLimits limits;
  private final long floodGraceNanos;
  private final RoomClock clock;

  /** Room events to this node's sockets, on the system's clocks, counted nowhere. */
  public RoomSignaling(Realm realm, RoomDirectory rooms, SignalingLimits limits) {
    this(realm, rooms, limits, RoomMetrics.none(), false, RoomClock.SYSTEM);
  }

  /**
   * Room events to this node's sockets, counted in {@code metrics}.
   *
   * @param allowLegacyJoin accept {@code join-room(roomId, userId)} without a token for an id
   *     connected to the PeerJS server, as the original page sends it (--allow-legacy-join): the
   *     client's word for its id is trusted
   * @param clock the event rate, the flood timer and the chat's time read it
   */
  public RoomSignaling(
      Realm realm,
      RoomDirectory rooms,
      SignalingLimits limits,
      RoomMetrics metrics,
      boolean allowLegacyJoin,
      RoomClock clock) {
    this(realm, RoomsWiring.local(rooms), limits, metrics, allowLegacyJoin, clock);
  }

  /**
   * The rooms as the wiring chose them: one node's, or a cluster's (events to members on any node,
   * PeerJS ids checked wherever they are connected).
   */
  public RoomSignaling(
      Realm realm,
      RoomsWiring wiring,
      SignalingLimits limits,
      RoomMetrics metrics,
      boolean allowLegacyJoin,
      RoomClock clock) {
    this(
        wiring.peers().apply(PeerCheck.local(realm)),
        wiring.directory(),
        limits,
        new LocalRoomEvents(wiring.directory()),
        wiring,
        metrics,
        allowLegacyJoin,
        clock);
  }

  /**
   * @param sockets this node's sockets, by connection id
   * @param wiring how room events reach the members, given {@code sockets}
   */
  private RoomSignaling(
      PeerCheck peers,
      RoomDirectory rooms,
      SignalingLimits limits,
      LocalRoomEvents sockets,
      RoomsWiring wiring,
      RoomMetrics metrics,
      boolean allowLegacyJoin,
      RoomClock clock) {
    this.metrics = metrics;
    this.allowLegacyJoin = allowLegacyJoin;
    this.limits = limits;
    this.floodGraceNanos = limits.floodGraceMillis() * 1_000_000L;
    this.clock = clock;
    this.sockets = sockets;
    this.events = wiring.events().apply(sockets);
    this.peers = peers;
    this.rooms = rooms;
    metrics.watch(rooms, this);
  }

  /**
   * The server drains (it will stop): from now on a join-room gets {@code draining}, except from a
   * member rejoining its own room (a dropped connection back), so the calls in progress keep their
   * signaling. Nothing else changes.
   */
  public void drain() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  @Override
  public void connected(Socket socket) {
    sockets.connected(socket);
  }

  @Override
  public void event(Socket socket, String name, List<Object> args, Ack ack) {
    try {
      dispatch(socket, name, args, ack);
    } catch (RoomsUnavailable e) {
      log.warn(
          "event=rooms-unavailable session={} on={} error={}", socket.id(), name, e.getMessage());
      if (name.equals(JOIN)) {
        metrics.refused(RoomDirectory.JoinError.UNAVAILABLE);
      }
      reject(socket, ack, RoomDirectory.JoinError.UNAVAILABLE);
    }
  }

  private void dispatch(Socket socket, String name, List<Object> args, Ack ack) {
    switch (name) {
      case JOIN -> onJoin(socket, args, ack);
      case STATE -> onState(socket, args, ack);
      case CHAT -> onChat(socket, args, ack);
      case ROOM_SETTINGS -> onSettings(socket, args, ack);
      case ADMIT, DENY -> onKnockAnswer(socket, name.equals(ADMIT), args, ack);
      case REMOVE -> onRemove(socket, args, ack);
      default -> {} // not ours: ignored, as before
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
    Flow flow = flows.computeIfAbsent(client.id(), k -> new Flow(limits, clock.nanos()));
    long now = clock.nanos().getAsLong();
    boolean admitted = flow.bucket.take();
    boolean cutOff = false;
    synchronized (flow) {
      if (admitted) {
        // A flood is over once a whole second passed without a drop; the refill alone does not end
        // it.
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
      client.disconnect(DisconnectReason.FLOOD);
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
      refuseJoin(client, ack, RoomDirectory.JoinError.BAD_ROOM);
      return;
    }
    Object token = extra.get("token");
    String peer = user instanceof String userId ? userId : null;
    boolean held =
        peer != null
            && (token instanceof String t
                ? peers.connected(peer, t)
                // the seed's page: (roomId, userId) alone
                : allowLegacyJoin && token == null && peers.connected(peer, null));
    if (!held) {
      refuseJoin(client, ack, RoomDirectory.JoinError.BAD_USER);
      return;
    }
    if (draining && !roomId.equals(rooms.roomOfPeer(peer))) {
      refuseJoin(client, ack, RoomDirectory.JoinError.DRAINING);
      return;
    }
    Profile profile = Profile.ANONYMOUS.with(extra, limits.nameLength());
    if (profile == null) {
      refuseJoin(client, ack, RoomDirectory.JoinError.BAD_PROFILE);
      return;
    }
    Object password = extra.get("password");
    if (password != null && !(password instanceof String)) {
      refuseJoin(client, ack, RoomDirectory.JoinError.BAD_REQUEST);
      return;
    }
    if (password != null && rooms.hasPassword(roomId) && !attemptAllowed(client)) {
      log.info(
          "event=password-attempts-over room={} session={} addr={}",
          roomId,
          client.id(),
          LogText.escape(client.clientAddress()));
      refuseJoin(client, ack, RoomDirectory.JoinError.TOO_MANY_ATTEMPTS);
      return;
    }
    RoomDirectory.Joined joined = rooms.join(client.id(), roomId, peer, profile, (String) password);
    if (joined.error() == RoomDirectory.JoinError.KNOCKING) {
      if (joined.host()
          != null) { // a new knock (a repeated join while knocking tells the host nothing new)
        events.toConnection(rooms.hostSession(roomId), KNOCK, joined.knock().toWire());
        log.info("event=knock room={} peer={}", roomId, LogText.escape(peer));
      }
      reject(client, ack, RoomDirectory.JoinError.KNOCKING);
      return;
    }
    if (joined.error() != null) {
      refuseJoin(client, ack, joined.error());
      return;
    }
    completeJoin(client.id(), joined, ack, false);
  }

  /**
   * Announces a join that went through (asked for now, or admitted by the host) and answers the
   * newcomer.
   */
  private void completeJoin(
      String session, RoomDirectory.Joined joined, Ack ack, boolean admitted) {
    RoomDirectory.Member me = rooms.memberOf(session);
    if (me == null) {
      return; // gone meanwhile: its leave took care of itself
    }
    if (joined.replaced() != null) {
      // The same client on a new connection (it reconnected): retire the old one without announcing
      // a leave.
      events.disconnect(joined.replaced().session());
    }
    metrics.joined();
    events.toRoom(me.room(), session, USER_CONNECTED, me.peerId(), me.toWire());
    log.info(
        "event=join room={} peer={} others={}",
        me.room(),
        LogText.escape(me.peerId()),
        joined.others().size());
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("ok", true);
    reply.put("members", joined.others().stream().map(RoomDirectory.Member::peerId).toList());
    reply.put("participants", joined.others().stream().map(RoomDirectory.Member::toWire).toList());
    reply.put("capacity", rooms.capacity());
    reply.put("host", joined.host());
    reply.put("settings", joined.settings().toWire());
    if (admitted) { // its join-room was answered with "knocking" long ago
      events.toConnection(session, ADMITTED, reply);
    } else if (ack != null) {
      ack.send(reply);
    }
    if (session.equals(rooms.hostSession(me.room()))) {
      for (RoomDirectory.Knock k :
          rooms.knocks(me.room())) { // a host that reconnected hears of who still waits
        events.toConnection(session, KNOCK, k.toWire());
      }
    }
  }

  private static TokenBucket perMinute(int attempts, LongSupplier nanos) {
    return new TokenBucket(attempts / 60.0, attempts, nanos);
  }

  /**
   * One password attempt, counted per connection and per client address (the forwarded one with
   * --proxied).
   */
  private boolean attemptAllowed(Socket client) {
    Flow flow = flows.computeIfAbsent(client.id(), k -> new Flow(limits, clock.nanos()));
    if (!flow.passwordAttempts.take()) {
      return false;
    }
    if (attemptsByAddress.size() > MAX_COUNTED_ADDRESSES) {
      attemptsByAddress.clear();
    }
    return attemptsByAddress
        .computeIfAbsent(
            String.valueOf(client.clientAddress()),
            k -> perMinute(limits.passwordAttemptsPerAddressPerMinute(), clock.nanos()))
        .take();
  }

  /** room-settings({locked?, knock?, password?}): the host closes or opens the room. */
  private void onSettings(Socket client, List<Object> args, Ack ack) {
    if (!admit(client)) {
      return;
    }
    if (!(arg(args, 0) instanceof Map<?, ?> changes)) {
      reject(client, ack, RoomDirectory.JoinError.BAD_REQUEST);
      return;
    }
    Object locked = changes.get("locked");
    Object knock = changes.get("knock");
    Object password =
        changes.containsKey("password") && changes.get("password") == null
            ? ""
            : changes.get("password");
    if (locked != null && !(locked instanceof Boolean)
        || knock != null && !(knock instanceof Boolean)
        || password != null
            && !(password instanceof String p && p.length() <= RoomPassword.MAX_LENGTH)) {
      reject(client, ack, RoomDirectory.JoinError.BAD_REQUEST);
      return;
    }
    RoomDirectory.HostAction done =
        rooms.configure(client.id(), (Boolean) locked, (Boolean) knock, (String) password);
    if (done.error() != null) {
      reject(client, ack, done.error());
      return;
    }
    Map<String, Object> settings = done.settings().toWire();
    events.toRoom(done.member().room(), client.id(), ROOM_SETTINGS, settings);
    log.info(
        "event=room-settings room={} locked={} knock={} password={}",
        done.member().room(),
        done.settings().locked(),
        done.settings().knock(),
        done.settings().password());
    ok(ack, Map.of("ok", true, "settings", settings));
  }

  /** admit(knockId) / deny(knockId): the host answers a knock. */
  private void onKnockAnswer(Socket client, boolean letIn, List<Object> args, Ack ack) {
    if (!admit(client)) {
      return;
    }
    if (!(arg(args, 0) instanceof String knockId) || knockId.length() > MAX_KNOCK_ID) {
      reject(client, ack, RoomDirectory.JoinError.BAD_REQUEST);
      return;
    }
    RoomDirectory.HostAction done =
        letIn ? rooms.admit(client.id(), knockId) : rooms.deny(client.id(), knockId);
    if (done.error() != null) {
      reject(client, ack, done.error());
      return;
    }
    RoomDirectory.Knock k = done.knock();
    log.info(
        "event={} room={} peer={}",
        letIn ? "knock-admitted" : "knock-denied",
        k.room(),
        LogText.escape(k.peerId()));
    if (!letIn || done.joined().error() != null) {
      events.toConnection(
          k.session(),
          KNOCK_DENIED,
          errorReply(letIn ? done.joined().error() : RoomDirectory.JoinError.KNOCK_DENIED));
    } else {
      completeJoin(k.session(), done.joined(), null, true);
    }
    ok(ack, Map.of("ok", true));
  }

  /** remove-participant(peerId): the host sends a member out for good (for the room's lifetime). */
  private void onRemove(Socket client, List<Object> args, Ack ack) {
    if (!admit(client)) {
      return;
    }
    if (!(arg(args, 0) instanceof String peerId) || peerId.length() > 64) {
      reject(client, ack, RoomDirectory.JoinError.BAD_REQUEST);
      return;
    }
    RoomDirectory.HostAction done = rooms.remove(client.id(), peerId);
    if (done.error() != null) {
      reject(client, ack, done.error());
      return;
    }
    RoomDirectory.Member gone = done.member();
    events.toConnection(gone.session(), REMOVED, errorReply(RoomDirectory.JoinError.REMOVED));
    events.toRoom(gone.room(), null, USER_DISCONNECTED, gone.peerId());
    log.info("event=removed room={} peer={}", gone.room(), LogText.escape(gone.peerId()));
    ok(ack, Map.of("ok", true));
  }

  private void onState(Socket client, List<Object> args, Ack ack) {
    RoomDirectory.Member me = admittedMember(client, ack);
    if (me == null) {
      return;
    }
    Profile next =
        arg(args, 0) instanceof Map<?, ?> update
            ? me.profile().with(update, limits.nameLength())
            : null;
    if (next == null) {
      reject(client, ack, RoomDirectory.JoinError.BAD_PROFILE);
      return;
    }
    RoomDirectory.Member updated = rooms.update(client.id(), next);
    if (updated == null) {
      reject(client, ack, RoomDirectory.JoinError.NOT_JOINED);
      return;
    }
    events.toRoom(updated.room(), client.id(), USER_STATE, updated.peerId(), updated.toWire());
    ok(ack, Map.of("ok", true));
  }

  private void onChat(Socket client, List<Object> args, Ack ack) {
    RoomDirectory.Member me = admittedMember(client, ack);
    if (me == null) {
      return;
    }
    String text =
        arg(args, 0) instanceof String s ? UserText.clean(s, limits.chatLength(), true) : null;
    if (text == null || text.isEmpty()) {
      reject(client, ack, RoomDirectory.JoinError.BAD_CHAT);
      return;
    }
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("from", me.peerId());
    message.put("name", me.profile().name());
    message.put("text", text);
    message.put("at", clock.wallMillis().getAsLong());
    events.toRoom(me.room(), client.id(), CHAT_MESSAGE, message);
    metrics.chat();
    ok(ack, Map.of("ok", true, "message", message));
  }

  /**
   * The sender's membership, for events only members may send; null (and the sender told)
   * otherwise.
   */
  private RoomDirectory.Member admittedMember(Socket client, Ack ack) {
    if (!admit(client)) {
      return null;
    }
    RoomDirectory.Member me = rooms.memberOf(client.id());
    if (me == null) {
      reject(client, ack, RoomDirectory.JoinError.NOT_JOINED);
    }
    return me;
  }

  private static void ok(Ack ack, Map<String, Object> reply) {
    if (ack != null) {
      ack.send(reply);
    }
  }

  private void refuseJoin(Socket client, Ack ack, RoomDirectory.JoinError error) {
    metrics.refused(error);
    reject(client, ack, error);
  }

  private void reject(Socket client, Ack ack, RoomDirectory.JoinError error) {
    log.info("event=rejected session={} reason={}", client.id(), error.code());
    Map<String, Object> reply = errorReply(error);
    switch (error) { // the numbers the page puts in its own words
      case ROOM_FULL -> reply.put("capacity", rooms.capacity());
      case BAD_PROFILE -> reply.put("max", limits.nameLength());
      case BAD_CHAT -> reply.put("max", limits.chatLength());
      default -> {}
    }
    if (ack != null) {
      ack.send(reply);
    } else {
      client.emit("request-error", reply);
    }
  }

  private static Map<String, Object> errorReply(RoomDirectory.JoinError error) {
    Map<String, Object> reply = new LinkedHashMap<>();
    reply.put("ok", false);
    reply.put("error", error.code());
    reply.put("message", error.message());
    return reply;
  }

  @Override
  public void disconnected(Socket client, DisconnectReason reason) {
    flows.remove(client.id());
    sockets.disconnected(client);
    connectionGone(client.id());
  }

  /**
   * A connection is gone: it leaves its room (or its knock) and the others are told, once. Called
   * for this node's sockets as they close, and by a cluster for the connections of a node that
   * died. A leave the shared store cannot take now is owed, and settled by {@link #settleLeaves}.
   */
  public void connectionGone(String session) {
    try {
      announceLeave(session, rooms.leave(session));
      leavesOwed.remove(session);
    } catch (RoomsUnavailable e) {
      leavesOwed.add(session);
      log.warn("event=rooms-leave-unavailable session={} error={}", session, e.getMessage());
    }
  }

  /**
   * A member is back in its room after the others were told it left (its node was taken for dead
   * and came back): they hear of it as of a join.
   */
  public void announceBack(RoomDirectory.Member m) {
    events.toRoom(m.room(), m.session(), USER_CONNECTED, m.peerId(), m.toWire());
    log.info("event=member-back room={} peer={}", m.room(), LogText.escape(m.peerId()));
  }

  /** Makes the leaves the shared store could not take when their connections closed. */
  public void settleLeaves() {
    for (String session : List.copyOf(leavesOwed)) {
      connectionGone(session);
    }
  }

  /** Connections gone whose leave the shared store could not take yet. */
  public int leavesOwed() {
    return leavesOwed.size();
  }

  private void announceLeave(String session, RoomDirectory.Left left) {
    if (left.knock() != null) {
      events.toConnection(
          rooms.hostSession(left.knock().room()),
          KNOCK_WITHDRAWN,
          Map.of("knockId", left.knock().id()));
    }
    RoomDirectory.Member m = left.member();
    if (m == null) {
      return;
    }
    events.toRoom(m.room(), session, USER_DISCONNECTED, m.peerId());
    log.info("event=leave room={} peer={}", m.room(), LogText.escape(m.peerId()));
    for (RoomDirectory.Knock k :
        left.dropped()) { // the room ended with them waiting: nobody is left to let them in
      events.toConnection(
          k.session(), KNOCK_DENIED, errorReply(RoomDirectory.JoinError.KNOCK_DENIED));
    }
    if (left.newHost() != null) {
      events.toRoom(m.room(), null, HOST_CHANGED, left.newHost().peerId());
      log.info(
          "event=host-changed room={} peer={}", m.room(), LogText.escape(left.newHost().peerId()));
      for (RoomDirectory.Knock k : rooms.knocks(m.room())) {
        events.toConnection(left.newHost().session(), KNOCK, k.toWire());
      }
    }
  }
}
