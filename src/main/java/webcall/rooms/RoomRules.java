package webcall.rooms;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import webcall.rooms.RoomDirectory.HostAction;
import webcall.rooms.RoomDirectory.JoinError;
import webcall.rooms.RoomDirectory.Joined;
import webcall.rooms.RoomDirectory.Knock;
import webcall.rooms.RoomDirectory.Left;
import webcall.rooms.RoomDirectory.Member;

/**
 * The rules of one room as pure functions: each takes a {@link Room} (null: it does not exist) and
 * a request, and returns a {@link Change}: the room after it and what happened. Nothing here keeps
 * state, reads a clock or draws a random number (a knock's id comes in as a supplier), so any
 * directory applies the same rules: in memory under a lock, or in a shared store by compare-and-set
 * on the serialized room, retrying with the fresh room when another node was first.
 *
 * <p>What spans rooms the directory looks up in its indexes (connection → member or knock, PeerJS
 * id → room): it passes them to {@link #refusedAcrossRooms} before {@link #join}, tells {@link
 * #admit} whether the knocker's id is in another room, and finds the room a host's connection is
 * in. The password is checked by the caller too, outside any lock (hashing takes a moment), and
 * comes in as the room's own {@link RoomPassword} when it matched.
 */
public final class RoomRules {
  private RoomRules() {}

  /**
   * A transition's result. {@code next} is the room after it: the very instance given when nothing
   * changed (a refusal: nothing to write), null when the room ended with it (delete it).
   */
  public record Change<T>(Room next, T outcome) {
    /** Whether the room must be written (or deleted). */
    public boolean changed(Room before) {
      return next != before;
    }
  }

  private static <T> Change<T> same(Room room, T outcome) {
    return new Change<>(room, outcome);
  }

  /**
   * The checks of a join that span rooms, made by the directory against its indexes before {@link
   * #join}: a connection already in a room ({@code ALREADY_JOINED}), or knocking ({@code KNOCKING}
   * again with its knock for the same room and id, else {@code ALREADY_JOINED}), and a PeerJS id in
   * another room ({@code USER_ELSEWHERE}). Null when the join may go to the room.
   *
   * @param member the connection's membership anywhere, or null
   * @param knocking the connection's knock anywhere, or null
   * @param roomOfPeer the room {@code peerId} is a member of now, or null
   */
  public static Joined refusedAcrossRooms(
      Member member, Knock knocking, String roomOfPeer, String roomId, String peerId) {
    if (member != null) {
      return Joined.refused(JoinError.ALREADY_JOINED);
    }
    if (knocking != null) {
      return knocking.room().equals(roomId) && knocking.peerId().equals(peerId)
          ? new Joined(JoinError.KNOCKING, List.of(), null, null, null, knocking)
          : Joined.refused(JoinError.ALREADY_JOINED);
    }
    if (roomOfPeer != null && !roomOfPeer.equals(roomId)) {
      return Joined.refused(JoinError.USER_ELSEWHERE);
    }
    return null;
  }

