package webcall.rooms;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Who is in which room, who hosts it and how it is closed to newcomers: the one owner of
 * membership. A Socket.IO connection (by its socket id) is in at most one room, under one PeerJS
 * id, or knocks at one; a PeerJS id is in at most one room. Every change is atomic. Every method
 * takes and returns plain values (connection ids, PeerJS ids, records), no Socket.IO or Netty type,
 * so that a shared store can stand behind it.
 *
 * <p>The rules of one room are the pure functions of {@link RoomRules} on an immutable {@link
 * Room}; an implementation keeps the rooms and the indexes across them (connection → room, PeerJS
 * id → room) and applies those functions atomically: {@link InMemoryRoomDirectory} under its lock,
 * a shared store with compare-and-set on the serialized room. A room's state (host, lock, password,
 * knocks, removed ids) lives as long as it has a member: the last one leaving ends it, and a room
 * of the same name made later starts open.
 */
public interface RoomDirectory {
  /** Most knocks waiting at one room; a further one is refused with {@code knocks-full}. */
  int MAX_KNOCKS = 20;

  /** Members a room holds at most. */
  int capacity();

  /** Joins without a password. */
  default Joined join(String session, String room, String peerId, Profile profile) {
    return join(session, room, peerId, profile, null);
  }

  /**
   * Joins {@code session} to {@code room} as {@code peerId}, replacing an earlier session with that
   * id there (a member that reconnected passes lock, password and knock). Refused with {@code
   * ALREADY_JOINED} for a connection in a room or knocking elsewhere ({@code KNOCKING} again with
   * its knock for the same room and id), {@code USER_ELSEWHERE} for an id in another room; then a
   * newcomer is checked in this order: removed, locked, full, password, knock ({@code KNOCKING}
   * with a new knock, {@code KNOCKS_FULL}). {@code password} may be null (none given).
   */
  Joined join(String session, String room, String peerId, Profile profile, String password);

  /**
   * Whether joining {@code room} now asks for a password (so that an attempt is counted against the
   * limits).
   */
  boolean hasPassword(String room);

  /**
   * Removes the session (a member or a knocker); a member is returned once, null ever after. The
   * host's leaving hands hosting to the longest present member.
   */
  Left leave(String session);

  /**
   * The host changes how the room is closed: each non-null field is set; {@code password} is a new
   * password, "" clears it, null leaves it. The room's settings after the change come back.
   */
  HostAction configure(String session, Boolean locked, Boolean knock, String password);

  /**
   * The host lets a knocker in: the knocker joins as if it had just asked (capacity still applies;
   * a knock refused for a full room stays).
   */
  HostAction admit(String session, String knockId);

  /** The host turns a knocker away. */
  HostAction deny(String session, String knockId);

  /**
   * The host removes a member: it leaves the room, and its PeerJS id may not join the room again
   * while the room lasts (nor knock).
   */
  HostAction remove(String session, String peerId);

  /**
   * Changes a member's profile; returns the updated member, or null if the session is in no room.
   */
  Member update(String session, Profile profile);

  /** The knocks waiting at a room, oldest first. */
  List<Knock> knocks(String room);

  /** A room's settings; open for a room that does not exist. */
  Settings settings(String room);

  /** The connection of a room's host, or null for a room that does not exist. */
  String hostSession(String room);

  /**
   * The connection ids of a room's members, in joining order; empty for a room that does not exist.
   */
  List<String> members(String room);

  /** The room {@code peerId} is in now, or null. */
  String roomOfPeer(String peerId);

  /** The session's membership, or null. */
  Member memberOf(String session);

  /** Members in a room; 0 for a room that does not exist (an empty room is forgotten). */
  int size(String room);

  /** Rooms with at least one member. */
  int roomCount();

  /** Members in all rooms. */
  int memberCount();

  /** Connections knocking anywhere; for tests that check nothing is kept. */
  int knockCount();

  /** A session's place: its room, the PeerJS id it joined with, and what the others see of it. */
  record Member(String session, String room, String peerId, Profile profile) {
    public Map<String, Object> toWire() {
      return profile.toWire(peerId);
    }
  }

  /** How a room is closed to newcomers, as members see it (never the password itself). */
  record Settings(boolean locked, boolean knock, boolean password) {
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
  record Knock(String id, String session, String room, String peerId, Profile profile) {
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
  record Joined(
      JoinError error,
      List<Member> others,
      Member replaced,
      String host,
      Settings settings,
      Knock knock) {
    public static Joined refused(JoinError error) {
      return new Joined(error, List.of(), null, null, null, null);
    }
  }

  /**
   * What a leave did: the member that left (null if the session was in no room), the new host if
   * hosting passed on, the knock the session had waiting, and the knocks dropped because the room
   * ended with them.
   */
  record Left(Member member, Member newHost, Knock knock, List<Knock> dropped) {
    public static final Left NOTHING = new Left(null, null, null, List.of());
  }

  /**
   * What a host action did: an error, or the member or knock it concerned and the room's settings
   * after it.
   */
  record HostAction(
      JoinError error,
      Member member,
      Knock knock,
      Joined joined,
      Settings settings,
      List<Knock> knocks) {
    public static HostAction refused(JoinError error) {
      return new HostAction(error, null, null, null, null, List.of());
    }
  }

  /** Every refusal a room event can get, with its wire code and message. */
  enum JoinError {
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
    DRAINING("draining", "The server is shutting down: join again in a moment."),
    UNAVAILABLE(
        "unavailable",
        "The service is degraded (its shared store does not answer): try again in a moment.");

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
}
