package webcall.peerjs;

/**
 * Why a PeerJS socket is refused or closed: the frame the client reads and the close code that
 * follows it. The texts match the reference server byte for byte because clients show them as
 * {@code err.message}.
 */
public enum Rejection {
  MISSING_PARAMS(MessageType.ERROR, "No id, token, or key supplied to websocket server", 1008),
  INVALID_KEY(MessageType.ERROR, "Invalid key provided", 1008),
  INVALID_ID(MessageType.ERROR, "Invalid id provided", 1008),
  INVALID_TOKEN(MessageType.ERROR, "Invalid token provided", 1008),
  ID_TAKEN(MessageType.ID_TAKEN, "ID is taken", 1008),
  LIMIT_REACHED(MessageType.ERROR, "Server has reached its concurrent user limit", 1013),
  TOO_MANY_CONNECTIONS_FROM_ADDRESS(
      MessageType.ERROR, "Too many connections from your address", 1013),
  TOO_DEEP(MessageType.ERROR, "Message is nested too deeply or holds too long a string", 1007),
  RATE_EXCEEDED(MessageType.ERROR, "Too many messages", 1008),
  HEARTBEAT_FLOOD(MessageType.ERROR, "Too many heartbeats", 1008),
  SLOW_CONSUMER(MessageType.ERROR, "Connection too slow to keep up", 1008),
  ALIVE_TIMEOUT(MessageType.ERROR, "No heartbeat received in time", 1008),
  MESSAGE_TOO_BIG(MessageType.ERROR, "Message too big", 1009),
  TOO_MANY_FRAGMENTS(MessageType.ERROR, "Message split into too many frames", 1008),
  INVALID_UTF8(MessageType.ERROR, "Text frame is not valid UTF-8", 1007),
  PROTOCOL_ERROR(MessageType.ERROR, "Malformed WebSocket frame", 1002),
  INTERNAL_ERROR(MessageType.ERROR, "Internal server error", 1011),
  /** Not the reference's: a cluster node whose Redis cannot be reached registers no new id. */
  UNAVAILABLE(
      MessageType.ERROR,
      "Service unavailable: the cluster's store cannot be reached, try again",
      1013);

  private final MessageType type;
  private final String message;
  private final int closeCode;

  Rejection(MessageType type, String message, int closeCode) {
    this.type = type;
    this.message = message;
    this.closeCode = closeCode;
  }

  public MessageType type() {
    return type;
  }

  public String message() {
    return message;
  }

  public int closeCode() {
    return closeCode;
  }

  /** The frame sent before closing: {"type":"ERROR","payload":{"msg":"..."}}. */
  public String frame() {
    return "{\"type\":\"" + type.wireName() + "\",\"payload\":{\"msg\":\"" + message + "\"}}";
  }
}
