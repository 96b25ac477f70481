package webcall;

import webcall.rooms.InMemoryRoomDirectory;
import webcall.rooms.RoomDirectory;

/**
 * Where the rooms are kept, chosen by the command as {@link PeerJsState} is for PeerJS: today in
 * this process only. A shared store (every node's members in one directory) would be chosen here.
 */
public final class RoomsState {
  private RoomsState() {}

  /** One node's rooms, in memory, of at most {@code capacity} members each. */
  public static RoomDirectory inMemory(int capacity) {
    return new InMemoryRoomDirectory(capacity);
  }
}
