package webcall.socketio;

import java.util.List;

/**
 * What a namespace does with its sockets. Calls for one socket come on its session's event loop,
 * one at a time: a handler must not block.
 */
public interface SocketIoHandler {
  /** After the client's CONNECT; its auth payload is {@link Socket#auth()}. */
  void connected(Socket socket);

  /**
   * An event; {@code args} are JSON values (Map, List, String, Number, Boolean, null) and byte[]
   * for attachments.
   *
   * @param ack the acknowledgement the client asked for, or null
   */
  void event(Socket socket, String name, List<Object> args, Ack ack);

  /** Exactly once per connected socket, whatever ended it. */
  void disconnected(Socket socket, DisconnectReason reason);
}
