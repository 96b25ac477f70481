package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import webcall.rooms.RoomDirectory.HostAction;
import webcall.rooms.RoomDirectory.JoinError;
import webcall.rooms.RoomDirectory.Joined;
import webcall.rooms.RoomDirectory.Knock;
import webcall.rooms.RoomDirectory.Left;
import webcall.rooms.RoomDirectory.Member;
import webcall.rooms.RoomRules.Change;

/**
 * The room rules as values: what a shared store relies on (a refusal changes nothing, the last
 * leave ends the room, nothing random but the knock ids it is given), beside what the contract
 * checks through a directory.
 */
class RoomRulesTest {
  private final AtomicInteger knockIdsAsked = new AtomicInteger();
  private final Supplier<String> knockIds = () -> "k" + knockIdsAsked.incrementAndGet();

  private static Profile named(String name) {
    return new Profile(name, false, false, false);
  }

  private Change<Joined> join(Room room, String peer) {
    return RoomRules.join(room, "r", 3, "s-" + peer, peer, named(peer), false, null, knockIds);
  }

  private Room roomOf(String... peers) {
    Room room = null;
    for (String p : peers) {
      room = join(room, p).next();
    }
    return room;
  }

  @Test
  void theFirstJoinMakesTheRoomWithItsHost() {
    Change<Joined> first = join(null, "a");
    Room room = first.next();
    assertThat(room.id()).isEqualTo("r");
    assertThat(room.members()).containsExactly(new Member("s-a", "r", "a", named("a")));
    assertThat(room.host()).isEqualTo("s-a");
    assertThat(room.knocks()).isEmpty();
    assertThat(room.removed()).isEmpty();
    assertThat(first.outcome().host()).isEqualTo("a");
    assertThat(first.changed(null)).isTrue();
  }

  @Test
  void aRefusalReturnsTheSameRoom() {
    Room full = roomOf("a", "b", "c");
    Change<Joined> refused = join(full, "d");
    assertThat(refused.outcome().error()).isEqualTo(JoinError.ROOM_FULL);
    assertThat(refused.next()).isSameAs(full);
    assertThat(refused.changed(full)).isFalse();
    Change<HostAction> notHost = RoomRules.configure(full, "s-b", true, null, false, null);
    assertThat(notHost.next()).isSameAs(full);
    assertThat(notHost.outcome().error()).isEqualTo(JoinError.NOT_HOST);
    assertThat(RoomRules.update(full, "s-x", named("x")).next()).isSameAs(full);
    assertThat(RoomRules.leave(full, "s-x").next()).isSameAs(full);
  }

  @Test
  void aTransitionLeavesTheRoomItWasGivenAsItWas() {
    Room two = roomOf("a", "b");
    Room three = join(two, "c").next();
    assertThat(two.members()).hasSize(2);
    assertThat(three.members()).hasSize(3);
    RoomRules.leave(three, "s-a");
    assertThat(three.host()).isEqualTo("s-a");
    List<Member> given = new ArrayList<>(two.members());
    Room copy = new Room("r", given, "s-a", false, false, null, List.of(), Set.of());
    given.clear();
    assertThat(copy.members()).as("a room copies what it is made of").hasSize(2);
  }

  @Test
  void theLastLeaveEndsTheRoomAndDropsItsKnocks() {
    Room room = RoomRules.configure(roomOf("a"), "s-a", null, true, false, null).next();
    room = join(room, "b").next();
    Change<Left> last = RoomRules.leave(room, "s-a");
    assertThat(last.next()).isNull();
    assertThat(last.changed(room)).isTrue();
    assertThat(last.outcome().dropped()).extracting(Knock::peerId).containsExactly("b");
  }

  @Test
  void aKnockIdIsAskedForOnlyWhenAKnockIsMade() {
    Room room = roomOf("a", "b");
    assertThat(knockIdsAsked).hasValue(0);
    room = RoomRules.configure(room, "s-a", null, true, false, null).next();
    Change<Joined> knocking = join(room, "c");
    assertThat(knocking.outcome().knock().id()).isEqualTo("k1");
    assertThat(join(knocking.next(), "c").outcome().error())
        .as("one knock per id")
        .isEqualTo(JoinError.ALREADY_JOINED);
    assertThat(knockIdsAsked).hasValue(1);
  }