  /**
   * {@code session} asks to join {@code room} (id {@code roomId}) as {@code peerId}. The member
   * with that id already there (a client that reconnected) is replaced, passing lock, password and
   * knock; a newcomer is checked in this order: removed, locked, full, password, knock.
   *
   * @param gavePassword whether the request carried a password (wrong rather than missing)
   * @param passed the room's password if the one given matched it, else null
   * @param newKnockId a fresh, unguessable knock id, asked for only when a knock is made
   */
  public static Change<Joined> join(
      Room room,
      String roomId,
      int capacity,
      String session,
      String peerId,
      Profile profile,
      boolean gavePassword,
      RoomPassword passed,
      Supplier<String> newKnockId) {
    Member previous = room == null ? null : room.memberByPeer(peerId);
    if (previous == null && room != null) {
      JoinError closed =
          room.removed().contains(peerId)
              ? JoinError.REMOVED
              : room.locked()
                  ? JoinError.ROOM_LOCKED
                  : room.members().size() >= capacity
                      ? JoinError.ROOM_FULL
                      : room.password() != null && !room.password().equals(passed)
                          ? (gavePassword ? JoinError.BAD_PASSWORD : JoinError.PASSWORD_REQUIRED)
                          : null;
      if (closed != null) {
        return same(room, Joined.refused(closed));
      }
      if (room.knock()) {
        if (room.knocks().size() >= RoomDirectory.MAX_KNOCKS) {
          return same(room, Joined.refused(JoinError.KNOCKS_FULL));
        }
        for (Knock k : room.knocks()) {
          if (k.peerId().equals(peerId)) { // the same id from a second connection: one knock per id
            return same(room, Joined.refused(JoinError.ALREADY_JOINED));
          }
        }
        Knock k = new Knock(newKnockId.get(), session, roomId, peerId, profile);
        Room next = room.withKnock(k);
        return new Change<>(
            next,
            new Joined(JoinError.KNOCKING, List.of(), null, room.hostPeer(), next.settings(), k));
      }
    }
    return add(room, roomId, capacity, session, peerId, profile, previous);
  }

  /**
   * Adds a member (already checked); a reconnecting client's old session ({@code previous}) hands
   * over its place and its hosting.
   */
  private static Change<Joined> add(
      Room room,
      String roomId,
      int capacity,
      String session,
      String peerId,
      Profile profile,
      Member previous) {
    if (previous == null && room != null && room.members().size() >= capacity) {
      return same(room, Joined.refused(JoinError.ROOM_FULL));
    }
    List<Member> members = room == null ? new ArrayList<>() : new ArrayList<>(room.members());
    String host = room == null ? null : room.host();
    boolean wasHost = false;
    if (previous != null) {
      wasHost = previous.session().equals(host);
      members.removeIf(m -> m.session().equals(previous.session()));
    }
    List<Member> others = List.copyOf(members);
    members.add(new Member(session, roomId, peerId, profile));
    if (host == null || wasHost || !containsSession(members, host)) {
      host = session;
    }
    Room next =
        room == null
            ? new Room(roomId, members, host, false, false, null, List.of(), java.util.Set.of())
            : room.withMembers(members, host);
    return new Change<>(
        next, new Joined(null, others, previous, next.hostPeer(), next.settings(), null));
  }

  private static boolean containsSession(List<Member> members, String session) {
    for (Member m : members) {
      if (m.session().equals(session)) {
        return true;
      }
    }
    return false;
  }

  /**
   * {@code session} goes: its knock is withdrawn, or it leaves as a member. The host's leaving
   * hands hosting to the longest present member; the last member's leaving ends the room (next is
   * null) and drops the knocks still waiting.
   */
  public static Change<Left> leave(Room room, String session) {
    if (room == null) {
      return same(null, Left.NOTHING);
    }
    Knock k = room.knockOf(session);
    Member m = room.member(session);
    if (k == null && m == null) {
      return same(room, Left.NOTHING);
    }
    Room after = k == null ? room : room.withoutKnock(k.id());
    if (m == null) {
      return new Change<>(after, new Left(null, null, k, List.of()));
    }
    List<Member> members = new ArrayList<>(after.members());
    members.remove(m);
    if (members.isEmpty()) {
      return new Change<>(null, new Left(m, null, k, after.knocks()));
    }
    Member newHost = null;
    String host = after.host();
    if (session.equals(host)) {
      newHost = members.get(0);
      host = newHost.session();
    }
    return new Change<>(after.withMembers(members, host), new Left(m, newHost, k, List.of()));
  }

  /** Why {@code session} may not act as the room's host, or null if it is the host. */
  public static JoinError hostError(Room room, String session) {
    if (room == null || room.member(session) == null) {
      return JoinError.NOT_JOINED;
    }
    return session.equals(room.host()) ? null : JoinError.NOT_HOST;
  }

