package webcall.socketio;

/**
 * A client broke the protocol: the connection is closed. Thrown by the parsers without a stack
 * trace, and logged as one line with its kind only, never the payload (a client could otherwise
 * flood the log).
 */
final class ProtocolError extends Exception {
  ProtocolError(String kind) {
    super(kind, null, false, false);
  }
}
