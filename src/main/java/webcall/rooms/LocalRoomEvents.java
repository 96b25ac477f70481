package webcall.rooms;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import webcall.socketio.Outgoing;
import webcall.socketio.Socket;

/**
 * Room events delivered to this node's sockets: each event encoded once, then written to every
 * member.
 */
public final class LocalRoomEvents implements RoomEvents {
  private final RoomDirectory rooms;
  private final Map<String, Socket> sockets = new ConcurrentHashMap<>();

  LocalRoomEvents(RoomDirectory rooms) {
    this.rooms = rooms;
  }

  void connected(Socket socket) {
    sockets.put(socket.id(), socket);
  }

  void disconnected(Socket socket) {
    sockets.remove(socket.id(), socket);
  }

  @Override
  public void toRoom(String room, String except, String event, Object... args) {
    Outgoing packet = null;
    for (String member : rooms.members(room)) {
      Socket s = member.equals(except) ? null : sockets.get(member);
      if (s != null) {
        if (packet == null) {
          packet = Outgoing.event(event, args);
        }
        s.send(packet);
      }
    }
  }

  @Override
  public void toConnection(String connection, String event, Object... args) {
    Socket s = connection == null ? null : sockets.get(connection);
    if (s != null) {
      s.emit(event, args);
    }
  }

  @Override
  public void disconnect(String connection) {
    Socket s = sockets.get(connection);
    if (s != null) {
      s.disconnect();
    }
  }

  /** Whether {@code connection} is one of this node's sockets now. */
  public boolean holds(String connection) {
    return connection != null && sockets.containsKey(connection);
  }

  /**
   * Sends {@code event(args)} to those of {@code connections} that are this node's, encoded once
   * (what a cluster's message bus delivers here).
   */
  public void toConnections(Iterable<String> connections, String event, Object... args) {
    Outgoing packet = null;
    for (String c : connections) {
      Socket s = c == null ? null : sockets.get(c);
      if (s != null) {
        if (packet == null) {
          packet = Outgoing.event(event, args);
        }
        s.send(packet);
      }
    }
  }

  /** Sockets known here; for tests that check nothing is kept. */
  public int socketCount() {
    return sockets.size();
  }
}
