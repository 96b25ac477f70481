package webcall.rooms;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import webcall.rooms.RoomDirectory.HostAction;
import webcall.rooms.RoomDirectory.JoinError;
import webcall.rooms.RoomDirectory.Joined;
import webcall.rooms.RoomDirectory.Knock;
import webcall.rooms.RoomDirectory.Left;
import webcall.rooms.RoomDirectory.Member;
import webcall.rooms.RoomDirectory.Settings;

/**
 * What every {@link RoomDirectory} does, seen from the connections that use it: membership,
 * capacity, one room per connection, profiles, hosting and the host's closures. Each implementation
 * runs it through a subclass. Connections are named {@code s-x}, PeerJS ids {@code x}.
 */
abstract class RoomDirectoryContract {

  /** A fresh, empty directory of rooms of at most {@code capacity} members. */
  protected abstract RoomDirectory directory(int capacity);

  static Profile named(String name) {
    return new Profile(name, false, false, false);
  }

  /** Joins connection {@code s-peer} as {@code peer}, named after it. */
  static Joined join(RoomDirectory d, String room, String peer) {
    return d.join("s-" + peer, room, peer, named(peer));
  }

  static List<String> peers(List<Member> members) {
    return members.stream().map(Member::peerId).toList();
  }

  @Test
  void membersJoinInOrderAndLeaveOnce() {
    RoomDirectory d = directory(4);
    Joined a = join(d, "r", "a");
    assertThat(a.error()).isNull();
    assertThat(a.others()).isEmpty();
    assertThat(a.host()).isEqualTo("a");
    assertThat(a.settings()).isEqualTo(Settings.OPEN);
    Joined b = join(d, "r", "b");
    assertThat(peers(b.others())).containsExactly("a");
    assertThat(b.others().get(0).profile()).isEqualTo(named("a"));
    assertThat(b.host()).isEqualTo("a");
    assertThat(d.members("r")).containsExactly("s-a", "s-b");
    assertThat(d.size("r")).isEqualTo(2);
    assertThat(d.memberOf("s-b")).isEqualTo(new Member("s-b", "r", "b", named("b")));
    assertThat(d.roomOfPeer("b")).isEqualTo("r");
    assertThat(d.roomCount()).isEqualTo(1);
    assertThat(d.memberCount()).isEqualTo(2);

    Left left = d.leave("s-b");
    assertThat(left.member().peerId()).isEqualTo("b");
    assertThat(left.newHost()).as("a stays host").isNull();
    assertThat(d.leave("s-b")).as("once only").isEqualTo(Left.NOTHING);
    assertThat(d.memberOf("s-b")).isNull();
    assertThat(d.roomOfPeer("b")).isNull();
    assertThat(d.leave("s-never")).isEqualTo(Left.NOTHING);

    assertThat(d.leave("s-a").member().peerId()).isEqualTo("a");
    assertThat(d.size("r")).isZero();
    assertThat(d.members("r")).isEmpty();
    assertThat(d.hostSession("r")).isNull();
    assertThat(d.roomCount()).isZero();
    assertThat(d.memberCount()).isZero();
  }

  @Test
  void aFullRoomRefusesNewcomers() {
    RoomDirectory d = directory(2);
    assertThat(d.capacity()).isEqualTo(2);
    join(d, "r", "a");
    join(d, "r", "b");
    assertThat(join(d, "r", "c").error()).isEqualTo(JoinError.ROOM_FULL);
    assertThat(d.memberOf("s-c")).isNull();
    assertThat(d.size("r")).isEqualTo(2);
    assertThat(join(d, "other", "c").error()).as("other rooms are not affected").isNull();
    d.leave("s-b");
    assertThat(join(d, "r", "d").error()).as("a seat freed").isNull();
  }

