package webcall.rooms;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who is in which room: the one owner of membership. A Socket.IO connection (by its socket id) is in at most one room, under one PeerJS id; a PeerJS id is in at most
 * one room. All changes happen atomically here.
 */
public final class Rooms {
  /** A session's place: its room, the PeerJS id it joined with, and what the others see of it. */
  public record Member(String session, String room, String peerId, Profile profile) {
    public Map<String, Object> toWire() {
      return profile.toWire(peerId);
    }
  }

  /** What a join did. {@code replaced} is the earlier session of a client that reconnected, or null. */
  public record Joined(JoinError error, List<Member> others, Member replaced) {}

  public enum JoinError {
    ALREADY_JOINED("already-joined", "This connection has already joined a room."),
    BAD_ROOM("bad-room", "The room id is not valid."),
    BAD_USER("bad-user", "The user id is not a PeerJS id held by this client."),
    USER_ELSEWHERE("user-in-other-room", "This PeerJS id is already in another room."),
    ROOM_FULL("room-full", "The room is full."),
    BAD_PROFILE("bad-profile", "The name is too long (see max) or a state field has the wrong type."),
    NOT_JOINED("not-joined", "Join a room first."),
    BAD_CHAT("bad-chat", "A chat message must be text of 1 to max characters."),
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

  private final int capacity;
  private final Map<String, Map<String, Member>> rooms = new ConcurrentHashMap<>();
  private final Map<String, Member> bySession = new ConcurrentHashMap<>();
  private final Map<String, Member> byPeer = new ConcurrentHashMap<>();

  public Rooms(int capacity) {
    this.capacity = capacity;
  }

  public int capacity() {
    return capacity;
  }

  /** Joins {@code session} to {@code room} as {@code peerId}, replacing an earlier session with that id there. */
  public synchronized Joined join(String session, String room, String peerId, Profile profile) {
    if (bySession.containsKey(session)) {
      return new Joined(JoinError.ALREADY_JOINED, List.of(), null);
    }
    Member previous = byPeer.get(peerId);
    if (previous != null && !previous.room().equals(room)) {
      return new Joined(JoinError.USER_ELSEWHERE, List.of(), null);
    }
    Map<String, Member> members = rooms.get(room);
    int present = members == null ? 0 : members.size() - (previous != null ? 1 : 0);
    if (present >= capacity) {
      return new Joined(JoinError.ROOM_FULL, List.of(), null);
    }
    if (previous != null) {
      remove(previous);
      members = rooms.get(room);
    }
    if (members == null) {
      members = new LinkedHashMap<>();
      rooms.put(room, members);
    }
    List<Member> others = new ArrayList<>(members.values());
    Member me = new Member(session, room, peerId, profile);
    members.put(session, me);
    bySession.put(session, me);
    byPeer.put(peerId, me);
    return new Joined(null, others, previous);
  }

  /** Removes the session; returns its membership once, null ever after (so a leave is announced exactly once). */
  public synchronized Member leave(String session) {
    Member m = bySession.get(session);
    if (m != null) {
      remove(m);
    }
    return m;
  }

  private void remove(Member m) {
    bySession.remove(m.session());
    byPeer.remove(m.peerId(), m);
    Map<String, Member> members = rooms.get(m.room());
    if (members != null) {
      members.remove(m.session());
      if (members.isEmpty()) {
        rooms.remove(m.room());
      }
    }
  }

  /** Changes a member's profile; returns the updated member, or null if the session is in no room. */
  public synchronized Member update(String session, Profile profile) {
    Member m = bySession.get(session);
    if (m == null) {
      return null;
    }
    Member updated = new Member(session, m.room(), m.peerId(), profile);
    bySession.put(session, updated);
    byPeer.put(m.peerId(), updated);
    rooms.get(m.room()).put(session, updated);
    return updated;
  }

  /** The connection ids of a room's members, in joining order; empty for a room that does not exist. */
  public synchronized List<String> members(String room) {
    Map<String, Member> members = rooms.get(room);
    return members == null ? List.of() : List.copyOf(members.keySet());
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
    Map<String, Member> members = rooms.get(room);
    return members == null ? 0 : members.size();
  }

  public int roomCount() {
    return rooms.size();
  }

  public int memberCount() {
    return bySession.size();
  }
}
