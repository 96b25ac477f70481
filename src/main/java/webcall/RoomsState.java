package webcall;

import java.time.Duration;
import webcall.cluster.RedisPeerCheck;
import webcall.cluster.RedisRoomDirectory;
import webcall.cluster.RedisRoomEvents;
import webcall.cluster.RedisStore;
import webcall.cluster.RoomsLease;
import webcall.rooms.InMemoryRoomDirectory;
import webcall.rooms.RoomDirectory;
import webcall.rooms.RoomSignaling;
import webcall.rooms.RoomsWiring;

/**
 * Where the rooms are kept, chosen by the command as {@link PeerJsState} is for PeerJS: in this
 * process only, or, with {@code --redis-url}, in Redis for every node of a cluster.
 */
public final class RoomsState {
  private RoomsState() {}

  /** One node's rooms, in memory, of at most {@code capacity} members each. */
  public static RoomDirectory inMemory(int capacity) {
    return new InMemoryRoomDirectory(capacity);
  }

  /**
   * Without a store, {@link #inMemory} exactly as before; with one, the rooms in Redis, their
   * events to members on any node, and join's PeerJS ids checked across the cluster.
   */
  public static RoomsWiring of(RedisStore store, int capacity) {
    if (store == null) {
      return RoomsWiring.local(inMemory(capacity));
    }
    RoomDirectory rooms = new RedisRoomDirectory(store, capacity);
    return new RoomsWiring(
        rooms,
        local -> new RedisRoomEvents(store, rooms, local),
        here -> new RedisPeerCheck(store, here));
  }

  /**
   * With a store, this node's lease on its members, which also makes a dead node's members leave
   * (see {@link RoomsLease}); without, null. Closed after the server, before the store.
   */
  public static RoomsLease lease(
      RedisStore store, RoomsWiring rooms, RoomSignaling signaling, Duration lease) {
    if (store == null) {
      return null;
    }
    return new RoomsLease(
        store,
        (RedisRoomDirectory) rooms.directory(),
        signaling::connectionGone,
        signaling::settleLeaves,
        signaling::announceBack,
        lease);
  }
}
