package webcall.socketio;

/** The answer to one event that asked for it; only the first call is sent. */
public interface Ack {
  void send(Object... args);
}
