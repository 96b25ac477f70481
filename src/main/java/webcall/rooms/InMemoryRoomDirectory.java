package webcall.rooms;

import java.security.SecureRandom;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import webcall.rooms.RoomRules.Change;

/**
 * The rooms of this process alone: {@link RoomRules} applied under one lock, with the indexes
 * across rooms (connection → member or knock, PeerJS id → member) kept beside them in concurrent
 * maps, so that the frequent reads ({@link #memberOf}, {@link #roomOfPeer}, the counts) take no
 * lock.
 */
public final class InMemoryRoomDirectory implements RoomDirectory {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** 12 random bytes in hex: a knock id nobody can guess. */
  static final Supplier<String> RANDOM_KNOCK_IDS =
      () -> {
        byte[] b = new byte[12];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
      };

  private final int capacity;
  private final Supplier<String> knockIds;
  private final Map<String, Room> rooms = new ConcurrentHashMap<>();
  private final Map<String, Member> bySession = new ConcurrentHashMap<>();
  private final Map<String, Member> byPeer = new ConcurrentHashMap<>();
  private final Map<String, Knock> knockBySession = new ConcurrentHashMap<>();

  public InMemoryRoomDirectory(int capacity) {
    this(capacity, RANDOM_KNOCK_IDS);
  }

  InMemoryRoomDirectory(int capacity, Supplier<String> knockIds) {
    this.capacity = capacity;
    this.knockIds = knockIds;
  }

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public Joined join(String session, String room, String peerId, Profile profile, String password) {
    // The password is hashed outside the lock; a password changed meanwhile no longer equals it.
    RoomPassword required = passwordOf(room);
    RoomPassword passed = required != null && required.matches(password) ? required : null;
    return join(session, room, peerId, profile, password != null, passed);
  }

  private synchronized RoomPassword passwordOf(String room) {
    Room r = rooms.get(room);
    return r == null ? null : r.password();
  }

  @Override
  public boolean hasPassword(String room) {
    return passwordOf(room) != null;
  }

  private synchronized Joined join(
      String session,
      String room,
      String peerId,
      Profile profile,
      boolean gave,
      RoomPassword passed) {
    Joined refused =
        RoomRules.refusedAcrossRooms(
            bySession.get(session), knockBySession.get(session), roomOfPeer(peerId), room, peerId);
    if (refused != null) {
      return refused;
    }
    Room before = rooms.get(room);
    return apply(
        room,
        before,
        RoomRules.join(before, room, capacity, session, peerId, profile, gave, passed, knockIds));
  }

  @Override
  public synchronized Left leave(String session) {
    String room = roomOfSession(session);
    if (room == null) {
      return Left.NOTHING;
    }
    Room before = rooms.get(room);
    return apply(room, before, RoomRules.leave(before, session));
  }

  @Override
  public HostAction configure(String session, Boolean locked, Boolean knock, String password) {
    RoomPassword hashed = password == null || password.isEmpty() ? null : RoomPassword.of(password);
    return configure(session, locked, knock, password != null, hashed);
  }

  private synchronized HostAction configure(
      String session, Boolean locked, Boolean knock, boolean setPassword, RoomPassword hashed) {
    Room before = roomOfMember(session);
    return apply(before, RoomRules.configure(before, session, locked, knock, setPassword, hashed));
  }

  @Override
  public synchronized HostAction admit(String session, String knockId) {
    Room before = roomOfMember(session);
    Knock k = before == null ? null : before.knock(knockId);
    Member elsewhere = k == null ? null : byPeer.get(k.peerId());
    boolean inOtherRoom = elsewhere != null && !elsewhere.room().equals(before.id());
    return apply(before, RoomRules.admit(before, session, knockId, capacity, inOtherRoom));
  }

  @Override
  public synchronized HostAction deny(String session, String knockId) {
    Room before = roomOfMember(session);
    return apply(before, RoomRules.deny(before, session, knockId));
  }

  @Override
  public synchronized HostAction remove(String session, String peerId) {
    Room before = roomOfMember(session);
    return apply(before, RoomRules.remove(before, session, peerId));
  }

  @Override
  public synchronized Member update(String session, Profile profile) {
    Room before = roomOfMember(session);
    return apply(before, RoomRules.update(before, session, profile));
  }

  private Room roomOfMember(String session) {
    Member m = bySession.get(session);
    return m == null ? null : rooms.get(m.room());
  }

  private String roomOfSession(String session) {
    Member m = bySession.get(session);
    if (m != null) {
      return m.room();
    }
    Knock k = knockBySession.get(session);
    return k == null ? null : k.room();
  }

  private <T> T apply(Room before, Change<T> change) {
    return before == null ? change.outcome() : apply(before.id(), before, change);
  }

  /**
   * Stores the room after a change and brings the indexes in line with it. New entries go in before
   * stale ones go out, so that a lock-free reader never misses a member that stayed.
   */
  private <T> T apply(String id, Room before, Change<T> change) {
    Room after = change.next();
    if (!change.changed(before)) {
      return change.outcome();
    }
    if (after == null) {
      rooms.remove(id);
    } else {
      rooms.put(id, after);
      for (Member m : after.members()) {
        bySession.put(m.session(), m);
        byPeer.put(m.peerId(), m);
      }
      for (Knock k : after.knocks()) {
        knockBySession.put(k.session(), k);
      }
    }
    if (before != null) {
      Set<Member> kept = after == null ? Set.of() : new HashSet<>(after.members());
      for (Member m : before.members()) {
        if (!kept.contains(m)) {
          bySession.remove(m.session(), m);
          byPeer.remove(m.peerId(), m);
        }
      }
      Set<Knock> waiting = after == null ? Set.of() : new HashSet<>(after.knocks());
      for (Knock k : before.knocks()) {
        if (!waiting.contains(k)) {
          knockBySession.remove(k.session(), k);
        }
      }
    }
    return change.outcome();
  }

  @Override
  public synchronized List<Knock> knocks(String room) {
    Room r = rooms.get(room);
    return r == null ? List.of() : r.knocks();
  }

  @Override
  public synchronized Settings settings(String room) {
    Room r = rooms.get(room);
    return r == null ? Settings.OPEN : r.settings();
  }

  @Override
  public synchronized String hostSession(String room) {
    Room r = rooms.get(room);
    return r == null ? null : r.host();
  }

  @Override
  public List<String> members(String room) {
    Room r = rooms.get(room); // an immutable value: no lock needed to read it whole
    return r == null ? List.of() : r.members().stream().map(Member::session).toList();
  }

  @Override
  public String roomOfPeer(String peerId) {
    Member m = byPeer.get(peerId);
    return m == null ? null : m.room();
  }

  @Override
  public Member memberOf(String session) {
    return bySession.get(session);
  }

  @Override
  public int size(String room) {
    Room r = rooms.get(room);
    return r == null ? 0 : r.members().size();
  }

  @Override
  public int roomCount() {
    return rooms.size();
  }

  @Override
  public int memberCount() {
    return bySession.size();
  }

  @Override
  public int knockCount() {
    return knockBySession.size();
  }
}
