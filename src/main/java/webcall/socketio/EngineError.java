package webcall.socketio;

import java.nio.charset.StandardCharsets;

/**
 * The Engine.IO server's refusals of a request, with the reference server's codes and messages
 * (HTTP 400).
 */
enum EngineError {
  UNKNOWN_TRANSPORT(0, "Transport unknown"),
  UNKNOWN_SID(1, "Session ID unknown"),
  BAD_HANDSHAKE_METHOD(2, "Bad handshake method"),
  BAD_REQUEST(3, "Bad request"),
  UNSUPPORTED_PROTOCOL_VERSION(5, "Unsupported protocol version");

  final int code;
  final String message;
  final byte[] body;

  EngineError(int code, String message) {
    this.code = code;
    this.message = message;
    this.body =
        ("{\"code\":" + code + ",\"message\":\"" + message + "\"}")
            .getBytes(StandardCharsets.UTF_8);
  }
}
