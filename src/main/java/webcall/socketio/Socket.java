package webcall.socketio;

import java.util.Map;

/**
 * One client's connection to one namespace. Thread-safe: sending from any thread hops onto its
 * event loop.
 */
public interface Socket {
  /** The socket id the client got in its CONNECT answer; unique on this server. */
  String id();

  String namespace();

  String clientAddress();

  /** The CONNECT packet's payload, or an empty map. */
  Map<String, Object> auth();

  void emit(String event, Object... args);

  /** A packet encoded once (for a room, once for all its members). */
  void send(Outgoing packet);

  /**
   * Leaves the namespace (the client gets DISCONNECT) and, with no namespace left, closes the
   * connection.
   */
  void disconnect();

  /**
   * As {@link #disconnect()}; if the connection closes for it, {@code why} is the session's reason
   * (its metrics).
   */
  default void disconnect(DisconnectReason why) {
    disconnect();
  }
}
