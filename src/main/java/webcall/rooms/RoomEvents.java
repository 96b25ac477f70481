package webcall.rooms;

/**
 * How room events reach a room's members, wherever their connections are. Here on this node's own
 * Socket.IO sockets ({@link LocalRoomEvents}); a cluster would put a message bus behind the same
 * three calls. Membership itself is {@link RoomDirectory}'s alone.
 */
public interface RoomEvents {
  /**
   * Sends {@code event(args)} to every member of {@code room} but the connection {@code except}
   * (null: to all).
   */
  void toRoom(String room, String except, String event, Object... args);

  /**
   * Sends {@code event(args)} to one connection (a host, a knocker, a removed member); nothing if
   * it is gone.
   */
  void toConnection(String connection, String event, Object... args);

  /**
   * Ends a member's connection (a client that joined again from a new one); nothing if it is gone
   * already.
   */
  void disconnect(String connection);
}