  /**
   * The host changes how the room is closed: each non-null flag is set, and the password when
   * {@code setPassword} ({@code hashed} null: none).
   */
  public static Change<HostAction> configure(
      Room room,
      String session,
      Boolean locked,
      Boolean knock,
      boolean setPassword,
      RoomPassword hashed) {
    JoinError error = hostError(room, session);
    if (error != null) {
      return same(room, HostAction.refused(error));
    }
    Room next =
        room.withClosure(
            locked != null ? locked : room.locked(),
            knock != null ? knock : room.knock(),
            setPassword ? hashed : room.password());
    return new Change<>(
        next, new HostAction(null, next.member(session), null, null, next.settings(), List.of()));
  }

  /**
   * The host lets a knocker in: it joins as if it had just asked, but past lock, password and
   * knock. A full room refuses and keeps the knock (someone may leave).
   *
   * @param peerInOtherRoom whether the knocker's PeerJS id is a member of another room now (the
   *     knock goes, and the knocker gets {@code USER_ELSEWHERE})
   */
  public static Change<HostAction> admit(
      Room room, String session, String knockId, int capacity, boolean peerInOtherRoom) {
    JoinError error = hostError(room, session);
    if (error != null) {
      return same(room, HostAction.refused(error));
    }
    Knock k = room.knock(knockId);
    if (k == null) {
      return same(room, HostAction.refused(JoinError.NO_SUCH_KNOCK));
    }
    Member here = room.memberByPeer(k.peerId());
    if (!peerInOtherRoom && here == null && room.members().size() >= capacity) {
      return same(room, HostAction.refused(JoinError.ROOM_FULL));
    }
    Room after = room.withoutKnock(knockId);
    if (peerInOtherRoom) {
      return new Change<>(
          after,
          new HostAction(
              null,
              null,
              k,
              Joined.refused(JoinError.USER_ELSEWHERE),
              after.settings(),
              List.of()));
    }
    Change<Joined> joined =
        add(after, k.room(), capacity, k.session(), k.peerId(), k.profile(), here);
    return new Change<>(
        joined.next(),
        new HostAction(null, null, k, joined.outcome(), after.settings(), List.of()));
  }

  /** The host turns a knocker away. */
  public static Change<HostAction> deny(Room room, String session, String knockId) {
    JoinError error = hostError(room, session);
    if (error != null) {
      return same(room, HostAction.refused(error));
    }
    Knock k = room.knock(knockId);
    if (k == null) {
      return same(room, HostAction.refused(JoinError.NO_SUCH_KNOCK));
    }
    Room next = room.withoutKnock(knockId);
    return new Change<>(next, new HostAction(null, null, k, null, next.settings(), List.of()));
  }

  /**
   * The host removes another member: it leaves, and its PeerJS id may not join nor knock again
   * while the room lasts.
   */
  public static Change<HostAction> remove(Room room, String session, String peerId) {
    JoinError error = hostError(room, session);
    if (error != null) {
      return same(room, HostAction.refused(error));
    }
    Member target = room.memberByPeer(peerId);
    if (target == null || target.session().equals(session)) {
      return same(room, HostAction.refused(JoinError.NO_SUCH_MEMBER));
    }
    List<Member> members = new ArrayList<>(room.members());
    members.remove(target);
    Room next = room.withMembers(members, room.host()).withRemoved(peerId);
    return new Change<>(next, new HostAction(null, target, null, null, next.settings(), List.of()));
  }

  /** A member's new profile, in its place; the outcome is null for a session that is no member. */
  public static Change<Member> update(Room room, String session, Profile profile) {
    Member m = room == null ? null : room.member(session);
    if (m == null) {
      return same(room, null);
    }
    Member updated = new Member(session, m.room(), m.peerId(), profile);
    List<Member> members = new ArrayList<>(room.members());
    members.set(members.indexOf(m), updated);
    return new Change<>(room.withMembers(members, room.host()), updated);
  }
}