  @Test
  void exactlyOneOfManyTakesTheLastSeat() throws Exception {
    int contenders = 8;
    ExecutorService pool = Executors.newFixedThreadPool(contenders);
    try {
      for (int round = 0; round < 30; round++) {
        RoomDirectory d = directory(3);
        String room = "race" + round;
        join(d, room, "a");
        join(d, room, "b");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Joined>> tries = new ArrayList<>();
        for (int i = 0; i < contenders; i++) {
          String peer = "c" + i;
          tries.add(
              pool.submit(
                  () -> {
                    start.await();
                    return join(d, room, peer);
                  }));
        }
        start.countDown();
        int won = 0;
        for (Future<Joined> f : tries) {
          Joined j = f.get(10, TimeUnit.SECONDS);
          if (j.error() == null) {
            won++;
          } else {
            assertThat(j.error()).isEqualTo(JoinError.ROOM_FULL);
          }
        }
        assertThat(won).as("round %d", round).isEqualTo(1);
        assertThat(d.size(room)).isEqualTo(3);
        assertThat(d.memberCount()).isEqualTo(3);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aConnectionIsInOneRoomAndAnIdInOneRoom() {
    RoomDirectory d = directory(4);
    join(d, "r1", "a");
    assertThat(d.join("s-a", "r2", "a2", named("a")).error()).isEqualTo(JoinError.ALREADY_JOINED);
    assertThat(d.join("s-a", "r1", "a", named("a")).error())
        .as("not even the same room twice")
        .isEqualTo(JoinError.ALREADY_JOINED);
    assertThat(d.join("s-other", "r2", "a", named("a")).error())
        .isEqualTo(JoinError.USER_ELSEWHERE);
    assertThat(d.size("r2")).isZero();
    assertThat(d.roomOfPeer("a")).isEqualTo("r1");
  }

  @Test
  void aClientThatReconnectsReplacesItsOldConnectionAndKeepsHosting() {
    RoomDirectory d = directory(2);
    join(d, "r", "a");
    join(d, "r", "b");
    Joined again = d.join("s-a2", "r", "a", named("a again"));
    assertThat(again.error()).as("a full room still takes its member back").isNull();
    assertThat(again.replaced()).isEqualTo(new Member("s-a", "r", "a", named("a")));
    assertThat(peers(again.others())).containsExactly("b");
    assertThat(again.host()).isEqualTo("a");
    assertThat(d.hostSession("r")).isEqualTo("s-a2");
    assertThat(d.members("r")).containsExactly("s-b", "s-a2");
    assertThat(d.memberOf("s-a")).isNull();
    assertThat(d.memberOf("s-a2").profile()).isEqualTo(named("a again"));
    assertThat(d.memberCount()).isEqualTo(2);
    assertThat(d.leave("s-a").member()).as("the old connection's leave is no leave").isNull();
    assertThat(d.size("r")).isEqualTo(2);
  }

  @Test
  void updateChangesTheProfileInPlace() {
    RoomDirectory d = directory(4);
    join(d, "r", "a");
    join(d, "r", "b");
    Profile muted = new Profile("A", true, true, true);
    Member updated = d.update("s-a", muted);
    assertThat(updated).isEqualTo(new Member("s-a", "r", "a", muted));
    assertThat(d.memberOf("s-a").profile()).isEqualTo(muted);
    assertThat(d.members("r")).as("order kept").containsExactly("s-a", "s-b");
    assertThat(join(d, "r", "c").others().get(0).profile()).isEqualTo(muted);
    assertThat(d.update("s-nobody", muted)).isNull();
  }

  @Test
  void hostingPassesToTheLongestPresentMember() {
    RoomDirectory d = directory(4);
    join(d, "r", "a");
    join(d, "r", "b");
    join(d, "r", "c");
    assertThat(d.hostSession("r")).isEqualTo("s-a");
    assertThat(d.leave("s-c").newHost()).isNull();
    join(d, "r", "c");
    Left hostLeft = d.leave("s-a");
    assertThat(hostLeft.newHost().peerId()).isEqualTo("b");
    assertThat(d.hostSession("r")).isEqualTo("s-b");
    assertThat(join(d, "r", "a").host()).as("back as a newcomer: b stays host").isEqualTo("b");
  }

  @Test
  void onlyTheHostClosesTheRoom() {
    RoomDirectory d = directory(4);
    join(d, "r", "a");
    join(d, "r", "b");
    assertThat(d.configure("s-b", true, null, null).error()).isEqualTo(JoinError.NOT_HOST);
    assertThat(d.configure("s-x", true, null, null).error()).isEqualTo(JoinError.NOT_JOINED);
    for (String action : List.of("admit", "deny", "remove")) {
      HostAction byGuest =
          switch (action) {
            case "admit" -> d.admit("s-b", "k");
            case "deny" -> d.deny("s-b", "k");
            default -> d.remove("s-b", "a");
          };
      assertThat(byGuest.error()).as(action).isEqualTo(JoinError.NOT_HOST);
      HostAction byStranger =
          switch (action) {
            case "admit" -> d.admit("s-x", "k");
            case "deny" -> d.deny("s-x", "k");
            default -> d.remove("s-x", "a");
          };
      assertThat(byStranger.error()).as(action).isEqualTo(JoinError.NOT_JOINED);
    }
    assertThat(d.settings("r")).isEqualTo(Settings.OPEN);
    assertThat(d.size("r")).isEqualTo(2);
  }

  @Test
  void aLockedRoomTakesBackItsMembersOnly() {
    RoomDirectory d = directory(4);
    join(d, "r", "a");
    join(d, "r", "b");
    HostAction locked = d.configure("s-a", true, null, null);
    assertThat(locked.error()).isNull();
    assertThat(locked.member().peerId()).isEqualTo("a");
    assertThat(locked.settings()).isEqualTo(new Settings(true, false, false));
    assertThat(d.settings("r").locked()).isTrue();
    assertThat(join(d, "r", "c").error()).isEqualTo(JoinError.ROOM_LOCKED);
    assertThat(d.join("s-b2", "r", "b", named("b")).error()).as("b reconnects").isNull();
    assertThat(d.configure("s-a", false, null, null).settings()).isEqualTo(Settings.OPEN);
    assertThat(join(d, "r", "c").error()).isNull();
  }

  @Test
  void aPasswordIsAskedOfNewcomers() {
    RoomDirectory d = directory(4);
    join(d, "r", "a");
    assertThat(d.hasPassword("r")).isFalse();
    HostAction set = d.configure("s-a", null, null, "s3cret");
    assertThat(set.settings()).isEqualTo(new Settings(false, false, true));
    assertThat(d.hasPassword("r")).isTrue();
    assertThat(d.hasPassword("elsewhere")).isFalse();
    assertThat(join(d, "r", "b").error()).isEqualTo(JoinError.PASSWORD_REQUIRED);
    assertThat(d.join("s-b", "r", "b", named("b"), "wrong").error())
        .isEqualTo(JoinError.BAD_PASSWORD);
    assertThat(d.join("s-b", "r", "b", named("b"), "S3cret").error())
        .isEqualTo(JoinError.BAD_PASSWORD);
    assertThat(d.size("r")).isEqualTo(1);
    assertThat(d.join("s-b", "r", "b", named("b"), "s3cret").error()).isNull();
    assertThat(d.join("s-a2", "r", "a", named("a")).error())
        .as("a member back needs no password")
        .isNull();

    assertThat(d.configure("s-a2", null, null, "other").error()).isNull();
    assertThat(d.join("s-c", "r", "c", named("c"), "s3cret").error())
        .as("the old password no longer opens it")
        .isEqualTo(JoinError.BAD_PASSWORD);
    assertThat(d.configure("s-a2", null, null, "").settings().password()).isFalse();
    assertThat(join(d, "r", "c").error()).isNull();
  }

  @Test
  void theChecksComeInOrderRemovedLockedFullPasswordKnock() {
    RoomDirectory d = directory(2);
    join(d, "r", "a");
    join(d, "r", "b");
    d.configure("s-a", true, true, "pw");
    d.remove("s-a", "b");
    assertThat(d.join("s-b2", "r", "b", named("b"), "pw").error()).isEqualTo(JoinError.REMOVED);
    assertThat(d.join("s-c", "r", "c", named("c"), "pw").error()).isEqualTo(JoinError.ROOM_LOCKED);
    d.configure("s-a", false, null, null);
    assertThat(join(d, "r", "c").error()).isEqualTo(JoinError.PASSWORD_REQUIRED);
    assertThat(d.join("s-c", "r", "c", named("c"), "pw").error()).isEqualTo(JoinError.KNOCKING);
    d.configure("s-a", null, false, null);
    assertThat(d.join("s-d", "r", "d", named("d"), "pw").error()).isNull();
    assertThat(join(d, "r", "e").error()).as("full before password").isEqualTo(JoinError.ROOM_FULL);
  }

  @Test
  void aKnockerWaitsUntilTheHostLetsItIn() {
    RoomDirectory d = directory(4);
    join(d, "r", "a");
    join(d, "r", "b");
    d.configure("s-a", null, true, null);
    Joined knocking = join(d, "r", "c");
    assertThat(knocking.error()).isEqualTo(JoinError.KNOCKING);
    Knock k = knocking.knock();
    assertThat(k.session()).isEqualTo("s-c");
    assertThat(k.peerId()).isEqualTo("c");
    assertThat(k.room()).isEqualTo("r");
    assertThat(k.id()).isNotEqualTo("s-c").isNotBlank();
    assertThat(knocking.host()).isEqualTo("a");
    assertThat(knocking.settings()).isEqualTo(new Settings(false, true, false));
    assertThat(d.knocks("r")).containsExactly(k);
    assertThat(d.knockCount()).isEqualTo(1);
    assertThat(d.memberOf("s-c")).isNull();
    assertThat(d.size("r")).isEqualTo(2);

    Joined asksAgain = join(d, "r", "c");
    assertThat(asksAgain.error()).isEqualTo(JoinError.KNOCKING);
    assertThat(asksAgain.knock()).isEqualTo(k);
    assertThat(asksAgain.host()).as("nothing new for the host").isNull();
    assertThat(d.join("s-c", "other", "c", named("c")).error()).isEqualTo(JoinError.ALREADY_JOINED);
    assertThat(d.join("s-c2", "r", "c", named("c")).error())
        .as("one knock per id")
        .isEqualTo(JoinError.ALREADY_JOINED);
    assertThat(d.knocks("r")).hasSize(1);

    assertThat(d.admit("s-a", "nope").error()).isEqualTo(JoinError.NO_SUCH_KNOCK);
    HostAction in = d.admit("s-a", k.id());
    assertThat(in.error()).isNull();
    assertThat(in.knock()).isEqualTo(k);
    assertThat(in.joined().error()).isNull();
    assertThat(peers(in.joined().others())).containsExactly("a", "b");
    assertThat(in.joined().host()).isEqualTo("a");
    assertThat(d.memberOf("s-c")).isEqualTo(new Member("s-c", "r", "c", named("c")));
    assertThat(d.knocks("r")).isEmpty();
    assertThat(d.knockCount()).isZero();
    assertThat(d.admit("s-a", k.id()).error()).as("once").isEqualTo(JoinError.NO_SUCH_KNOCK);
  }

  @Test
  void aDeniedKnockerMayKnockAgain() {
    RoomDirectory d = directory(4);
    join(d, "r", "a");
    d.configure("s-a", null, true, null);
    Knock k = join(d, "r", "c").knock();
    HostAction out = d.deny("s-a", k.id());
    assertThat(out.error()).isNull();
    assertThat(out.knock()).isEqualTo(k);
    assertThat(d.knocks("r")).isEmpty();
    assertThat(d.knockCount()).isZero();
    assertThat(d.deny("s-a", k.id()).error()).isEqualTo(JoinError.NO_SUCH_KNOCK);
    Knock again = join(d, "r", "c").knock();
    assertThat(again).isNotNull();
    assertThat(again.id()).isNotEqualTo(k.id());
  }

  @Test
  void aFullRoomKeepsTheKnockUntilASeatFrees() {
    RoomDirectory d = directory(2);
    join(d, "r", "a");
    d.configure("s-a", null, true, null);
    Knock b = join(d, "r", "b").knock();
    Knock c = join(d, "r", "c").knock();
    assertThat(d.knocks("r")).containsExactly(b, c);
    assertThat(d.admit("s-a", b.id()).joined().error()).isNull();
    assertThat(d.admit("s-a", c.id()).error()).isEqualTo(JoinError.ROOM_FULL);
    assertThat(d.knocks("r")).containsExactly(c);
    d.leave("s-b");
    assertThat(d.admit("s-a", c.id()).joined().error()).isNull();
    assertThat(d.members("r")).containsExactly("s-a", "s-c");
  }

  @Test
  void anAdmittedIdThatJoinedElsewhereMeanwhileIsTurnedAway() {
    RoomDirectory d = directory(4);
    join(d, "r", "a");
    d.configure("s-a", null, true, null);
    Knock k = join(d, "r", "c").knock();
    assertThat(d.join("s-c2", "other", "c", named("c")).error()).isNull();
    HostAction in = d.admit("s-a", k.id());
    assertThat(in.error()).isNull();
    assertThat(in.joined().error()).isEqualTo(JoinError.USER_ELSEWHERE);
    assertThat(d.knocks("r")).isEmpty();
    assertThat(d.memberOf("s-c")).isNull();
    assertThat(d.roomOfPeer("c")).isEqualTo("other");
  }

  @Test
  void knocksEndWithTheKnockerAndWithTheRoom() {
    RoomDirectory d = directory(4);
    join(d, "r", "a");
    d.configure("s-a", null, true, null);
    Knock b = join(d, "r", "b").knock();
    Knock c = join(d, "r", "c").knock();
    Left withdrawn = d.leave("s-b");
    assertThat(withdrawn.member()).isNull();
    assertThat(withdrawn.knock()).isEqualTo(b);
    assertThat(d.knocks("r")).containsExactly(c);
    Left last = d.leave("s-a");
    assertThat(last.dropped()).containsExactly(c);
    assertThat(d.knockCount()).isZero();
    assertThat(d.knocks("r")).isEmpty();
    assertThat(d.settings("r")).as("a room made again starts open").isEqualTo(Settings.OPEN);
    assertThat(join(d, "r", "c").error()).isNull();
  }

  @Test
  void aRemovedIdMayNotComeBackWhileTheRoomLasts() {
    RoomDirectory d = directory(4);
    join(d, "r", "a");
    join(d, "r", "b");
    assertThat(d.remove("s-a", "a").error()).as("not itself").isEqualTo(JoinError.NO_SUCH_MEMBER);
    assertThat(d.remove("s-a", "zz").error()).isEqualTo(JoinError.NO_SUCH_MEMBER);
    join(d, "elsewhere", "e");
    assertThat(d.remove("s-a", "e").error())
        .as("a member of another room")
        .isEqualTo(JoinError.NO_SUCH_MEMBER);
    HostAction out = d.remove("s-a", "b");
    assertThat(out.error()).isNull();
    assertThat(out.member()).isEqualTo(new Member("s-b", "r", "b", named("b")));
    assertThat(d.memberOf("s-b")).isNull();
    assertThat(d.roomOfPeer("b")).isNull();
    assertThat(d.members("r")).containsExactly("s-a");
    assertThat(d.leave("s-b").member()).as("already gone").isNull();
    assertThat(d.join("s-b2", "r", "b", named("b")).error()).isEqualTo(JoinError.REMOVED);
    d.configure("s-a", null, true, null);
    assertThat(d.join("s-b3", "r", "b", named("b")).error())
        .as("nor knock")
        .isEqualTo(JoinError.REMOVED);
    assertThat(d.join("s-b4", "other", "b", named("b")).error()).isNull();
    d.leave("s-b4");
    d.leave("s-a");
    assertThat(d.join("s-b5", "r", "b", named("b")).error())
        .as("a new room of the same name")
        .isNull();
  }

  @Test
  void aRoomTakesAtMostMaxKnocks() {
    RoomDirectory d = directory(4);
    join(d, "r", "a");
    d.configure("s-a", null, true, null);
    for (int i = 0; i < RoomDirectory.MAX_KNOCKS; i++) {
      assertThat(join(d, "r", "k" + i).error()).isEqualTo(JoinError.KNOCKING);
    }
    assertThat(join(d, "r", "one-more").error()).isEqualTo(JoinError.KNOCKS_FULL);
    assertThat(d.knockCount()).isEqualTo(RoomDirectory.MAX_KNOCKS);
  }
}
