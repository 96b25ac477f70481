package webcall.socketio;

/**
 * What runs on an Engine.IO endpoint: Socket.IO on {@code /socket.io/}, or (in tests) an echo.
 * Every call for one session comes on that session's event loop, one at a time.
 */
public interface EngineHandler {
  void opened(EngineSession session);

  void message(EngineSession session, String text);

  void binary(EngineSession session, byte[] data);

  /**
   * The server is about to close the session (not the client, and not for a slow reader): the last
   * packets sent now still go out, before the close. Socket.IO tells each namespace DISCONNECT
   * here, which every client understands even where it ignores a WebSocket close frame (the
   * official Java client does).
   */
  default void closing(EngineSession session) {}

  /** Exactly once per session, whatever ended it. */
  void closed(EngineSession session, DisconnectReason reason);
}