  @Test
  void thePasswordMustBeTheRoomsOwnNotOneOfTheSameText() {
    RoomPassword pw = RoomPassword.of("pw");
    Room room = RoomRules.configure(roomOf("a"), "s-a", null, null, true, pw).next();
    assertThat(room.password()).isSameAs(pw);
    assertThat(
            RoomRules.join(
                    room, "r", 3, "s-b", "b", named("b"), true, RoomPassword.of("pw"), knockIds)
                .outcome()
                .error())
        .as("set again meanwhile, to the same text: another salt")
        .isEqualTo(JoinError.BAD_PASSWORD);
    assertThat(
            RoomRules.join(room, "r", 3, "s-b", "b", named("b"), true, pw, knockIds)
                .outcome()
                .error())
        .isNull();
    RoomPassword fromStore = RoomPassword.decode(pw.encoded());
    assertThat(
            RoomRules.join(room, "r", 3, "s-b", "b", named("b"), true, fromStore, knockIds)
                .outcome()
                .error())
        .as("the same password read back from a store")
        .isNull();
  }

  @Test
  void removeRemembersTheIdAndKeepsTheHost() {
    Room room = roomOf("a", "b", "c");
    Change<HostAction> out = RoomRules.remove(room, "s-a", "b");
    assertThat(out.next().removed()).containsExactly("b");
    assertThat(out.next().members()).extracting(Member::peerId).containsExactly("a", "c");
    assertThat(out.next().host()).isEqualTo("s-a");
  }

  @Test
  void anAdmittedReconnectTakesTheOldConnectionsPlace() {
    Room room = roomOf("a", "b");
    room = RoomRules.configure(room, "s-a", null, true, false, null).next();
    room = join(room, "c").next(); // c knocks from s-c
    Knock k = room.knocks().get(0);
    // The host opens the door meanwhile and c joins from a second connection...
    room = RoomRules.configure(room, "s-a", null, false, false, null).next();
    room = RoomRules.join(room, "r", 3, "s-c2", "c", named("c"), false, null, knockIds).next();
    // ...then admits the old knock: s-c takes the place of s-c2, even in a full room.
    Change<HostAction> in = RoomRules.admit(room, "s-a", k.id(), 3, false);
    assertThat(in.outcome().joined().error()).isNull();
    assertThat(in.outcome().joined().replaced().session()).isEqualTo("s-c2");
    assertThat(in.next().members())
        .extracting(Member::session)
        .containsExactly("s-a", "s-b", "s-c");
    assertThat(in.next().knocks()).isEmpty();
  }

  @Test
  void aJoinIsRefusedAcrossRoomsBeforeTheRoomIsAsked() {
    Member inR = new Member("s-a", "r", "a", named("a"));
    Knock atR = new Knock("k", "s-c", "r", "c", named("c"));
    assertThat(RoomRules.refusedAcrossRooms(null, null, null, "r", "a")).isNull();
    assertThat(RoomRules.refusedAcrossRooms(null, null, "r", "r", "a"))
        .as("its own room: a reconnect")
        .isNull();
    assertThat(RoomRules.refusedAcrossRooms(null, null, "other", "r", "a").error())
        .isEqualTo(JoinError.USER_ELSEWHERE);
    assertThat(RoomRules.refusedAcrossRooms(inR, null, "r", "r", "a").error())
        .isEqualTo(JoinError.ALREADY_JOINED);
    Joined again = RoomRules.refusedAcrossRooms(null, atR, null, "r", "c");
    assertThat(again.error()).isEqualTo(JoinError.KNOCKING);
    assertThat(again.knock()).isSameAs(atR);
    assertThat(again.host()).as("nothing new to tell the host").isNull();
    assertThat(RoomRules.refusedAcrossRooms(null, atR, null, "r", "other-id").error())
        .isEqualTo(JoinError.ALREADY_JOINED);
    assertThat(RoomRules.refusedAcrossRooms(null, atR, null, "elsewhere", "c").error())
        .isEqualTo(JoinError.ALREADY_JOINED);
  }
}
