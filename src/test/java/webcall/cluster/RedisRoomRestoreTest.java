package webcall.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import webcall.rooms.Profile;
import webcall.rooms.RoomDirectory.JoinError;
import webcall.rooms.RoomDirectory.Settings;
import webcall.support.RedisServer;

/**
 * A Redis that loses its data (FLUSHALL here, as a restart without saving does) gets the rooms back
 * from the nodes: each node its own members, the room's closure and host as they were.
 */
class RedisRoomRestoreTest {
  private static RedisServer redis;
  private static RedisStore nodeA;
  private static RedisStore nodeB;

  @BeforeAll
  static void start() {
    redis = RedisServer.start();
    nodeA = RedisStore.connect(RedisStore.parse(redis.url()), NodeId.random(), "rs:");
    nodeB = RedisStore.connect(RedisStore.parse(redis.url()), NodeId.random(), "rs:");
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {nodeA, nodeB, redis}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  private static Profile named(String n) {
    return new Profile(n, false, false, false);
  }

  @Test
  void eachNodePutsItsMembersBackAndALeaveBeforeThatIsStillALeave() {
    RedisRoomDirectory a = new RedisRoomDirectory(nodeA, 4);
    RedisRoomDirectory b = new RedisRoomDirectory(nodeB, 4);
    String epoch = a.epoch();
    assertThat(b.epoch()).isEqualTo(epoch);
    assertThat(a.join("s-host", "r", "host", named("Host")).error()).isNull();
    assertThat(b.join("s-b1", "r", "b1", named("B1")).error()).isNull();
    assertThat(b.join("s-b2", "r", "b2", named("B2")).error()).isNull();
    a.configure("s-host", true, null, "pw");
    a.refresh(epoch);
    b.refresh(epoch);

    nodeA.sync().flushall();
    assertThat(a.memberOf("s-host")).as("lost").isNull();
    String next = a.epoch();
    assertThat(next).isNotEqualTo(epoch);

    // b2's connection closes before node B has put its members back: it still leaves, once.
    assertThat(b.leave("s-b2").member().peerId()).isEqualTo("b2");
    assertThat(b.leave("s-b2").member()).isNull();
    assertThat(a.restore(next)).isEqualTo(1);
    assertThat(b.restore(next)).as("done already, at the leave").isZero();

    assertThat(a.members("r")).containsExactlyInAnyOrder("s-host", "s-b1");
    assertThat(a.hostSession("r")).isEqualTo("s-host");
    assertThat(a.settings("r")).isEqualTo(new Settings(true, false, true));
    assertThat(b.memberOf("s-b1").profile().name()).isEqualTo("B1");
    assertThat(a.roomOfPeer("b2")).isNull();
    assertThat(b.join("s-new", "r", "new", named("New")).error())
        .as("the lock came back too")
        .isEqualTo(JoinError.ROOM_LOCKED);
    assertThat(a.memberCount()).isEqualTo(1);
    assertThat(b.memberCount()).isEqualTo(1);
  }
}
