package webcall.socketio;

/** Why a socket or its Engine.IO session ended, in the reference server's words. */
public enum DisconnectReason {
  TRANSPORT_CLOSE("transport close"),
  TRANSPORT_ERROR("transport error"),
  PING_TIMEOUT("ping timeout"),
  PARSE_ERROR("parse error"),
  FORCED_CLOSE("forced close"),
  SERVER_SHUTTING_DOWN("server shutting down"),
  SLOW_READER("slow reader"),
  /** Over the event rate for longer than the flood grace: cut off by the layer above. */
  FLOOD("flood"),
  CONNECT_TIMEOUT("connect timeout"),
  CLIENT_NAMESPACE_DISCONNECT("client namespace disconnect"),
  SERVER_NAMESPACE_DISCONNECT("server namespace disconnect");

  private final String wire;

  DisconnectReason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
