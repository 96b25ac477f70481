package webcall.rooms;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is in which room, who hosts it and how it is closed to newcomers: the one owner of
 * membership. A Socket.IO connection (by its socket id) is in at most one room, under one PeerJS
 * id, or knocks at one; a PeerJS id is in at most one room. All changes happen atomically here.
 * Every method takes and returns plain values (connection ids, PeerJS ids, records), no Socket.IO
 * or Netty type, so that a cluster can later carry them between instances.
 *
 * <p>A room's state (host, lock, password, knocks, removed ids) lives as long as it has a member:
 * the last one leaving ends it, and a room of the same name made later starts open.
 */
public final class Rooms {
  /** Most knocks waiting at one room; a further one is refused with {@code knocks-full}. */
  public static final int MAX_KNOCKS = 20;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** A session's place: its room, the PeerJS id it joined with, and what the others see of it. */
  public record Member(String session, String room, String peerId, Profile profile) {
    public Map<String, Object> toWire() {
      return profile.toWire(peerId);
    }
  }

  /** How a room is closed to newcomers, as members see it (never the password itself). */
  public record Settings(boolean locked, boolean knock, boolean password) {
    public static final Settings OPEN = new Settings(false, false, false);

    public Map<String, Object> toWire() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("locked", locked);
      m.put("knock", knock);
      m.put("password", password);
      return m;
    }
  }

  /**
   * A join held until the host decides: a server-made id (never the knocker's connection id) and
   * who knocks.
   */
  public record Knock(String id, String session, String room, String peerId, Profile profile) {
    public Map<String, Object> toWire() {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("knockId", id);
      m.put("name", profile.name());
      return m;
    }
  }

  /**
   * What a join did. {@code replaced} is the earlier session of a client that reconnected, or null;
   * {@code host} the host's PeerJS id after the join; {@code knock} the knock made, with the error
   * {@code KNOCKING}.
   */
  public record Joined(
      JoinError error,
      List<Member> others,
      Member replaced,
      String host,
      Settings settings,
      Knock knock) {
    static Joined refused(JoinError error) {
      return new Joined(error, List.of(), null, null, null, null);
    }
  }

  /**
   * What a leave did: the member that left (null if the session was in no room), the new host if
   * hosting passed on, the knock the session had waiting, and the knocks dropped because the room
   * ended with them.
   */
  public record Left(Member member, Member newHost, Knock knock, List<Knock> dropped) {}

  /**
   * What a host action did: an error, or the member or knock it concerned and the room's settings
   * after it.
   */
  public record HostAction(
      JoinError error,
      Member member,
      Knock knock,
      Joined joined,
      Settings settings,
      List<Knock> knocks) {
    static HostAction refused(JoinError error) {
      return new HostAction(error, null, null, null, null, List.of());
    }
  }

  public enum JoinError {
    ALREADY_JOINED("already-joined", "This connection has already joined a room."),
    BAD_ROOM("bad-room", "The room id is not valid."),
    BAD_USER("bad-user", "The user id is not a PeerJS id held by this client."),
    USER_ELSEWHERE("user-in-other-room", "This PeerJS id is already in another room."),
    ROOM_FULL("room-full", "The room is full."),
    BAD_PROFILE(
        "bad-profile", "The name is too long (see max) or a state field has the wrong type."),
    NOT_JOINED("not-joined", "Join a room first."),
    BAD_CHAT("bad-chat", "A chat message must be text of 1 to max characters."),
    ROOM_LOCKED("room-locked", "The host has locked this room."),
    PASSWORD_REQUIRED("password-required", "This room needs a password."),
    BAD_PASSWORD("bad-password", "The password is wrong."),
    TOO_MANY_ATTEMPTS("too-many-attempts", "Too many password attempts; wait a minute."),
    KNOCKING("knocking", "Waiting for the host to let you in."),
    KNOCK_DENIED("knock-denied", "The host did not let you in."),
    KNOCKS_FULL("knocks-full", "Too many people are waiting at this room."),
    REMOVED("removed", "The host removed you from this room."),
    NOT_HOST("not-host", "Only the room's host may do this."),
    NO_SUCH_KNOCK("no-such-knock", "Nobody is waiting with that knock id."),
    NO_SUCH_MEMBER(
        "no-such-member", "Nobody in this room has that id (and the host cannot remove itself)."),
    BAD_REQUEST("bad-request", "An argument is missing or has the wrong type or length."),
    DRAINING("draining", "The server is shutting down: join again in a moment.");

    private final String code;
    private final String message;

    JoinError(String code, String message) {
      this.code = code;
      this.message = message;
    }

    public String code() {
      return code;
    }

    public String message() {
      return message;
    }
  }

  /**
   * One room: its members in joining order (the first is the longest present), its host and its
   * closures.
   */
  private static final class Room {
    final Map<String, Member> members = new LinkedHashMap<>();
    final Map<String, Knock> knocks = new LinkedHashMap<>();
    final Set<String> removed = new HashSet<>();
    String host; // a session
    boolean locked;
    boolean knock;
    RoomPassword password;

    Settings settings() {
      return new Settings(locked, knock, password != null);
    }

    String hostPeer() {
      Member h = members.get(host);
      return h == null ? null : h.peerId();
    }
  }

  private final int capacity;
  private final Map<String, Room> rooms = new ConcurrentHashMap<>();
  private final Map<String, Member> bySession = new ConcurrentHashMap<>();
  private final Map<String, Member> byPeer = new ConcurrentHashMap<>();
  private final Map<String, Knock> knockBySession = new ConcurrentHashMap<>();

  public Rooms(int capacity) {
    this.capacity = capacity;
  }

  public int capacity() {
    return capacity;
  }

  /** Joins without a password. */
  public Joined join(String session, String room, String peerId, Profile profile) {
    return join(session, room, peerId, profile, null);
  }

  /**
   * Joins {@code session} to {@code room} as {@code peerId}, replacing an earlier session with that
   * id there (a member that reconnected passes lock, password and knock). A newcomer is checked in
   * this order: removed, locked, full, password, knock. The password is checked outside the lock
   * (hashing takes a moment).
   */
  public Joined join(String session, String room, String peerId, Profile profile, String password) {
    RoomPassword required = passwordOf(room);
    RoomPassword passed = required != null && required.matches(password) ? required : null;
    return join(session, room, peerId, profile, password != null, passed);
  }

  private synchronized RoomPassword passwordOf(String room) {
    Room r = rooms.get(room);
    return r == null ? null : r.password;
  }

  /**
   * Whether joining {@code room} now asks for a password (so that an attempt is counted against the
   * limits).
   */
  public synchronized boolean hasPassword(String room) {
    return passwordOf(room) != null;
  }

  private synchronized Joined join(
      String session,
      String room,
      String peerId,
      Profile profile,
      boolean gave,
      RoomPassword passed) {
    if (bySession.containsKey(session)) {
      return Joined.refused(JoinError.ALREADY_JOINED);
    }
    Knock waiting = knockBySession.get(session);
    if (waiting != null) {
      return waiting.room().equals(room) && waiting.peerId().equals(peerId)
          ? new Joined(JoinError.KNOCKING, List.of(), null, null, null, waiting)
          : Joined.refused(JoinError.ALREADY_JOINED);
    }
    Member previous = byPeer.get(peerId);
    if (previous != null && !previous.room().equals(room)) {
      return Joined.refused(JoinError.USER_ELSEWHERE);
    }
    Room r = rooms.get(room);
    if (previous == null && r != null) {
      JoinError closed =
          r.removed.contains(peerId)
              ? JoinError.REMOVED
              : r.locked
                  ? JoinError.ROOM_LOCKED
                  : r.members.size() >= capacity
                      ? JoinError.ROOM_FULL
                      : r.password != null && r.password != passed
                          ? (gave ? JoinError.BAD_PASSWORD : JoinError.PASSWORD_REQUIRED)
                          : null;
      if (closed != null) {
        return Joined.refused(closed);
      }
      if (r.knock) {
        if (r.knocks.size() >= MAX_KNOCKS) {
          return Joined.refused(JoinError.KNOCKS_FULL);
        }
        for (Knock k : r.knocks.values()) {
          if (k.peerId()
              .equals(peerId)) { // the same id knocking from a second connection: one knock per id
            return Joined.refused(JoinError.ALREADY_JOINED);
          }
        }
        Knock k =
            new Knock(HexFormat.of().formatHex(randomBytes()), session, room, peerId, profile);
        r.knocks.put(k.id(), k);
        knockBySession.put(session, k);
        return new Joined(JoinError.KNOCKING, List.of(), null, r.hostPeer(), r.settings(), k);
      }
    }
    return add(session, room, peerId, profile, previous);
  }

  private static byte[] randomBytes() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return b;
  }

  /**
   * Adds a member (already checked); a reconnecting client's old session hands over its place and
   * its hosting.
   */
  private Joined add(String session, String room, String peerId, Profile profile, Member previous) {
    Room r = rooms.get(room);
    if (previous == null && r != null && r.members.size() >= capacity) {
      return Joined.refused(JoinError.ROOM_FULL);
    }
    boolean wasHost = false;
    if (previous != null) {
      wasHost = previous.session().equals(r.host);
      bySession.remove(previous.session());
      byPeer.remove(previous.peerId(), previous);
      r.members.remove(previous.session());
    }
    if (r == null) {
      r = new Room();
      rooms.put(room, r);
    }
    List<Member> others = new ArrayList<>(r.members.values());
    Member me = new Member(session, room, peerId, profile);
    r.members.put(session, me);
    bySession.put(session, me);
    byPeer.put(peerId, me);
    if (r.host == null || wasHost || !r.members.containsKey(r.host)) {
      r.host = session;
    }
    return new Joined(null, others, previous, r.hostPeer(), r.settings(), null);
  }

  /** Removes the session (a member or a knocker); a member is returned once, null ever after. */
  public synchronized Left leave(String session) {
    Knock k = knockBySession.remove(session);
    if (k != null) {
      Room r = rooms.get(k.room());
      if (r != null) {
        r.knocks.remove(k.id());
      }
    }
    Member m = bySession.get(session);
    if (m == null) {
      return new Left(null, null, k, List.of());
    }
    Room r = rooms.get(m.room());
    bySession.remove(session);
    byPeer.remove(m.peerId(), m);
    r.members.remove(session);
    if (r.members.isEmpty()) {
      rooms.remove(m.room());
      List<Knock> dropped = new ArrayList<>(r.knocks.values());
      dropped.forEach(d -> knockBySession.remove(d.session()));
      return new Left(m, null, k, dropped);
    }
    Member newHost = null;
    if (session.equals(r.host)) {
      newHost = r.members.values().iterator().next();
      r.host = newHost.session();
    }
    return new Left(m, newHost, k, List.of());
  }

  /** The host's membership, or an error for a session that is not a member or not the host. */
  private Object hostRoom(String session) {
    Member m = bySession.get(session);
    if (m == null) {
      return JoinError.NOT_JOINED;
    }
    Room r = rooms.get(m.room());
    return session.equals(r.host) ? r : JoinError.NOT_HOST;
  }

  /**
   * The host changes how the room is closed: each non-null field is set; {@code password} is a new
   * password, "" clears it, null leaves it. The room's settings after the change come back.
   */
  public HostAction configure(String session, Boolean locked, Boolean knock, String password) {
    RoomPassword hashed = password == null || password.isEmpty() ? null : RoomPassword.of(password);
    return configure(session, locked, knock, password != null, hashed);
  }

  private synchronized HostAction configure(
      String session, Boolean locked, Boolean knock, boolean setPassword, RoomPassword hashed) {
    if (!(hostRoom(session) instanceof Room r)) {
      return HostAction.refused((JoinError) hostRoom(session));
    }
    if (locked != null) {
      r.locked = locked;
    }
    if (knock != null) {
      r.knock = knock;
    }
    if (setPassword) {
      r.password = hashed;
    }
    return new HostAction(null, bySession.get(session), null, null, r.settings(), List.of());
  }

  /**
   * The host lets a knocker in: the knocker joins as if it had just asked (capacity still applies).
   */
  public synchronized HostAction admit(String session, String knockId) {
    if (!(hostRoom(session) instanceof Room r)) {
      return HostAction.refused((JoinError) hostRoom(session));
    }
    Knock k = r.knocks.get(knockId);
    if (k == null) {
      return HostAction.refused(JoinError.NO_SUCH_KNOCK);
    }
    Member elsewhere = byPeer.get(k.peerId());
    if (elsewhere == null && r.members.size() >= capacity) {
      return HostAction.refused(JoinError.ROOM_FULL); // the knock stays: someone may leave
    }
    r.knocks.remove(knockId);
    knockBySession.remove(k.session());
    if (elsewhere != null && !elsewhere.room().equals(k.room())) {
      return new HostAction(
          null, null, k, Joined.refused(JoinError.USER_ELSEWHERE), r.settings(), List.of());
    }
    Joined joined = add(k.session(), k.room(), k.peerId(), k.profile(), elsewhere);
    return new HostAction(null, null, k, joined, r.settings(), List.of());
  }

  /** The host turns a knocker away. */
  public synchronized HostAction deny(String session, String knockId) {
    if (!(hostRoom(session) instanceof Room r)) {
      return HostAction.refused((JoinError) hostRoom(session));
    }
    Knock k = r.knocks.remove(knockId);
    if (k == null) {
      return HostAction.refused(JoinError.NO_SUCH_KNOCK);
    }
    knockBySession.remove(k.session());
    return new HostAction(null, null, k, null, r.settings(), List.of());
  }

  /**
   * The host removes a member: it leaves the room, and its PeerJS id may not join the room again
   * while the room lasts (nor knock).
   */
  public synchronized HostAction remove(String session, String peerId) {
    if (!(hostRoom(session) instanceof Room r)) {
      return HostAction.refused((JoinError) hostRoom(session));
    }
    Member target = byPeer.get(peerId);
    if (target == null
        || !r.members.containsKey(target.session())
        || target.session().equals(session)) {
      return HostAction.refused(JoinError.NO_SUCH_MEMBER);
    }
    r.removed.add(peerId);
    r.members.remove(target.session());
    bySession.remove(target.session());
    byPeer.remove(peerId, target);
    return new HostAction(null, target, null, null, r.settings(), List.of());
  }

  /** The knocks waiting at a room, oldest first. */
  public synchronized List<Knock> knocks(String room) {
    Room r = rooms.get(room);
    return r == null ? List.of() : List.copyOf(r.knocks.values());
  }

  /** A room's settings; open for a room that does not exist. */
  public synchronized Settings settings(String room) {
    Room r = rooms.get(room);
    return r == null ? Settings.OPEN : r.settings();
  }

  /** The connection of a room's host, or null for a room that does not exist. */
  public synchronized String hostSession(String room) {
    Room r = rooms.get(room);
    return r == null ? null : r.host;
  }

  /**
   * Changes a member's profile; returns the updated member, or null if the session is in no room.
   */
  public synchronized Member update(String session, Profile profile) {
    Member m = bySession.get(session);
    if (m == null) {
      return null;
    }
    Member updated = new Member(session, m.room(), m.peerId(), profile);
    bySession.put(session, updated);
    byPeer.put(m.peerId(), updated);
    rooms.get(m.room()).members.put(session, updated);
    return updated;
  }

  /**
   * The connection ids of a room's members, in joining order; empty for a room that does not exist.
   */
  public synchronized List<String> members(String room) {
    Room r = rooms.get(room);
    return r == null ? List.of() : List.copyOf(r.members.keySet());
  }

  /** The room {@code peerId} is in now, or null. */
  public String roomOfPeer(String peerId) {
    Member m = byPeer.get(peerId);
    return m == null ? null : m.room();
  }

  public Member memberOf(String session) {
    return bySession.get(session);
  }

  /** Members in a room; 0 for a room that does not exist (an empty room is forgotten). */
  public synchronized int size(String room) {
    Room r = rooms.get(room);
    return r == null ? 0 : r.members.size();
  }

  public int roomCount() {
    return rooms.size();
  }

  public int memberCount() {
    return bySession.size();
  }

  /** Connections knocking anywhere; for tests that check nothing is kept. */
  public int knockCount() {
    return knockBySession.size();
  }
}
