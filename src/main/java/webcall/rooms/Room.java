package webcall.rooms;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import webcall.rooms.RoomDirectory.Knock;
import webcall.rooms.RoomDirectory.Member;
import webcall.rooms.RoomDirectory.Settings;

/**
 * One room's whole state as an immutable value, what {@link RoomRules} works on: its members in
 * joining order (the first is the longest present), its host (a member's connection id), how it is
 * closed (lock, knock, a salted password hash or null), the knocks waiting (oldest first) and the
 * PeerJS ids removed from it. A room with no member does not exist: it is null, never empty. Plain
 * values throughout, so that a shared store can serialize it whole.
 */
public record Room(
    String id,
    List<Member> members,
    String host,
    boolean locked,
    boolean knock,
    RoomPassword password,
    List<Knock> knocks,
    Set<String> removed) {

  public Room {
    members = List.copyOf(members);
    knocks = List.copyOf(knocks);
    removed = Set.copyOf(removed);
  }

  public Settings settings() {
    return new Settings(locked, knock, password != null);
  }

  /** The host's PeerJS id, or null if the host is no member (never, between two transitions). */
  public String hostPeer() {
    Member h = member(host);
    return h == null ? null : h.peerId();
  }

  /** The member on connection {@code session}, or null. */
  public Member member(String session) {
    for (Member m : members) {
      if (m.session().equals(session)) {
        return m;
      }
    }
    return null;
  }

  /** The member with PeerJS id {@code peerId}, or null. */
  public Member memberByPeer(String peerId) {
    for (Member m : members) {
      if (m.peerId().equals(peerId)) {
        return m;
      }
    }
    return null;
  }

  /** The knock with id {@code knockId}, or null. */
  public Knock knock(String knockId) {
    for (Knock k : knocks) {
      if (k.id().equals(knockId)) {
        return k;
      }
    }
    return null;
  }

  /** The knock made by connection {@code session}, or null. */
  public Knock knockOf(String session) {
    for (Knock k : knocks) {
      if (k.session().equals(session)) {
        return k;
      }
    }
    return null;
  }

  Room withMembers(List<Member> nextMembers, String nextHost) {
    return new Room(id, nextMembers, nextHost, locked, knock, password, knocks, removed);
  }

  Room withKnocks(List<Knock> nextKnocks) {
    return new Room(id, members, host, locked, knock, password, nextKnocks, removed);
  }

  Room withClosure(boolean nextLocked, boolean nextKnock, RoomPassword nextPassword) {
    return new Room(id, members, host, nextLocked, nextKnock, nextPassword, knocks, removed);
  }

  Room withRemoved(String peerId) {
    Set<String> next = new LinkedHashSet<>(removed);
    next.add(peerId);
    return new Room(id, members, host, locked, knock, password, knocks, next);
  }

  Room withKnock(Knock k) {
    List<Knock> next = new ArrayList<>(knocks);
    next.add(k);
    return withKnocks(next);
  }

  Room withoutKnock(String knockId) {
    List<Knock> next = new ArrayList<>(knocks);
    next.removeIf(k -> k.id().equals(knockId));
    return withKnocks(next);
  }
}
