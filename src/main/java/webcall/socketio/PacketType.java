package webcall.socketio;

/** Socket.IO v5 packet types, with their wire digit. */
enum PacketType {
  CONNECT,
  DISCONNECT,
  EVENT,
  ACK,
  CONNECT_ERROR,
  BINARY_EVENT,
  BINARY_ACK;

  char digit() {
    return (char) ('0' + ordinal());
  }

  static PacketType of(char c) {
    int i = c - '0';
    return i >= 0 && i < values().length ? values()[i] : null;
  }
}
