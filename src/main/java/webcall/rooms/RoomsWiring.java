package webcall.rooms;

import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * What the wiring chose for the rooms: the directory, how events reach the members (given this
 * node's sockets) and how a join's PeerJS id is checked (given this node's own check). One node:
 * the directory alone, events to this node's sockets, ids of this node's PeerJS server.
 */
public record RoomsWiring(
    RoomDirectory directory,
    Function<LocalRoomEvents, RoomEvents> events,
    UnaryOperator<PeerCheck> peers) {

  /** One node: events to its own sockets, ids of its own PeerJS server. */
  public static RoomsWiring local(RoomDirectory directory) {
    return new RoomsWiring(directory, local -> local, UnaryOperator.identity());
  }
}
