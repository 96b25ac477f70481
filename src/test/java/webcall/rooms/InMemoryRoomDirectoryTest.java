package webcall.rooms;

/** The contract, in memory. */
class InMemoryRoomDirectoryTest extends RoomDirectoryContract {
  @Override
  protected RoomDirectory directory(int capacity) {
    return new InMemoryRoomDirectory(capacity);
  }
}
